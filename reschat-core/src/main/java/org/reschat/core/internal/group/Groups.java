package org.reschat.core.internal.group;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.ChatClient;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.GroupException;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;

/**
 * Group chat: a group is a sequence of epochs, each an N-member conversation of the same feeds and pages
 * as a 1:1 chat, under a secret of its own. One ciphertext per message for every member.
 *
 * <ul>
 *   <li><b>Create and invite.</b> The founder draws a nonce (the group id commits to it and the founder's
 *       card) and a first secret, writes the epoch's roster (every member's card) once to the ledger
 *       ({@link Roster}), and sends each member a {@code GROUP_INVITE} in their 1:1 conversation: the
 *       secrets of the epochs it may read, the hashes of their rosters, and the inviter's signed statement of
 *       the epoch ({@link Invitations}). Creating a group of N writes O(N) bytes.</li>
 *   <li><b>Membership changes start a new epoch</b> ({@code GROUP_ROTATE}, in the actor's feed of the old
 *       epoch), its secret wrapped to each continuing member; the rules are {@link MembershipRules}'.</li>
 *   <li><b>Concurrent changes</b> merge the same way for everyone ({@link EpochGraph}).</li>
 * </ul>
 *
 * The ops' wire format is {@link GroupOp}; reading and following a group is {@link GroupSync}; what this
 * member writes is {@link OpWriter}; state is kept sealed by {@link GroupStore}. Joining by link is {@link GroupLinks}.
 */
public final class Groups {
  public static final String INVITE = "GROUP_INVITE";
  public static final String ROTATE = "GROUP_ROTATE";
  public static final String LEAVE = "GROUP_LEAVE";
  public static final String ENTRUST = "GROUP_ENTRUST";
  public static final String CONFIRM = "GROUP_CONFIRM";
  public static final String LINK = "GROUP_LINK";
  /** Most members of a group: one limit, that of a conversation (a page's heads name at most this many). */
  public static final int MAX_MEMBERS = MembershipRules.MAX_MEMBERS;
  static final int MAX_NAME_CHARS = 64;

  private final Identity me;
  private final ConversationClient client;
  private final GroupStore store;
  private final LocalState state;
  private final OpWriter writer;
  private final GroupSync sync;
  private final Invitations invitations;
  private final GroupLinks links;
  private final LinkSharing sharing;
  private final EpochConversations conversations;
  private final SecureRandom random = new SecureRandom();

  public Groups(Identity me, ConversationClient client, LocalState state, org.reschat.kv.KvStore store,
      org.reschat.core.internal.requests.MessageRequests requests,
      org.reschat.core.internal.conversation.PairTaking pairs) {
    this.me = me;
    this.client = client;
    this.state = state;
    this.store = new GroupStore(me, state);
    this.conversations = new EpochConversations(me);
    this.invitations = new Invitations(me, client, this.store, requests, store);
    this.writer = new OpWriter(me, client, this.store, invitations::publish);
    this.sharing = new LinkSharing(me, this.store, writer);
    this.sync = new GroupSync(me, client, this.store, writer, pairs, sharing, conversations, // §3.1: pair keys carried in groups
        new GroupReads(me, client, state, conversations));
    this.links = new GroupLinks(this, me, store, sharing);
  }

  /**
   * The conversations an {@link #update} of {@code g} reads: its current epoch and those it follows (where
   * ops may still arrive). What a receiver asks the store about first.
   */
  public List<org.reschat.core.internal.conversation.Conversation> watched(Group g) {
    return EpochGraph.watched(g).stream().map(conversations::of).toList();
  }

  /** Joining by link: links, requests, approval. */
  public GroupLinks links() {
    return links;
  }

  public List<Group> list() throws LocalStateException {
    return store.list();
  }

  public Optional<Group> find(String id) throws LocalStateException {
    return store.find(id);
  }

  // --- create and invite --------------------------------------------------------------------------------

