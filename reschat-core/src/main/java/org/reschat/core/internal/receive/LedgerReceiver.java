package org.reschat.core.internal.receive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.FeedWarning;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.MessageRequest;
import org.reschat.core.Problem;
import org.reschat.core.Receiver;
import org.reschat.core.Update;
import org.reschat.core.channel.ChannelId;
import org.reschat.core.channel.ChannelPost;
import org.reschat.core.channel.Channels;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.internal.feed.LedgerChatClient;
import org.reschat.core.internal.feed.PassCache;
import org.reschat.core.internal.group.Epoch;
import org.reschat.core.internal.group.Group;
import org.reschat.core.internal.group.GroupLinks;
import org.reschat.core.internal.group.Groups;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.requests.MessageRequests;
import org.reschat.core.spi.ChannelFollows;
import org.reschat.core.spi.Contacts;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.Changed;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStore;

/**
 * The {@link Receiver}: one pass reads the next keys of every chat in scope in one batch, then runs the
 * verified read only for the chats whose keys show something this client does not hold, in the documented
 * order, and marks each chat's messages delivered after its listener returns. Between passes it remembers,
 * per conversation, the keys and what they held, so a quiet chat costs its keys in the batch and nothing
 * else; a change notification naming keys re-reads only the chats those keys belong to.
 */
