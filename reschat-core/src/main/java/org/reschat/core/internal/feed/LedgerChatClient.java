package org.reschat.core.internal.feed;

import org.reschat.core.internal.conversation.Received;
import java.time.Clock;
import java.util.List;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.GroupException;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Receiver;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.internal.group.Group;
import org.reschat.core.internal.group.Groups;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.Message;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.MessageText;
import org.reschat.core.internal.relation.Fold;
import org.reschat.core.internal.relation.RelationCodec;
import org.reschat.core.internal.relation.Targets;
import org.reschat.core.internal.receive.LedgerReceiver;
import org.reschat.core.internal.requests.MessageRequests;
import org.reschat.core.spi.ChannelFollows;
import org.reschat.core.spi.Contacts;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * The {@link ChatClient}: names chats by {@link ChatId} and sends each operation to what serves its kind,
 * a direct chat's conversation or a group's current epoch, over one {@link ConversationEngine}. The text
 * rules are checked here, once, before anything else, for every kind of chat.
 */
public final class LedgerChatClient implements ChatClient {
  private final Identity me;
  private final ConversationEngine engine;
  private final PassCache reads;
  private final MessageRequests requests;
  private final Groups groups;
  private final org.reschat.core.internal.group.LedgerGroups groupsApi;
  private final LedgerReceiver receiver;
  private volatile boolean closed;
  private final org.reschat.core.Requests requestsApi;
  private final org.reschat.core.ChatFiles files;
  private final org.reschat.core.internal.device.LedgerDevices devices;
  /** Direct chats as chains of epochs (protocol §3.1). */
  private final DirectChain direct;

  public LedgerChatClient(Identity me, KvStore store, LocalState state, Contacts contacts, ChannelFollows channels,
      java.nio.file.Path uploads, Clock clock) {
    this.me = me;
    this.reads = new PassCache(store);
    this.engine = new ConversationEngine(me, reads, state, clock);
    org.reschat.core.internal.conversation.PairTaking pairTaking =
        new org.reschat.core.internal.conversation.PairTaking(me, engine, engine.pairs(), state, this::rekeyGroups);
    this.direct = new DirectChain(engine, pairTaking);
    this.requests = new MessageRequests(me, engine, engine.devices(), state, store, clock);
    this.groups = new Groups(me, engine, state, store, requests, pairTaking);
    this.groupsApi = new org.reschat.core.internal.group.LedgerGroups(groups, this::ensureOpen,
        id -> deviceEngine().tellGroup(id)); // the other devices hold it too (§15.6)
    this.files = new org.reschat.core.internal.files.LedgerChatFiles(this, store, uploads, this::ensureOpen);
    this.requestsApi = new GuardedRequests(requests, this::ensureOpen);
    this.receiver = new LedgerReceiver(this, engine, reads, store, state, contacts, channels,
        new org.reschat.core.channel.Channels(store, clock));
    this.devices = new org.reschat.core.internal.device.LedgerDevices(me, engine, groups, store, state, contacts, clock,
        this::ensureOpen, friend -> direct.receive(friend)); // not committed: the messages are delivered as ever
  }

  @Override
  public PublicCard card() {
    return me.card();
  }

  /** The conversations every chat is made of (for group code and tests that act as a modified client). */
  public ConversationEngine engine() {
    return engine;
  }

  public Identity identity() {
    return me;
  }

  @Override
  public SendResult send(ChatId chat, String text)
      throws InvalidMessageException, GroupException, org.reschat.core.DeviceException, LocalStateException, KvException {
    ensureOpen();
    return deliver(chat, MessageText.TEXT, new byte[0], MessageText.encode(text));
  }