  /** Creates a group of this member (its founder and first admin) and {@code members}, and invites each of them. */
  public Group create(String name, List<PublicCard> members) throws GroupException, LocalStateException,
      KvException, InvalidMessageException {
    if (name.isBlank() || name.length() > MAX_NAME_CHARS) {
      throw new GroupException(GroupException.Reason.MALFORMED, "A group name is 1 to 64 characters.");
    }
    List<PublicCard> all = new ArrayList<>();
    all.add(me.card());
    members.stream().filter(m -> !all.contains(m)).forEach(all::add);
    requireRoom(all.size());
    Founder founder = Founder.draw(me.card(), random);
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    Epoch first = new Epoch(Epoch.idOf(secret), secret, all, List.of(me.card()), List.of(), Map.of());
    Group g = new Group(founder.groupId(), name.strip(), List.of(first), Group.Status.ACTIVE, Optional.empty(),
        List.of(), new GroupTrust(Optional.of(founder), Optional.empty(), Optional.of(List.of())));
    invitations.publish(g.id(), first); // first: a store that cannot take it leaves nothing made
    store.save(g);
    for (PublicCard m : all.subList(1, all.size())) {
      invitations.send(g, m, false, "created the group \"" + g.name() + "\" with you in it");
    }
    return g;
  }