public final class LedgerReceiver implements Receiver, AutoCloseable {
  private final LedgerChatClient client;
  private final ConversationEngine engine;
  private final PassCache reads;
  private final KvStore store;
  private final LocalState state;
  private final Contacts contacts;
  private final ChannelFollows follows;
  private final Channels channels;
  /** Passes never overlap: a chat's read and its delivery mark belong to one pass. */
  private final ReentrantLock passes = new ReentrantLock();
  /** Per conversation id: its next keys and what the store held there when this client was caught up. */
  private final Map<String, Map<String, KvRead>> caughtUp = new ConcurrentHashMap<>();
  /** Which chat reads each key: what a change notification that names keys concerns. */
  private final Map<String, ChatId> interest = new ConcurrentHashMap<>();
  /**
   * For views of one chat: per conversation, how far this person's own messages were shown, so those sent
   * from another process or device are delivered too. Kept for this client's life only.
   */
  private final Map<String, LocalState.Position> ownShown = new ConcurrentHashMap<>();
  /** Ids of messages this client sent: never delivered back to it as news. */
  private final Set<String> sentHere = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 4096;
    }
  });
  /** The keys the other devices write next in the self channel: a notification naming one reads it (§15.6). */
  private final Set<String> selfKeys = ConcurrentHashMap.newKeySet();
  /** Join requests announced by this client: group id and requester. */
  private final Set<String> announcedJoins = ConcurrentHashMap.newKeySet();
  private final Set<Following> following = ConcurrentHashMap.newKeySet();
  /** A channel followed for the first time shows at most its newest posts. */
  private static final int NEWEST_POSTS = 20;

  public LedgerReceiver(LedgerChatClient client, ConversationEngine engine, PassCache reads, KvStore store,
      LocalState state, Contacts contacts, ChannelFollows follows, Channels channels) {
    this.client = client;
    this.engine = engine;
    this.reads = reads;
    this.store = store;
    this.state = state;
    this.contacts = contacts;
    this.follows = follows;
    this.channels = channels;
  }

  @Override
  public Summary receive(Scope scope, Listener listener) throws KvException, LocalStateException {
    client.ensureOpen();
    return pass(scope, Changed.unknown(), listener, new Shown());
  }

  /** Notes a message this client just sent. */
  public void sent(String messageId) {
    synchronized (sentHere) {
      sentHere.add(messageId);
    }
  }

  /** What a run of passes has already said, so a following does not repeat a warning every pass. */
  static final class Shown {
    final Set<String> warnings = ConcurrentHashMap.newKeySet();
  }

  Summary pass(Scope scope, Changed changed, Listener listener, Shown shown) throws KvException, LocalStateException {
    passes.lock();
    try {
      reads.begin(Map.of());
      try {
        return new Pass(scope, changed, listener, shown).run();
      } finally {
        reads.end();
      }
    } finally {
      passes.unlock();
    }
  }

  /** One pass: its scope, what changed, and the counts for its summary. */
  private final class Pass {
    final Scope scope;
    final Changed changed;
    final Listener listener;
    final Shown shown;
    final Set<String> queued;
    /** A view of one chat also shows own messages sent from elsewhere: it reads the own feed too. */
    final boolean own;
    int messages;
    boolean security;
    int stillQueued;
    final long readsBefore;
    /** Who sent invitations that wait for their member lists: their chats are read even when quiet. */
    java.util.Set<PublicCard> waiting = java.util.Set.of();
    /** The conversations this pass delivered messages of: their read positions go to the other devices (§15.6). */
    final List<Conversation> delivered = new ArrayList<>();

    Pass(Scope scope, Changed changed, Listener listener, Shown shown) throws LocalStateException {
      this.scope = scope;
      this.changed = changed;
      this.listener = listener;
      this.shown = shown;
      this.queued = state.queuedConversations();
      this.own = scope.chat().isPresent();
      this.readsBefore = reads.keysRead();
    }

    Summary run() throws KvException, LocalStateException {
      if (changed.keys().isEmpty() || changed.keys().get().stream().anyMatch(selfKeys::contains)) {
        fromOtherDevices(); // first: a friend another device added is read in this very pass
      }
      List<PublicCard> cards = directChats();
      List<Group> groups = groupChats();
      devices(cards, groups);
      Map<String, KvRead> got = probe(cards, groups);
      waiting = cards.isEmpty() ? java.util.Set.of() : client.groupEngine().invitationsWaiting();
      firstKeysOfChanged(cards, groups, got);
      boolean joined = false;
      for (PublicCard card : cards) {
        joined |= direct(card, got);
      }
      if (joined) {
        groups = groupChats(); // invitations taken above: the groups joined are read in this pass too
        got.putAll(probe(List.of(), groups));
      }
      for (Group g : groups) {
        group(g, got);
      }
      if (scope.everythingElse() && changed.keys().isEmpty()) {
        channels();
        for (MessageRequest r : client.messageRequests().arrived(contacts.cards())) {
          listener.onEvent(new Event.MessageRequested(r));
        }
        for (PublicCard to : client.messageRequests().notPosted()) {
          listener.onEvent(new Event.RequestNotPosted(to));
        }
      }
      client.deviceEngine().tellRead(delivered);
      return new Summary(messages, security, stillQueued, (int) (reads.keysRead() - readsBefore));
    }

    /**
     * What this identity's other devices told in the self channel (protocol §15.6), in every full pass whatever
     * its scope (a view of one chat applies them too) and in every pass a notification naming one of its next
     * keys started; marked read once the listener returned for them.
     */
    void fromOtherDevices() throws KvException, LocalStateException {
      org.reschat.core.internal.device.LedgerDevices.Pending p = client.deviceEngine().pendingFromOtherDevices();
      for (Group g : p.joined()) {
        listener.onEvent(new Event.GroupJoined(ChatId.group(g.id()), g.name()));
      }
      for (org.reschat.core.Devices.SelfChange c : p.changes()) {
        listener.onEvent(new Event.FromOtherDevice(c));
      }
      p.delivered();
      List<String> next = client.deviceEngine().selfChannelKeys(); // a notification naming one of these reads it
      selfKeys.retainAll(next);
      selfKeys.addAll(next);
    }

    /** Followed channels: new posts, or a rollback or rewrite reported (then nothing of it counts as read). */
    void channels() throws KvException, LocalStateException {
      for (Map.Entry<ChannelId, Channels.Copy> e : follows.followed().entrySet()) {
        Channels.Read r = channels.read(e.getKey(), e.getValue(), NEWEST_POSTS);
        for (String problem : r.problems()) {
          security = true;
          listener.onEvent(new Event.ChannelProblem(e.getKey(), problem));
        }
        if (r.problems().isEmpty()) {
          for (ChannelPost p : r.posts()) {
            listener.onEvent(new Event.ChannelPosted(e.getKey(), p));
          }
          follows.verified(e.getKey(), r.copy());
        }
      }
    }

    List<PublicCard> directChats() throws LocalStateException {
      if (scope.everythingElse()) {
        return contacts.cards();
      }
      ChatId only = scope.chat().orElseThrow();
      return only instanceof ChatId.Direct ? List.of(((ChatId.Direct) only).card()) : List.of();
    }

    List<Group> groupChats() throws LocalStateException {
      List<Group> out = new ArrayList<>();
      for (Group g : client.activeGroups()) {
        if (scope.covers(ChatId.group(g.id()))) {
          out.add(g);
        }
      }
      return out;
    }

    /** The next keys of every chat this pass reads, in one batch. */
    Map<String, KvRead> probe(List<PublicCard> cards, List<Group> groups) throws KvException, LocalStateException {
      List<String> keys = new ArrayList<>();
      for (PublicCard card : cards) {
        if (touched(ChatId.direct(card))) {
          for (Conversation c : engine.liveConversationsWith(card)) { // every epoch not retired (protocol §3.1)
            keys.addAll(keysOf(ChatId.direct(card), c));
          }
        }
      }
      for (Group g : groups) {
        if (touched(ChatId.group(g.id()))) {
          for (Conversation c : conversations(g)) {
            keys.addAll(keysOf(ChatId.group(g.id()), c));
          }
        }
      }
      return new LinkedHashMap<>(reads.prefetch(keys));
    }

    /**
     * Reads in one batch what the receives of the chats whose keys changed read first ({@link
     * ConversationEngine#firstKeys}): they run one after the other below, and each asked the store on its own, one
     * round trip a changed chat (issue 24). Each receive takes what this batch read as the pass's read of the key and
     * verifies it as its own read; what it reads on top it asks for itself.
     */
    void firstKeysOfChanged(List<PublicCard> cards, List<Group> groups, Map<String, KvRead> got)
        throws KvException, LocalStateException {
      List<String> keys = new ArrayList<>();
      for (PublicCard card : cards) {
        if (touched(ChatId.direct(card))) {
          firstKeysIfChanged(engine.liveConversationsWith(card), got, keys);
        }
      }
      for (Group g : groups) {
        if (touched(ChatId.group(g.id()))) {
          firstKeysIfChanged(conversations(g), got, keys);
        }
      }
      if (!keys.isEmpty()) {
        reads.prefetch(keys);
      }
    }

    /** Adds to {@code keys} the first keys of the conversations of one chat, when any of them is not {@link #quiet}. */
    private void firstKeysIfChanged(List<Conversation> chat, Map<String, KvRead> got, List<String> keys)
        throws LocalStateException {
      boolean quiet = true;
      for (Conversation c : chat) {
        quiet &= quiet(c, got);
      }
      if (!quiet) {
        for (Conversation c : chat) {
          keys.addAll(engine.firstKeys(c));
        }
      }
    }

    /**
     * Reads the device lists that are due of everyone this pass reads (protocol §15.2: at most every 10 minutes
     * each), so a device linked since shows as a feed of its member's chats in the batch below. A list found
     * wrong keeps its chats from passing as quiet, so the warning is reported with them.
     */
    void devices(List<PublicCard> cards, List<Group> groups) throws KvException, LocalStateException {
      if (changed.keys().isPresent()) {
        return; // a notification naming keys: only those chats, as they are
      }
      java.util.Set<PublicCard> people = new java.util.LinkedHashSet<>(cards);
      people.add(client.card());
      for (Group g : groups) {
        people.addAll(g.members());
      }
      engine.devices().refresh(people, false);
    }

    /** Whether this pass looks at {@code chat}: every chat, unless a notification named the keys that changed. */
    boolean touched(ChatId chat) {
      Optional<Set<String>> keys = changed.keys();
      if (keys.isEmpty()) {
        return true;
      }
      for (String k : keys.get()) {
        if (chat.equals(interest.get(k))) {
          return true;
        }
      }
      return false;
    }

    /** Conversations with their members' devices attached, once per pass each (protocol §15.3). */
    final Map<String, Conversation> attached = new java.util.HashMap<>();

    Conversation attached(Conversation c) throws LocalStateException {
      Conversation a = attached.get(c.id());
      if (a == null) {
        a = engine.withDevices(c);
        attached.put(c.id(), a);
      }
      return a;
    }

    /** The name under which {@code c}'s next keys are remembered: its feeds with it, so a new device's feed is read. */
    String memory(Conversation c) throws LocalStateException {
      StringBuilder out = new StringBuilder(own ? c.id() + "+own" : c.id());
      for (org.reschat.core.spi.FeedId f : attached(c).feeds()) {
        out.append('/').append(f.writer());
      }
      return out.toString();
    }

    List<String> keysOf(ChatId chat, Conversation plain) throws LocalStateException {
      Conversation c = attached(plain);
      if (own && c.isMember()) {
        ownShown.computeIfAbsent(c.id(), id -> {
          try {
            return engine.ownTail(c); // what the view showed when it opened
          } catch (LocalStateException e) {
            return LocalState.Position.START;
          }
        });
      }
      Map<String, KvRead> known = caughtUp.get(memory(c));
      List<String> keys = known != null ? List.copyOf(known.keySet()) : engine.nextKeys(c, own);
      for (String k : keys) {
        interest.put(k, chat);
      }
      return keys;
    }

    /** Whether nothing is new in {@code c}: what its keys hold now is what they held when this client was caught up. */
    boolean quiet(Conversation plain, Map<String, KvRead> got) throws LocalStateException {
      Conversation c = attached(plain);
      if (queued.contains(c.id()) || !engine.devices().standing(c.members()).isEmpty()) {
        return false;
      }
      Map<String, KvRead> known = caughtUp.get(memory(c));
      if (known != null) {
        for (Map.Entry<String, KvRead> e : known.entrySet()) {
          if (!e.getValue().equals(got.get(e.getKey()))) {
            return false;
          }
        }
        return true;
      }
      if (engine.caughtUp(c, got, own)) {
        remember(c);
        return true;
      }
      return false;
    }

    /** Notes what {@code c}'s next keys hold now that this client is caught up (when the pass saw them all). */
    void remember(Conversation plain) throws LocalStateException {
      Conversation c = attached(plain);
      Map<String, KvRead> now = new LinkedHashMap<>();
      for (String k : engine.nextKeys(c, own)) {
        Optional<KvRead> seen = reads.seen(k);
        if (seen.isEmpty()) {
          caughtUp.remove(memory(c)); // not read in this pass: the next pass reads and compares it
          return;
        }
        now.put(k, seen.get());
      }
      caughtUp.put(memory(c), now);
    }

    boolean direct(PublicCard card, Map<String, KvRead> got) throws KvException, LocalStateException {
      ChatId chat = ChatId.direct(card);
      if (!touched(chat)) {
        return false;
      }
      boolean quiet = true;
      List<Conversation> live = engine.liveConversationsWith(card);
      for (Conversation c : live) {
        quiet &= quiet(c, got);
      }
      if (quiet && !waiting.contains(card)) {
        engine.readLive(live); // a retired epoch's keys read quiet here: due again in 10 minutes (§3.1)
        return false; // an invitation waiting for its member list is tried again even when nothing is new
      }
      LedgerChatClient.DirectReceived d = client.receiveDirect(card);
      emit(chat, client.folded(chat, d.update())); // typed, relations checked: every front end gets them so
      for (Conversation c : d.conversations()) {
        ownFromElsewhere(chat, c);
      }
      for (Group g : d.joined()) {
        listener.onEvent(new Event.GroupJoined(ChatId.group(g.id()), g.name()));
        client.deviceEngine().tellGroup(g.id()); // the other devices hold it too (§15.6)
      }
      d.commit(state);
      if (!d.update().received().isEmpty()) {
        delivered.addAll(d.conversations());
      }
      for (Conversation c : d.conversations()) {
        if (d.update().pending() == 0) {
          remember(c);
        } else {
          caughtUp.remove(memory(c));
        }
      }
      return !d.joined().isEmpty();
    }

    void group(Group g, Map<String, KvRead> got) throws KvException, LocalStateException {
      ChatId.Group chat = ChatId.group(g.id());
      if (touched(chat)) {
        boolean quiet = true;
        for (Conversation c : conversations(g)) {
          quiet &= quiet(c, got);
        }
        // A PAIR_TAKEN the store kept from being written is owed to a member: the group's read writes it (§3.1).
        if (!quiet || !engine.pairs().owedAmong(g.current().members()).isEmpty()) {
          long startedBefore = client.groupEngine().epochsStartedHere();
          org.reschat.core.internal.group.GroupReceipt receipt = client.groupEngine().receive(g);
          Update u = client.folded(chat, receipt.update());
          emit(chat, u);
          for (Conversation c : conversations(client.groupEngine().find(g.id()).orElse(g))) {
            ownFromElsewhere(chat, c);
          }
          Group after = client.groupEngine().find(g.id()).orElse(g);
          if (client.groupEngine().epochsStartedHere() > startedBefore && after.status() == Group.Status.ACTIVE) {
            // A new epoch this device started (a leave handled): the other devices hold its keys too (§15.6). One
            // another member started, each device follows itself: telling it would write the whole state each time.
            client.deviceEngine().tellGroup(g.id());
          }
          if (after.status() == Group.Status.REMOVED) {
            listener.onEvent(new Event.RemovedFromGroup(chat, after.name(), after.removedBy().orElse(null)));
          }
          client.groupEngine().delivered(receipt); // only now: a listener that failed above leaves it to deliver again
          if (!u.received().isEmpty()) {
            delivered.addAll(conversations(after));
          }
          for (Conversation c : conversations(after)) {
            if (u.pending() == 0) {
              remember(c);
            } else {
              caughtUp.remove(memory(c));
            }
          }
          g = after;
        }
      }
      if (g.status() == Group.Status.ACTIVE && g.current().isAdmin(client.card()) && !g.activeLinks().isEmpty()
          && changed.keys().isEmpty()) {
        try {
          for (GroupLinks.JoinRequest r : client.groupEngine().links().requests(g)) {
            if (announcedJoins.add(g.id() + " " + r.card())) {
              listener.onEvent(new Event.JoinRequested(chat, g.name(), new org.reschat.core.Groups.JoinRequest(r.card(), r.name())));
            }
          }
        } catch (org.reschat.core.GroupException e) {
          // no longer an admin: nothing to announce
        }
      }
    }

    /** In a view of one chat: own messages that reached the store from another process or device. */
    void ownFromElsewhere(ChatId chat, Conversation c) throws LocalStateException {
      LocalState.Position from = own && c.isMember() ? ownShown.get(c.id()) : null;
      if (from == null) {
        return;
      }
      Update since = client.folded(chat, new Update(org.reschat.core.internal.conversation.ReadsRecord.shown(
          engine.ownSince(c, from)), 0, 0, Optional.empty(), List.of())); // its own notice is no message (§4.7)
      for (Message m : since.received()) {
        boolean mine;
        synchronized (sentHere) {
          mine = sentHere.contains(m.id());
        }
        if (!mine) {
          listener.onEvent(new Event.MessageReceived(chat, m));
          messages++;
        }
      }
      ownShown.put(c.id(), engine.ownTail(c));
    }

    List<Conversation> conversations(Group g) {
      return client.groupEngine().watched(g);
    }

    void emit(ChatId chat, Update u) {
      for (Message m : u.received()) {
        listener.onEvent(new Event.MessageReceived(chat, m));
        messages++;
      }
      for (FeedWarning w : u.warnings()) {
        security |= w.kind().isSecurityProblem();
        if (shown.warnings.add(chat + " " + w)) {
          listener.onEvent(new Event.Warning(chat, w));
        }
      }
      if (u.published() > 0) {
        listener.onEvent(new Event.Published(chat, u.published()));
      }
      if (u.pending() > 0) {
        stillQueued += u.pending();
        listener.onEvent(new Event.StillQueued(chat, u.pending(), u.problem().map(Problem::sentence).orElse("the store did not confirm them")));
      }
    }
  }

  @Override
  public Subscription follow(Scope scope, Duration interval, Duration whilePushing, Listener listener) {
    client.ensureOpen();
    Following f = new Following(this, store, scope, interval, whilePushing, listener);
    following.add(f);
    f.start();
    return f;
  }

  void stopped(Following f) {
    following.remove(f);
  }

  @Override
  public void close() {
    for (Following f : List.copyOf(following)) {
      f.close();
    }
  }
}