  @Override
  public SendResult send(ChatId chat, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, GroupException, org.reschat.core.DeviceException, LocalStateException, KvException {
    ensureOpen();
    MessageText.checkCallerType(type);
    MessageText.checkBody(body);
    return deliver(chat, type, extension, body);
  }

  @Override
  public SendResult send(ChatId chat, org.reschat.core.Draft draft)
      throws InvalidMessageException, GroupException, org.reschat.core.DeviceException, LocalStateException, KvException {
    ensureOpen();
    byte[] body = MessageText.encode(draft.text());
    if (draft.replyTo().isEmpty() && draft.mentions().isEmpty()) {
      return deliver(chat, MessageText.TEXT, new byte[0], body);
    }
    LocalMessages targets = targets(chat);
    if (draft.replyTo().isPresent()) {
      Targets.Held held = target(targets, draft.replyTo().get());
      if (!org.reschat.core.Relations.relatable(held.message().type())) {
        throw new InvalidMessageException("Message " + draft.replyTo().get() + " is a reaction, an edit, a delete or a group "
            + "change: answer the message it concerns.");
      }
    }
    List<byte[]> mentioned = new java.util.ArrayList<>();
    if (!draft.mentions().isEmpty()) {
      if (!(chat instanceof ChatId.Group)) {
        throw new InvalidMessageException("Mentions are for groups; in a chat of two, everything reaches the other.");
      }
      List<PublicCard> members = group(chat).members();
      for (PublicCard card : new java.util.LinkedHashSet<>(draft.mentions())) {
        if (!members.contains(card)) {
          throw new InvalidMessageException("Someone mentioned (" + org.reschat.core.FeedWarning.shortName(card)
              + ") is not a member of the group.");
        }
        mentioned.add(card.fingerprint());
      }
    }
    return deliver(chat, MessageText.TEXT, RelationCodec.textExtension(draft.replyTo(), mentioned), body);
  }

  @Override
  public SendResult react(ChatId chat, String messageId, String emoji)
      throws InvalidMessageException, GroupException, org.reschat.core.DeviceException, LocalStateException, KvException {
    ensureOpen();
    byte[] body = RelationCodec.reaction(emoji);
    return relate(chat, RelationCodec.REACTION, messageId, body);
  }

  @Override
  public SendResult removeReaction(ChatId chat, String messageId)
      throws InvalidMessageException, GroupException, org.reschat.core.DeviceException, LocalStateException, KvException {
    ensureOpen();
    return relate(chat, RelationCodec.REACTION, messageId, new byte[0]);
  }

  @Override
  public SendResult edit(ChatId chat, String messageId, String text)
      throws InvalidMessageException, GroupException, org.reschat.core.DeviceException, LocalStateException, KvException {
    ensureOpen();
    byte[] body = MessageText.encode(text);
    return relate(chat, RelationCodec.EDIT, messageId, body);
  }

  @Override
  public SendResult delete(ChatId chat, String messageId)
      throws InvalidMessageException, GroupException, org.reschat.core.DeviceException, LocalStateException, KvException {
    ensureOpen();
    return relate(chat, RelationCodec.DELETE, messageId, new byte[0]);
  }

  @Override
  public java.util.Optional<org.reschat.core.Relations.Seen> seen(ChatId chat, String messageId)
      throws GroupException, LocalStateException {
    ensureOpen();
    java.util.Optional<RelationCodec.Ref> ref = RelationCodec.ref(messageId);
    if (ref.isEmpty()) {
      return java.util.Optional.empty();
    }
    LocalMessages targets = targets(chat);
    return targets.held(ref.get(), java.util.Optional.empty()).flatMap(h -> targets.seen(h.message()));
  }

  /**
   * Sends a reaction, edit or delete of {@code messageId} after the rules the receivers apply (Fold), so this
   * client never writes what they would refuse: the message is held here, not a relation or group change; an
   * edit or delete is of this person's own message, an edit of a text; nothing changes a deleted message.
   */
  private SendResult relate(ChatId chat, String type, String messageId, byte[] body)
      throws InvalidMessageException, GroupException, org.reschat.core.DeviceException, LocalStateException, KvException {
    byte[] extension = RelationCodec.target(messageId);
    Targets.Held held = target(targets(chat), messageId);
    Message m = held.message();
    if (!org.reschat.core.Relations.relatable(m.type())) {
      throw new InvalidMessageException("Message " + messageId + " is a reaction, an edit, a delete or a group change; "
          + "only messages can be reacted to, edited or deleted.");
    }
    if (held.deleted()) {
      throw new InvalidMessageException("Message " + messageId + " was deleted.");
    }
    if (!type.equals(RelationCodec.REACTION) && !m.sender().equals(me.card())) {
      throw new InvalidMessageException("Message " + messageId + " is not yours: only its author may "
          + (type.equals(RelationCodec.EDIT) ? "edit" : "delete") + " a message.");
    }
    if (type.equals(RelationCodec.EDIT) && !Message.TEXT.equals(m.type())) {
      throw new InvalidMessageException("Message " + messageId + " is not a text; only texts are edited.");
    }
    return deliver(chat, type, extension, body);
  }

  /** The message {@code id} names, as held here, or why there is none. */
  private static Targets.Held target(LocalMessages targets, String id) throws InvalidMessageException {
    RelationCodec.Ref ref = RelationCodec.ref(id).orElseThrow(() -> new InvalidMessageException("\""
        + (id.length() > 40 ? id.substring(0, 40) + "…" : id) + "\" is not a message id (they look like 519yaTVhz44:2:7)."));
    return targets.held(ref, java.util.Optional.empty()).orElseThrow(() -> new InvalidMessageException("This chat has no message " + ref
        + " that this profile holds; 'reschat history' shows the ids."));
  }

  /** What the fold may look up in {@code chat}: every conversation of it, from what is held locally. */
  private LocalMessages targets(ChatId chat) throws GroupException, LocalStateException {
    if (chat instanceof ChatId.Direct) {
      List<LocalMessages.Source> sources = new java.util.ArrayList<>();
      for (Conversation c : engine.conversationsWith(((ChatId.Direct) chat).card())) {
        sources.add(new LocalMessages.Source(c, LocalMessages.Visible.ALL));
      }
      return new LocalMessages(reads, engine.state(), () -> sources);
    }
    Group g = group(chat);
    return new LocalMessages(reads, engine.state(), () -> {
      List<LocalMessages.Source> out = new java.util.ArrayList<>();
      for (org.reschat.core.internal.group.Epoch e : g.epochs()) {
        out.add(new LocalMessages.Source(Group.conversation(me, e),
            (writer, page, slot) -> e.cutOf(writer).map(cut -> cut.includes(page, slot)).orElse(true)));
      }
      return out;
    });
  }

  /**
   * {@code u}'s messages typed and the relations among them checked and folded (see {@link Fold#events}); the
   * relations refused become warnings. What the receiver hands out, so every front end gets it folded.
   */
  public Update folded(ChatId chat, Update u) throws LocalStateException {
    if (!Fold.needed(u.received())) {
      return u;
    }
    Fold.Result r;
    try {
      r = Fold.events(u.received(), targets(chat));
    } catch (GroupException e) {
      return u; // a group this client no longer holds: its messages go out as opened
    }
    List<org.reschat.core.FeedWarning> warnings = new java.util.ArrayList<>(u.warnings());
    warnings.addAll(r.warnings());
    return new Update(r.messages(), u.published(), u.pending(), u.problem(), warnings);
  }

  private SendResult deliver(ChatId chat, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, GroupException, org.reschat.core.DeviceException, LocalStateException, KvException {
    devices.requireNotRevoked();
    SendResult sent = publish(chat, type, extension, body);
    if (!Fold.needed(List.of(sent.message()))) {
      return sent;
    }
    List<Message> typed = folded(chat, new Update(List.of(sent.message()), 0, 0, java.util.Optional.empty(), List.of()))
        .received();
    return typed.isEmpty() ? sent : new SendResult(typed.get(0), sent.pending(), sent.problem());
  }

  private SendResult publish(ChatId chat, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, GroupException, LocalStateException, KvException {
    SendResult sent;
    if (chat instanceof ChatId.Direct) {
      PublicCard to = ((ChatId.Direct) chat).card();
      sent = engine.sendTo(to, type, extension, body); // the newest epoch the friend holds (§3.1)
      requests.introduce(to); // once: see MessageRequests
    } else {
      sent = groups.send(group(chat), type, extension, body);
    }
    receiver.sent(sent.message().id());
    return sent;
  }

  @Override
  public History history(ChatId chat, HistoryRequest request) throws GroupException, LocalStateException, KvException {
    ensureOpen();
    History raw = chat instanceof ChatId.Direct
        ? direct.history(((ChatId.Direct) chat).card(), request)
        : groups.history(group(chat), request);
    Fold.Result r = Fold.history(raw.messages(), targets(chat));
    List<org.reschat.core.FeedWarning> warnings = new java.util.ArrayList<>(raw.warnings());
    warnings.addAll(r.warnings());
    return new History(r.messages(), warnings, raw.hasOlder(), raw.pagesLoaded(), raw.storeProblem());
  }

  @Override
  public Update update(ChatId chat) throws GroupException, LocalStateException, KvException {
    ensureOpen();
    if (chat instanceof ChatId.Direct) {
      DirectReceived r = receiveDirect(((ChatId.Direct) chat).card());
      r.commit(engine.state());
      return folded(chat, r.update());
    }
    return folded(chat, groups.update(group(chat)));
  }

  /**
   * What is new with {@code contact}, not yet marked delivered; takes the group invitations among it (see
   * {@code Groups.takeInvites}: one refused, or in conflict with a group held, is a warning of this chat)
   * and introduces this person to them if they have not written yet.
   */
  public DirectReceived receiveDirect(PublicCard contact) throws LocalStateException, KvException {
    ensureOpen();
    DirectChain.Receipt r = direct.receive(contact);
    Groups.Invited invited = groups.takeInvites(contact, r.update().received());
    requests.introduce(contact);
    if (invited.warnings().isEmpty()) {
      return new DirectReceived(r.update(), r.marks(), invited.changed());
    }
    List<org.reschat.core.FeedWarning> warnings = new java.util.ArrayList<>(r.update().warnings());
    warnings.addAll(invited.warnings());
    Update u = r.update();
    return new DirectReceived(new Update(u.received(), u.published(), u.pending(), u.problem(), warnings), r.marks(),
        invited.changed());
  }

  /**
   * A direct chat's update over every epoch of it (protocol §3.1), each epoch's {@link Received} (to mark
   * delivered once passed on), and the groups its invitations joined (or re-joined).
   */
  public record DirectReceived(Update update, List<Received> marks, List<Group> joined) {
    public DirectReceived {
      marks = List.copyOf(marks);
      joined = List.copyOf(joined);
    }

    /** Marks every epoch's messages delivered. */
    public void commit(LocalState state) throws LocalStateException {
      for (Received r : marks) {
        r.commit(state);
      }
    }

    /** The conversations read: every epoch of the chat. */
    public List<Conversation> conversations() {
      return marks.stream().map(Received::conversation).toList();
    }
  }

  @Override
  public int pending(ChatId chat) throws LocalStateException {
    ensureOpen();
    if (chat instanceof ChatId.Direct) {
      int n = 0;
      for (Conversation c : engine.conversationsWith(((ChatId.Direct) chat).card())) {
        n += engine.pending(c);
      }
      return n;
    }
    java.util.Optional<Group> g = groups.find(((ChatId.Group) chat).id());
    return g.isPresent() ? groups.pending(g.get()) : 0;
  }

  @Override
  public int copyVerifiedPages(ChatId chat) throws GroupException, LocalStateException, KvException {
    ensureOpen();
    if (chat instanceof ChatId.Direct) {
      int n = 0;
      for (Conversation c : engine.conversationsWith(((ChatId.Direct) chat).card())) {
        n += engine.copyVerifiedPages(c);
      }
      return n;
    }
    return groups.copyVerifiedPages(group(chat));
  }

  /** The group a chat id names, as this member holds it. */
  Group group(ChatId chat) throws GroupException, LocalStateException {
    String id = ((ChatId.Group) chat).id();
    return groups.find(id).orElseThrow(() -> new GroupException(GroupException.Reason.NOT_A_MEMBER,
        "You are not in that group."));
  }

  @Override
  public org.reschat.core.ChatFiles files() {
    return files;
  }

  @Override
  public Receiver receiver() {
    return receiver;
  }

  @Override
  public org.reschat.core.Groups groups() {
    return groupsApi;
  }

  /**
   * A friend took the new key of the direct chat, or a member who is no friend took it in a group (protocol §3.1):
   * device 0 starts a new epoch of each group whose every other member now has, wrapped under those keys; the
   * other devices hold it too (§15.6).
   */
  private void rekeyGroups(PublicCard friend) throws LocalStateException, KvException {
    if (!me.holdsIdentityKey() || engine.state().readOnly()) {
      return; // device 0 revoked, and rekeys; a copy opened read-only writes nothing
    }
    for (Group g : groups.rekeyFor(friend, card -> {
      try {
        return engine.pairs().rekeyed(card);
      } catch (LocalStateException e) {
        return false;
      }
    })) {
      deviceEngine().tellGroup(g.id());
    }
  }

  /** The engine's groups: what the receiver and the chat operations work with. */
  public Groups groupEngine() {
    return groups;
  }

  @Override
  public org.reschat.core.Devices devices() {
    return devices;
  }

  /** The engine's side of linked devices (read positions told to the other devices). */
  public org.reschat.core.internal.device.LedgerDevices deviceEngine() {
    return devices;
  }

  @Override
  public org.reschat.core.Requests requests() {
    return requestsApi;
  }

  /** The engine's message requests, with what only the receiver does (announcing new ones). */
  public MessageRequests messageRequests() {
    return requests;
  }

  /** The groups this person is in, as chats: what the receiver follows after the direct chats. */
  public List<Group> activeGroups() throws LocalStateException {
    return groups.list().stream().filter(g -> g.status() == Group.Status.ACTIVE).toList();
  }

  /** Every call after {@link #close} fails the same way, whatever it reaches first. */
  public void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("The chat client is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    receiver.close();
    engine.close();
  }
}