  /** What taking a friend's invitations did: the groups joined or changed, and what to warn about. */
  public record Invited(List<Group> changed, List<FeedWarning> warnings) {
    public Invited {
      changed = List.copyOf(changed);
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Takes the invitations among messages a friend sent in your 1:1 conversation, each judged by its proof
   * ({@link Invitations#take}). Returns the groups joined or changed; {@link #takeInvites} also says what
   * was refused or conflicts.
   */
  public List<Group> acceptInvites(PublicCard from, List<Message> messages) throws LocalStateException {
    return takeInvites(from, messages).changed();
  }

  /**
   * Whether invitations {@code from} sent wait for the member lists they name to reach the ledger: a receiver
   * then reads that chat even when nothing new is in it, and {@link #takeInvites} tries them again.
   */
  public boolean invitationsWaiting(PublicCard from) throws LocalStateException {
    return invitations.waiting(from);
  }

  /** Everyone whose invitations wait for their member lists (one read of the local state, for a receive pass). */
  public java.util.Set<PublicCard> invitationsWaiting() throws LocalStateException {
    return invitations.waitingFrom();
  }

  /** {@link #acceptInvites}, with the warnings: invitations refused, and those that conflict with a group held. */
  public Invited takeInvites(PublicCard from, List<Message> messages) throws LocalStateException {
    return invitations.take(from, messages);
  }

  // --- messages -------------------------------------------------------------------------------------------

  /** Sends text to the group's current epoch: one ciphertext for every member. */
  public SendResult send(Group g, String text) throws GroupException, InvalidMessageException, LocalStateException,
      KvException {
    Group now = requireWritable(g.id());
    ChatClient.checkText(text); // the same rules as a 1:1 text (a lone surrogate is refused, not sent as '?')
    return client.send(conversations.of(now.current()), Message.TEXT, new byte[0],
        text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a message of any type (a file's offer, say) to the group's current epoch. */
  public SendResult send(Group g, String type, byte[] extension, byte[] body) throws GroupException,
      InvalidMessageException, LocalStateException, KvException {
    if (type.startsWith("GROUP_")) {
      throw new InvalidMessageException("Group operations are not sent as messages.");
    }
    return client.send(conversations.of(requireWritable(g.id()).current()), type, extension, body);
  }

  /** {@link ConversationClient#copyVerifiedPages} for every epoch of the group this member holds. */
  public int copyVerifiedPages(Group g) throws LocalStateException, KvException {
    int written = 0;
    for (Epoch e : find(g.id()).orElse(g).epochs()) {
      written += client.copyVerifiedPages(conversations.of(e));
    }
    return written;
  }

  /** This member's messages to the group still queued in the outbox. */
  public int pending(Group g) throws LocalStateException {
    Group now = find(g.id()).orElse(g);
    return now.status() == Group.Status.ACTIVE && now.current().isMember(me.card())
        ? client.pending(conversations.of(now.current())) : 0;
  }

  /**
   * Tests and {@code bench}: whether this device writes its notice of reading records in groups (off: as a client
   * without them, so its groups stay on pages).
   */
  public void showsRecords(boolean on) {
    sync.reads().announces(on);
  }

  /** The group's history over every epoch this member holds, merged by time; applies the ops it finds. */
  public History history(Group g, HistoryRequest request) throws LocalStateException, KvException {
    return sync.history(g, request);
  }

  /**
   * How many epochs this client started since it was opened (an add, a removal, an admin changed, a join approved,
   * a leave handled): the other devices of this identity learn those from it (§15.6); the epochs other members
   * start, each device follows itself.
   */
  public long epochsStartedHere() {
    return writer.epochsStarted();
  }

  /** What is new in the group: reads the epochs ops may arrive in, applies ops, follows new epochs. */
  public Update update(Group g) throws LocalStateException, KvException {
    return sync.update(g, state);
  }

  /**
   * What is new in {@code g}, with its ops applied but its messages not yet marked delivered: the receiver
   * marks them ({@link #delivered}) after its listener has them.
   */
  public GroupReceipt receive(Group g) throws LocalStateException, KvException {
    return sync.receive(g);
  }

  /** Marks what {@link #receive} returned delivered. */
  public void delivered(GroupReceipt r) throws LocalStateException {
    for (org.reschat.core.internal.conversation.Received m : r.marks()) {
      m.commit(state);
    }
  }

  // --- membership -------------------------------------------------------------------------------------------

  /** Adds a friend: a new epoch for everyone, and an invitation to it (to all epochs with {@code shareHistory}). */
  public Group add(Group g, PublicCard newcomer, boolean shareHistory) throws GroupException, LocalStateException,
      KvException, InvalidMessageException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = requireWritable(g.id());
      if (now.current().isMember(newcomer)) {
        throw new GroupException(GroupException.Reason.ALREADY_A_MEMBER, "They are already a member of \"" + now.name()
            + "\".");
      }
      requireRoom(now.members().size() + 1);
      List<PublicCard> members = new ArrayList<>(now.members());
      members.add(newcomer);
      publishHistory(now, shareHistory);
      Group rotated = writer.rotate(now, members, Map.of(), "added " + shortName(newcomer));
      invitations.send(rotated, newcomer, shareHistory, "added you to the group \"" + rotated.name() + "\"");
      return rotated;
    }
  }

  /** Removes a member (admins only): a new epoch without them; their old feed is read up to now, no further. */
  public Group remove(Group g, PublicCard member) throws GroupException, LocalStateException, KvException,
      InvalidMessageException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = requireAdmin(g.id(), "remove members");
      if (!now.current().isMember(member) || member.equals(me.card())) {
        throw new GroupException(GroupException.Reason.NOT_A_MEMBER, "They are not another member of \""
            + now.name() + "\".");
      }
      List<PublicCard> members = new ArrayList<>(now.members());
      members.remove(member);
      return sharing.share(writer.rotate(now, members, Map.of(member, writer.positionOf(now.current(), member)),
          "removed " + shortName(member))); // the links they held are revoked
    }
  }

  /**
   * Makes a member an admin, or no longer one (admins only): a new epoch whose admin list says so, and for a
   * new admin the credential that lets their invitations prove themselves. A group keeps at least one admin.
   */
  public Group setAdmin(Group g, PublicCard member, boolean admin) throws GroupException, LocalStateException,
      KvException, InvalidMessageException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = requireAdmin(g.id(), "do that");
      if (!now.current().isMember(member)) {
        throw new GroupException(GroupException.Reason.NOT_A_MEMBER, "They are not a member of \"" + now.name() + "\".");
      }
      List<PublicCard> admins = new ArrayList<>(now.current().effectiveAdmins());
      if (admins.contains(member) == admin) {
        throw new GroupException(GroupException.Reason.NOT_ALLOWED, "They are " + (admin ? "already" : "not")
            + " an admin of \"" + now.name() + "\".");
      }
      if (admin) {
        admins.add(member);
      } else {
        admins.remove(member);
      }
      if (admins.isEmpty()) {
        throw new GroupException(GroupException.Reason.NOT_ALLOWED, "\"" + now.name() + "\" needs an admin: make"
            + " another member one first.");
      }
      // A new admin is sealed the open links; one no longer an admin has the links they held revoked.
      return sharing.share(writer.rotate(now, now.members(), Map.of(), (admin ? "made " : "unmade ")
          + shortName(member) + " an admin", admins, admin ? Optional.of(member) : Optional.empty()));
    }
  }

  /**
   * After a revocation (protocol §3.1, §15.7): a new epoch, keeping every member and the admins, of each active
   * group {@code friend} is in, once every other member of it {@code rekeyed} (took a pair epoch with this person
   * newer than the revocation, in their direct chat or, for a member who is no friend, in a group, so each wrap is
   * sealed under a secret the revoked device cannot derive: one wrap under an old pair secret would hand it the
   * epoch). Any member may start a new key (§9). Returns the groups rotated.
   */
  public List<Group> rekeyFor(PublicCard friend, java.util.function.Predicate<PublicCard> rekeyed)
      throws LocalStateException, KvException {
    List<Group> out = new ArrayList<>();
    for (Group listed : list()) {
      try (LocalState.Lock lock = lockGroup(listed.id())) {
        Group g = find(listed.id()).orElse(listed);
        Epoch e = g.current();
        if (g.status() != Group.Status.ACTIVE || !g.confirmed() || !e.isMember(me.card()) || !e.isMember(friend)
            || !e.members().stream().filter(m -> !m.equals(me.card())).allMatch(rekeyed)) {
          continue;
        }
        out.add(writer.rotate(g, g.members(), Map.of(), "started a new key (a device was revoked)",
            e.effectiveAdmins(), Optional.empty()));
      } catch (InvalidMessageException ex) {
        throw new IllegalStateException("A new key of a group is always a valid message", ex);
      }
    }
    return out;
  }

  /** Leaves the group: says so in the group; the first admin's client then starts an epoch without you. */
  public Group leave(Group g) throws GroupException, LocalStateException, KvException, InvalidMessageException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = requireActive(g.id());
      if (now.current().effectiveAdmins().equals(List.of(me.card()))
          && !now.current().effectiveAdminsWithout(me.card()).isEmpty()) {
        requireIdentityKey("leave \"" + now.name() + "\", where you are the last admin (leaving appoints the next one)");
      }
      writer.leave(now);
      Group left = now.withStatus(Group.Status.LEFT, null);
      store.save(left);
      return left;
    }
  }

  /**
   * A group's state as another device of this identity holds it ({@code SELF_GROUP}, protocol §15.6), sealed
   * as every device keeps it: taken when this device does not hold the group (joined, created or a join
   * completed there) or holds it left or removed while the other is in it again; marked left when the other
   * left it; taken too when it holds every epoch this one does and more (a rotation made there: add, remove,
   * admin, a leave handled; the rotating device invites nobody of its own identity). Otherwise this device
   * follows the group itself (its own epochs stay). Returns the group when it
   * is new here or active again, to be shown as joined.
   */
  public Optional<Group> fromOtherDevice(String id, String sealed) throws LocalStateException {
    Group there;
    try {
      there = store.open(id, sealed);
    } catch (LocalStateException notOurs) {
      return Optional.empty(); // damaged, or not this identity's: nothing changes
    }
    if (!there.id().equals(id)) {
      return Optional.empty();
    }
    try (LocalState.Lock lock = lockGroup(id)) {
      Optional<Group> here = find(id);
      if (here.isEmpty() || here.get().status() != Group.Status.ACTIVE && there.status() == Group.Status.ACTIVE) {
        store.save(there);
        return there.status() == Group.Status.ACTIVE ? Optional.of(there) : Optional.empty();
      }
      if (here.get().status() == Group.Status.ACTIVE && there.status() == Group.Status.LEFT) {
        store.save(here.get().withStatus(Group.Status.LEFT, null));
        return Optional.empty();
      }
      java.util.Set<String> mine = new java.util.HashSet<>();
      here.get().epochs().forEach(e -> mine.add(e.id()));
      java.util.Set<String> theirs = new java.util.HashSet<>();
      there.epochs().forEach(e -> theirs.add(e.id()));
      if (here.get().status() == Group.Status.ACTIVE && there.status() == Group.Status.ACTIVE
          && theirs.containsAll(mine) && !mine.containsAll(theirs)) {
        store.save(there); // a rotation the other device made (it does not invite itself): its epochs and keys
      }
      return Optional.empty();
    }
  }

  /**
   * Fails on a linked device (protocol §15.1): what needs the identity's signing key (an epoch's certificate,
   * an admin's appointment, a join request's signature) only device 0 can do.
   */
  public void requireIdentityKey(String what) throws GroupException {
    if (!me.holdsIdentityKey()) {
      throw new GroupException(GroupException.Reason.NOT_ALLOWED, "Only your first device (device 0, which holds your"
          + " identity's signing key) can " + what + "; do it there, and this device follows.");
    }
  }

  // --- for GroupLinks -------------------------------------------------------------------------------------

  LocalState.Lock lockGroup(String id) throws LocalStateException {
    return store.lock(id);
  }

  void save(Group g) throws LocalStateException {
    store.save(g);
  }

  Group rotate(Group g, List<PublicCard> members, Map<PublicCard, Epoch.Cut> removed, String summary)
      throws LocalStateException, KvException, InvalidMessageException {
    return writer.rotate(g, members, removed, summary);
  }

  /**
   * Writes the rosters of the epochs an invitation with {@code shareHistory} hands over besides the new one
   * (which the rotation writes), before anything changes: a store that cannot take them leaves the group as
   * it was, not changed with the newcomer's invitation unsendable.
   */
  void publishHistory(Group g, boolean shareHistory) throws KvException {
    if (shareHistory) {
      for (Epoch e : g.epochs()) {
        invitations.publish(g.id(), e);
      }
    }
  }

  Invitations invitations() {
    return invitations;
  }

  static void requireRoom(int members) throws GroupException {
    if (members > MAX_MEMBERS) {
      throw new GroupException(GroupException.Reason.NOT_ALLOWED, "A group has at most " + MAX_MEMBERS + " members.");
    }
  }

  Group requireActive(String id) throws GroupException, LocalStateException {
    Group now = find(id).orElseThrow(() -> new GroupException(GroupException.Reason.NOT_A_MEMBER,
        "You are not in that group."));
    if (now.status() == Group.Status.REMOVED) {
      throw new GroupException(GroupException.Reason.REMOVED, "You were removed from \"" + now.name() + "\" by "
          + now.removedBy().map(Groups::shortName).orElse("an admin") + ".");
    }
    if (now.status() == Group.Status.LEFT) {
      throw new GroupException(GroupException.Reason.LEFT, "You left \"" + now.name() + "\".");
    }
    return now;
  }

  /**
   * The group, if this member may write to it: active, and confirmed. A key handed over by a member who is
   * not an admin may be that member's alone (protocol.md §9): nothing is written under it until an admin
   * has vouched for it in the group.
   */
  Group requireWritable(String id) throws GroupException, LocalStateException {
    Group now = requireActive(id);
    if (!now.confirmed()) {
      String by = shortName(now.unconfirmedFrom().orElseThrow());
      throw new GroupException(GroupException.Reason.NOT_ALLOWED, by + " added you to \"" + now.name() + "\", but no"
          + " admin of it has vouched for that yet: until one does, what you write could reach " + by + " alone. An"
          + " admin's client vouches when it next reads the group.");
    }
    return now;
  }

  Group requireAdmin(String id) throws GroupException, LocalStateException {
    return requireAdmin(id, "do that");
  }

  private Group requireAdmin(String id, String what) throws GroupException, LocalStateException {
    Group now = requireWritable(id);
    if (!now.current().isAdmin(me.card())) {
      throw new GroupException(GroupException.Reason.NOT_ALLOWED, "Only an admin of \"" + now.name() + "\" can "
          + what + ".");
    }
    return now;
  }

  /**
   * A wrap {@code from} a member sealed under the secret of the pair (them, this member): under the epoch of the
   * direct chat they write in (protocol §3.1), so every epoch held is tried, newest first.
   */
  static byte[] unwrap(org.reschat.core.internal.conversation.ConversationClient client, PublicCard from, byte[] wrap,
      byte[] aad) throws org.reschat.core.internal.crypto.OneTimeKeyAead.OpenFailedException, LocalStateException {
    List<org.reschat.core.internal.conversation.Conversation> pairs = client.conversationsWith(from);
    org.reschat.core.internal.crypto.OneTimeKeyAead.OpenFailedException last = null;
    for (int i = pairs.size() - 1; i >= 0; i--) {
      try {
        return pairs.get(i).secretWraps().decrypt(wrap, aad);
      } catch (org.reschat.core.internal.crypto.OneTimeKeyAead.OpenFailedException e) {
        last = e;
      }
    }
    throw last;
  }

  static byte[] wrapAad(String groupId, String epochId) {
    return ("reschat/v2 epoch wrap\0" + groupId + "\0" + epochId).getBytes(StandardCharsets.UTF_8);
  }

  /** A member as the group shows someone who may not be your friend: the start of their fingerprint. */
  public static String shortName(PublicCard card) {
    return card.fingerprintText().substring(0, 9);
  }
}
