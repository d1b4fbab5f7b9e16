package org.reschat.core.group;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.ConversationClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.GroupException;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.OneTimeKeyAead;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.json.StrictJson;
import org.reschat.core.page.PageLimits;
import org.reschat.core.state.LocalState;
import org.reschat.kv.KvException;

/**
 * Group chat: a group is a sequence of epochs, each an N-member conversation of the same feeds and pages
 * as a 1:1 chat, under a secret of its own. One ciphertext per message for every member.
 *
 * <ul>
 *   <li><b>Create and invite.</b> The creator draws a group id and a first secret and sends each member a
 *       {@code GROUP_INVITE} in their 1:1 conversation, carrying the epochs it may read and every member's
 *       card (members need not be friends with each other).</li>
 *   <li><b>Membership changes start a new epoch</b> ({@code GROUP_ROTATE}, written in the actor's feed of
 *       the old epoch): the new secret is wrapped to each continuing member under the secret of the pair
 *       (actor, member), so a removed member gets nothing; its feed in the old epoch is read up to where
 *       the remover saw it and no further. Admins remove and name admins; any member adds; anyone leaves
 *       ({@code GROUP_LEAVE}: the first admin's client then rotates them out).</li>
 *   <li>Every op is checked against the actor's role in the epoch it was written in.</li>
 *   <li><b>Concurrent changes</b> (sibling epochs) merge the same way for everyone, with no winner to
 *       pick; the merge's first admin entrusts it ({@code GROUP_ENTRUST}) to members who cannot derive it.</li>
 * </ul>
 *
 * Group state is kept sealed under a key only this identity derives. Joining by link is {@link GroupLinks}.
 */
public final class Groups {
  public static final String INVITE = "GROUP_INVITE";
  public static final String ROTATE = "GROUP_ROTATE";
  public static final String LEAVE = "GROUP_LEAVE";
  public static final String ENTRUST = "GROUP_ENTRUST";
  private static final byte[] MERGE_SALT = "reschat/v2 merge".getBytes(StandardCharsets.UTF_8);
  private static final byte[] STATE_LABEL = "reschat/v2 group state".getBytes(StandardCharsets.UTF_8);

  private final Identity me;
  private final ConversationClient client;
  private final LocalState state;
  private final SecureRandom random = new SecureRandom();
  private final org.reschat.core.identity.SelfSealer sealer;

  private final org.reschat.kv.KvStore store;
  private final GroupLinks links;
  private final org.reschat.core.requests.MessageRequests requests;

  public Groups(Identity me, ConversationClient client, LocalState state, org.reschat.kv.KvStore store,
      org.reschat.core.requests.MessageRequests requests) {
    this.me = me;
    this.client = client;
    this.state = state;
    this.store = store;
    this.sealer = org.reschat.core.identity.SelfSealer.of(me, STATE_LABEL);
    this.links = new GroupLinks(this, me, store);
    this.requests = requests;
  }

  /** Joining by link: links, requests, approval. */
  public GroupLinks links() {
    return links;
  }

  // --- local state --------------------------------------------------------------------------------------

  public List<Group> list() throws LocalStateException {
    List<Group> out = new ArrayList<>();
    for (String id : state.groupIds()) {
      find(id).ifPresent(out::add);
    }
    out.sort(Comparator.comparing(Group::name));
    return out;
  }

  public Optional<Group> find(String id) throws LocalStateException {
    Optional<String> sealed = state.group(id);
    if (sealed.isEmpty()) {
      return Optional.empty();
    }
    try {
      byte[] json = sealer.decrypt(Base64Url.decode(sealed.get()).orElseThrow(() ->
          new OneTimeKeyAead.OpenFailedException("not base64url")), id.getBytes(StandardCharsets.UTF_8));
      return Optional.of(GroupCodec.parse(new String(json, StandardCharsets.UTF_8)));
    } catch (OneTimeKeyAead.OpenFailedException | GroupException e) {
      throw new LocalStateException("The local state of group " + id + " is damaged or not this identity's ("
          + e.getMessage() + "); restore the profile from a backup.", e);
    }
  }

  /**
   * Serialises changes to one group's state across threads and processes (a {@code receive --follow} and a
   * {@code group remove} in two terminals): every read-modify-write of it happens under this lock, taken
   * before any conversation's lock.
   */
  LocalState.Lock lockGroup(String id) throws LocalStateException {
    return state.lock("group-" + id);
  }

  void save(Group g) throws LocalStateException {
    byte[] sealed = sealer.encrypt(GroupCodec.toJson(g).getBytes(StandardCharsets.UTF_8),
        g.id().getBytes(StandardCharsets.UTF_8));
    state.saveGroup(g.id(), Base64Url.encode(sealed));
  }

  // --- create and invite --------------------------------------------------------------------------------

  /** Creates a group of this member (its first admin) and {@code members}, and invites each of them. */
  public Group create(String name, List<PublicCard> members) throws GroupException, LocalStateException,
      KvException, InvalidMessageException {
    if (name.isBlank() || name.length() > 64) {
      throw new GroupException(GroupException.Reason.MALFORMED, "A group name is 1 to 64 characters.");
    }
    List<PublicCard> all = new ArrayList<>();
    all.add(me.card());
    for (PublicCard m : members) {
      if (!all.contains(m)) {
        all.add(m);
      }
    }
    if (all.size() > PageLimits.MAX_MEMBERS) {
      throw new GroupException(GroupException.Reason.NOT_ALLOWED, "A group has at most " + PageLimits.MAX_MEMBERS
          + " members.");
    }
    byte[] id = new byte[16];
    random.nextBytes(id);
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    Epoch first = new Epoch(Epoch.idOf(secret), secret, all, List.of(me.card()), "", Map.of());
    Group g = new Group(Base64Url.encode(id), name.strip(), List.of(first), Group.Status.ACTIVE, Optional.empty(),
        List.of());
    save(g);
    for (PublicCard m : all.subList(1, all.size())) {
      invite(g, m, false, "created the group \"" + g.name() + "\" with you in it");
    }
    return g;
  }

  private void invite(Group g, PublicCard to, boolean allEpochs, String summary)
      throws LocalStateException, KvException, InvalidMessageException {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("id", g.id());
    o.addProperty("name", g.name());
    JsonArray epochs = new JsonArray();
    for (Epoch e : allEpochs ? g.epochs() : List.of(g.current())) {
      epochs.add(GroupCodec.epoch(e));
    }
    o.add("epochs", epochs);
    client.send(client.conversationWith(to), INVITE, summary.getBytes(StandardCharsets.UTF_8),
        o.toString().getBytes(StandardCharsets.UTF_8));
    requests.introduce(to); // an invitee who does not have this card yet sees the invitation as a request
  }

  /**
   * Takes the invitations among messages a friend sent in your 1:1 conversation: a group is joined, or its
   * new epochs added to a group you were removed from or left, when the sender is a member of the epochs it
   * hands over and you are too; a group you are in changes only through its ops. Returns the groups joined
   * or changed.
   */
  public List<Group> acceptInvites(PublicCard from, List<Message> messages) throws LocalStateException {
    List<Group> changed = new ArrayList<>();
    for (Message m : messages) {
      if (!m.type().equals(INVITE) || m.direction() != Message.Direction.RECEIVED) {
        continue;
      }
      Group offered;
      try {
        offered = GroupCodec.parse(new String(m.body(), StandardCharsets.UTF_8));
      } catch (GroupException e) {
        continue; // a malformed invitation is ignored: it can only come from a friend's broken client
      }
      Epoch newest = offered.current();
      if (!newest.isMember(from) || !newest.isMember(me.card())) {
        continue;
      }
      try (LocalState.Lock lock = lockGroup(offered.id())) {
        Optional<Group> known = find(offered.id());
        Group merged;
        if (known.isEmpty()) {
          merged = new Group(offered.id(), offered.name(), offered.epochs(), Group.Status.ACTIVE, Optional.empty(),
              List.of());
        } else if (known.get().status() == Group.Status.ACTIVE) {
          // A member follows the group through the ops of the epochs it reads, each checked against its
          // writer's role; an invitation's epochs are only the inviter's word (any friend, even one removed,
          // could hand over an epoch of their own, as its admin). Only a member no longer in it is re-invited.
          continue;
        } else {
          List<Epoch> epochs = new ArrayList<>(known.get().epochs());
          boolean added = false;
          for (Epoch e : offered.epochs()) {
            if (known.get().epoch(e.id()).isEmpty()) {
              epochs.add(e);
              added = true;
            }
          }
          if (!added) {
            continue; // a stale or repeated invitation changes nothing
          }
          merged = new Group(known.get().id(), known.get().name(), epochs, Group.Status.ACTIVE, Optional.empty(),
              known.get().links());
        }
        save(merged);
        changed.add(merged);
      }
    }
    return changed;
  }

  // --- messages -------------------------------------------------------------------------------------------

  /** Sends text to the group's current epoch: one ciphertext for every member. */
  public SendResult send(Group g, String text) throws GroupException, InvalidMessageException, LocalStateException,
      KvException {
    Group now = requireActive(g.id());
    if (text == null || text.isBlank()) {
      throw new InvalidMessageException("The message is empty; there is nothing to send.");
    }
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    if (body.length > PageLimits.MAX_MESSAGE_BYTES) {
      throw new InvalidMessageException("The message is " + body.length + " bytes; the limit is "
          + PageLimits.MAX_MESSAGE_BYTES + " bytes (16 KiB) of UTF-8 text.");
    }
    return client.send(Group.conversation(me, now.current()), Message.TEXT, new byte[0], body);
  }

  /** Sends a message of any type (a file's offer, say) to the group's current epoch. */
  public SendResult send(Group g, String type, byte[] extension, byte[] body) throws GroupException,
      InvalidMessageException, LocalStateException, KvException {
    if (type.startsWith("GROUP_")) {
      throw new InvalidMessageException("Group operations are not sent as messages.");
    }
    return client.send(Group.conversation(me, requireActive(g.id()).current()), type, extension, body);
  }

  /** {@link ConversationClient#copyVerifiedPages} for every epoch of the group this member holds. */
  public int copyVerifiedPages(Group g) throws LocalStateException, KvException {
    int written = 0;
    for (Epoch e : find(g.id()).orElse(g).epochs()) {
      written += client.copyVerifiedPages(Group.conversation(me, e));
    }
    return written;
  }

  /** This member's messages to the group still queued in the outbox. */
  public int pending(Group g) throws LocalStateException {
    Group now = find(g.id()).orElse(g);
    return now.status() == Group.Status.ACTIVE && now.current().isMember(me.card())
        ? client.pending(Group.conversation(me, now.current())) : 0;
  }

  /** The group's history over every epoch this member holds, merged by time; applies the ops it finds. */
  public History history(Group g, HistoryRequest request) throws LocalStateException, KvException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = find(g.id()).orElse(g);
      List<Message> all = new ArrayList<>();
      List<FeedWarning> warnings = new ArrayList<>();
      boolean hasOlder = false;
      int pages = 0;
      Optional<String> problem = Optional.empty();
      for (int i = 0; i < now.epochs().size(); i++) {
        Epoch e = now.epochs().get(i);
        History h = client.history(Group.conversation(me, e), request);
        List<Message> kept = withinCuts(e, h.messages());
        now = absorb(now, e, kept, warnings);
        all.addAll(withinCuts(now.epoch(e.id()).orElse(e), kept)); // an op just read may cut what follows it
        warnings.addAll(h.warnings());
        hasOlder |= h.hasOlder();
        pages += h.pagesLoaded();
        problem = problem.isPresent() ? problem : h.storeProblem();
      }
      all.sort(Comparator.comparing(Message::sentAt)); // stable: each epoch's own order is kept
      return new History(all, warnings, hasOlder, pages, problem);
    }
  }

  /** What is new in the group: reads the current epoch and the one before, applies ops, follows new epochs. */
  public Update update(Group g) throws LocalStateException, KvException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = find(g.id()).orElse(g);
      List<Message> received = new ArrayList<>();
      List<FeedWarning> warnings = new ArrayList<>();
      int published = 0;
      int pending = 0;
      Optional<String> problem = Optional.empty();
      java.util.Set<String> read = new java.util.HashSet<>();
      for (int round = 0; round < GroupCodec.MAX_EPOCHS; round++) {
        List<Epoch> toRead = new ArrayList<>();
        for (Epoch e : watched(now)) {
          if (!read.contains(e.id())) {
            toRead.add(e);
          }
        }
        if (toRead.isEmpty()) {
          break;
        }
        for (Epoch e : toRead) {
          read.add(e.id());
          Update u = client.update(Group.conversation(me, e));
          List<Message> kept = withinCuts(e, u.received());
          now = absorb(now, e, kept, warnings);
          received.addAll(withinCuts(now.epoch(e.id()).orElse(e), kept)); // an op just read may cut what follows it
          warnings.addAll(u.warnings());
          published += u.published();
          pending += u.pending();
          problem = problem.isPresent() ? problem : u.problem();
        }
      }
      received.sort(Comparator.comparing(Message::sentAt));
      return new Update(received, published, pending, problem, warnings);
    }
  }

  /** The current epoch and those it follows (one, or the branches it merged): where ops may still arrive. */
  public static List<Epoch> watched(Group g) {
    List<Epoch> out = new ArrayList<>();
    out.add(g.current());
    for (String parent : g.current().parent().split("\\+")) {
      g.epoch(parent).ifPresent(out::add);
    }
    return out;
  }

  private static List<Message> withinCuts(Epoch e, List<Message> messages) {
    List<Message> out = new ArrayList<>();
    for (Message m : messages) {
      Optional<Epoch.Cut> cut = e.cutOf(m.sender());
      if (cut.isEmpty() || cut.get().includes(m.page(), m.slot())) {
        out.add(m);
      }
    }
    return out;
  }

  // --- membership -------------------------------------------------------------------------------------------

  /** Adds a friend: a new epoch for everyone, and an invitation to it (to all epochs with {@code shareHistory}). */
  public Group add(Group g, PublicCard newcomer, boolean shareHistory) throws GroupException, LocalStateException,
      KvException, InvalidMessageException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = requireActive(g.id());
      if (now.current().isMember(newcomer)) {
        throw new GroupException(GroupException.Reason.ALREADY_A_MEMBER, "They are already a member of \"" + now.name()
            + "\".");
      }
      List<PublicCard> members = new ArrayList<>(now.members());
      members.add(newcomer);
      Group rotated = rotate(now, members, Map.of(), "added " + shortName(newcomer));
      invite(rotated, newcomer, shareHistory, "added you to the group \"" + rotated.name() + "\"");
      return rotated;
    }
  }

  /** Removes a member (admins only): a new epoch without them; their old feed is read up to now, no further. */
  public Group remove(Group g, PublicCard member) throws GroupException, LocalStateException, KvException,
      InvalidMessageException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = requireActive(g.id());
      if (!now.current().isAdmin(me.card())) {
        throw new GroupException(GroupException.Reason.NOT_ALLOWED, "Only an admin of \"" + now.name()
            + "\" can remove members.");
      }
      if (!now.current().isMember(member) || member.equals(me.card())) {
        throw new GroupException(GroupException.Reason.NOT_A_MEMBER, "They are not another member of \""
            + now.name() + "\".");
      }
      List<PublicCard> members = new ArrayList<>(now.members());
      members.remove(member);
      return rotate(now, members, Map.of(member, positionOf(now.current(), member)), "removed " + shortName(member));
    }
  }

  /**
   * Makes a member an admin, or no longer one (admins only): a new epoch whose admin list says so. A group
   * keeps at least one admin; an admin may step down while another remains.
   */
  public Group setAdmin(Group g, PublicCard member, boolean admin) throws GroupException, LocalStateException,
      KvException, InvalidMessageException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = requireAdmin(g.id());
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
      return rotate(now, now.members(), Map.of(), (admin ? "made " : "unmade ") + shortName(member) + " an admin",
          admins);
    }
  }

  /** Leaves the group: says so in the group; the first admin's client then starts an epoch without you. */
  public Group leave(Group g) throws GroupException, LocalStateException, KvException, InvalidMessageException {
    try (LocalState.Lock lock = lockGroup(g.id())) {
      Group now = requireActive(g.id());
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.addProperty("group", now.id());
      o.addProperty("epoch", now.current().id());
      client.send(Group.conversation(me, now.current()), LEAVE, "left the group".getBytes(StandardCharsets.UTF_8),
          o.toString().getBytes(StandardCharsets.UTF_8));
      Group left = now.withStatus(Group.Status.LEFT, null);
      save(left);
      return left;
    }
  }

  /** Where this member has seen {@code member}'s feed end in epoch {@code e}: what a cut keeps. */
  private Epoch.Cut positionOf(Epoch e, PublicCard member) throws LocalStateException, KvException {
    History h = client.history(Group.conversation(me, e), HistoryRequest.newest(1));
    Epoch.Cut cut = new Epoch.Cut(1, 0);
    for (Message m : h.messages()) {
      if (m.sender().equals(member)) {
        cut = new Epoch.Cut(m.page(), m.slot() + 1);
      }
    }
    return cut;
  }

  /** A new epoch of {@code members}; its admins are the current ones still members (see {@code applyRotation}). */
  Group rotate(Group g, List<PublicCard> members, Map<PublicCard, Epoch.Cut> removed, String summary)
      throws LocalStateException, KvException, InvalidMessageException {
    Epoch old = g.current();
    List<PublicCard> admins = new ArrayList<>();
    for (PublicCard a : old.effectiveAdminsWithout(removed.size() == 1 ? removed.keySet().iterator().next() : null)) {
      if (members.contains(a)) {
        admins.add(a);
      }
    }
    return rotate(g, members, removed, summary, admins);
  }

  private Group rotate(Group g, List<PublicCard> members, Map<PublicCard, Epoch.Cut> removed, String summary,
      List<PublicCard> admins) throws LocalStateException, KvException, InvalidMessageException {
    Epoch old = g.current();
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String newId = Epoch.idOf(secret);
    JsonObject op = new JsonObject();
    op.addProperty("v", 1);
    op.addProperty("group", g.id());
    op.addProperty("parent", old.id());
    op.addProperty("epoch", newId);
    JsonArray keep = new JsonArray();
    JsonArray add = new JsonArray();
    for (PublicCard m : members) {
      int at = old.members().indexOf(m);
      if (at >= 0) {
        keep.add(at);
      } else {
        add.add(m.toString());
      }
    }
    op.add("keep", keep);
    op.add("add", add);
    op.add("admins", GroupCodec.cards(admins));
    JsonObject cuts = new JsonObject();
    removed.forEach((card, cut) -> {
      JsonArray a = new JsonArray();
      a.add(cut.page());
      a.add(cut.slots());
      cuts.add(Epoch.hex(card), a);
    });
    op.add("removed", cuts);
    JsonArray wraps = new JsonArray();
    for (PublicCard m : members) {
      wraps.add(m.equals(me.card()) ? "" : Base64Url.encode(client.conversationWith(m).secretWraps()
          .encrypt(secret, wrapAad(g.id(), newId))));
    }
    op.add("wraps", wraps);
    client.send(Group.conversation(me, old), ROTATE, summary.getBytes(StandardCharsets.UTF_8),
        op.toString().getBytes(StandardCharsets.UTF_8));
    Epoch withCuts = old;
    for (Map.Entry<PublicCard, Epoch.Cut> r : removed.entrySet()) {
      withCuts = withCuts.withCut(r.getKey(), r.getValue());
    }
    List<Epoch> epochs = new ArrayList<>(g.epochs());
    epochs.set(epochs.size() - 1, withCuts);
    epochs.add(new Epoch(newId, secret, members, admins, old.id(), Map.of()));
    Group rotated = g.withEpochs(epochs);
    save(rotated);
    return rotated;
  }

  /**
   * Applies the ops among {@code messages} (verified, within cuts, read in epoch {@code e}): a rotation
   * by a member allowed to make it starts the next epoch (or records that this member was removed); a
   * leave cuts the leaver's feed and, for the first admin, starts an epoch without them.
   */
  private Group absorb(Group g, Epoch e, List<Message> messages, List<FeedWarning> warnings)
      throws LocalStateException, KvException {
    Group now = g;
    for (Message m : messages) {
      if (m.sender().equals(me.card()) || !e.isMember(m.sender())) {
        continue;
      }
      // The epoch as the ops before this one left it (a leave's cut), not as the batch began: else a
      // rotation after a leave would write the epoch back without the leaver's cut.
      Epoch at = now.epoch(e.id()).orElse(e);
      if (m.type().equals(ROTATE)) {
        now = applyRotation(now, at, m, warnings);
      } else if (m.type().equals(LEAVE)) {
        now = applyLeave(now, at, m);
      } else if (m.type().equals(ENTRUST)) {
        now = applyEntrust(now, at, m);
      }
    }
    return converge(now);
  }

  Group requireAdmin(String id) throws GroupException, LocalStateException {
    Group now = requireActive(id);
    if (!now.current().isAdmin(me.card())) {
      throw new GroupException(GroupException.Reason.NOT_ALLOWED, "Only an admin of \"" + now.name()
          + "\" can do that.");
    }
    return now;
  }

  // --- concurrent changes -------------------------------------------------------------------------------

  /**
   * Two members who change the membership without having seen each other's change start sibling epochs.
   * Every member holding all of them merges them the same way, with no winner to pick: the merged secret
   * is HKDF over the siblings' secrets in id order, so only a member of every branch can derive it and a
   * removal in any branch holds; the members are everyone in some branch except anyone a branch dropped
   * from the epoch they all follow (a removal beats a concurrent add). Newcomers of one branch cannot
   * derive it: in each branch, an admin of that branch who holds every branch hands it to them
   * ({@code GROUP_ENTRUST}).
   */
  private Group converge(Group g) throws LocalStateException, KvException {
    if (g.status() != Group.Status.ACTIVE) {
      return g;
    }
    java.util.Set<String> parents = new java.util.HashSet<>();
    for (Epoch e : g.epochs()) {
      parents.addAll(List.of(e.parent().split("\\+")));
    }
    List<Epoch> leaves = new ArrayList<>();
    for (Epoch e : g.epochs()) {
      if (!parents.contains(e.id())) {
        leaves.add(e);
      }
    }
    if (leaves.size() <= 1) {
      if (leaves.size() == 1 && !g.current().id().equals(leaves.get(0).id())) { // make the leaf the current one
        List<Epoch> epochs = new ArrayList<>(g.epochs());
        epochs.remove(leaves.get(0));
        epochs.add(leaves.get(0));
        Group out = g.withEpochs(epochs);
        save(out);
        return out;
      }
      return g;
    }
    leaves.sort(Comparator.comparing(Epoch::id));
    Epoch merged = merge(g, leaves);
    List<Epoch> epochs = new ArrayList<>(g.epochs());
    epochs.add(merged);
    Group out = g.withEpochs(epochs);
    save(out);
    if (leaves.stream().allMatch(l -> l.isMember(me.card()))) {
      entrust(out, merged, leaves);
    }
    return out;
  }

  private Epoch merge(Group g, List<Epoch> leaves) {
    java.io.ByteArrayOutputStream ikm = new java.io.ByteArrayOutputStream();
    StringBuilder parent = new StringBuilder();
    for (Epoch leaf : leaves) {
      ikm.writeBytes(leaf.secret());
      parent.append(parent.length() == 0 ? "" : "+").append(leaf.id());
    }
    byte[] secret = org.reschat.core.crypto.Hkdf.sha256(ikm.toByteArray(), MERGE_SALT,
        parent.toString().getBytes(StandardCharsets.UTF_8), 32);
    // What every branch started from: the nearest epoch that is an ancestor of all of them.
    Epoch base = commonAncestor(g, leaves);
    List<PublicCard> members = new ArrayList<>();
    List<PublicCard> admins = new ArrayList<>();
    for (Epoch leaf : leaves) {
      for (PublicCard m : leaf.members()) {
        boolean droppedSomewhere = base != null && base.isMember(m)
            && leaves.stream().anyMatch(l -> !l.isMember(m));
        if (!droppedSomewhere && !members.contains(m)) {
          members.add(m);
        }
      }
    }
    for (Epoch leaf : leaves) {
      for (PublicCard a : leaf.admins()) {
        if (members.contains(a) && !admins.contains(a)) {
          admins.add(a);
        }
      }
    }
    return new Epoch(Epoch.idOf(secret), secret, members, admins, parent.toString(), Map.of());
  }

  private static Epoch commonAncestor(Group g, List<Epoch> leaves) {
    List<java.util.Set<String>> lines = new ArrayList<>();
    for (Epoch leaf : leaves) {
      java.util.Set<String> line = new java.util.LinkedHashSet<>();
      java.util.ArrayDeque<Epoch> todo = new java.util.ArrayDeque<>(List.of(leaf));
      while (!todo.isEmpty() && line.size() <= GroupCodec.MAX_EPOCHS) {
        Epoch e = todo.pop();
        if (line.add(e.id())) {
          for (String p : e.parent().split("\\+")) {
            g.epoch(p).ifPresent(todo::push);
          }
        }
      }
      lines.add(line);
    }
    for (int i = g.epochs().size() - 1; i >= 0; i--) { // the newest epoch every leaf descends from
      String id = g.epochs().get(i).id();
      if (lines.stream().allMatch(l -> l.contains(id)) && leaves.stream().noneMatch(l -> l.id().equals(id))) {
        return g.epochs().get(i);
      }
    }
    return null;
  }

  /**
   * Hands the merged secret to members who cannot derive it, in a branch epoch each of them reads. Into
   * each branch it is written by that branch's first admin who holds every branch (readers take an
   * entrust only from an admin of the epoch it is written in: see {@code applyEntrust}).
   */
  private void entrust(Group g, Epoch merged, List<Epoch> leaves) throws LocalStateException, KvException {
    for (Epoch leaf : leaves) {
      Optional<PublicCard> writer = leaf.effectiveAdmins().stream()
          .filter(a -> leaves.stream().allMatch(l -> l.isMember(a))).findFirst();
      if (writer.isEmpty() || !writer.get().equals(me.card())) {
        continue;
      }
      JsonObject wraps = new JsonObject();
      for (PublicCard m : merged.members()) {
        boolean lacksSome = leaves.stream().anyMatch(l -> !l.isMember(m));
        if (lacksSome && leaf.isMember(m) && !m.equals(me.card())) {
          wraps.addProperty(Epoch.hex(m), Base64Url.encode(client.conversationWith(m).secretWraps()
              .encrypt(merged.secret(), wrapAad(g.id(), merged.id()))));
        }
      }
      if (wraps.size() == 0 || !leaf.isMember(me.card())) {
        continue;
      }
      JsonObject op = new JsonObject();
      op.addProperty("v", 1);
      op.addProperty("group", g.id());
      op.addProperty("epoch", merged.id());
      op.addProperty("parent", merged.parent());
      op.add("members", GroupCodec.cards(merged.members()));
      op.add("admins", GroupCodec.cards(merged.admins()));
      op.add("wraps", wraps);
      try {
        client.send(Group.conversation(me, leaf), ENTRUST, "merged concurrent changes".getBytes(StandardCharsets.UTF_8),
            op.toString().getBytes(StandardCharsets.UTF_8));
      } catch (InvalidMessageException ex) {
        throw new IllegalStateException("An entrust op does not fit a page", ex);
      }
    }
  }

  /**
   * Takes a merge handed over in epoch {@code e}. Its members, admins and parent are the writer's word (a
   * reader lacking a branch cannot check them), so only an admin of {@code e} is believed: one who could
   * as well have rotated {@code e} into any membership. Anyone else's entrust would let a member make
   * themselves admin, drop the admins, add outsiders or move a member to an epoch nobody else holds.
   */
  private Group applyEntrust(Group g, Epoch e, Message m) throws LocalStateException {
    if (!e.isAdmin(m.sender())) {
      return g;
    }
    Optional<JsonObject> op = StrictJson.parseObject(new String(m.body(), StandardCharsets.UTF_8));
    if (op.isEmpty() || !StrictJson.string(op.get(), "group").orElse("").equals(g.id())) {
      return g;
    }
    String id = StrictJson.string(op.get(), "epoch").orElse("");
    String parent = StrictJson.string(op.get(), "parent").orElse("");
    if (g.epoch(id).isPresent() || !List.of(parent.split("\\+")).contains(e.id())) {
      return g;
    }
    try {
      List<PublicCard> members = new ArrayList<>();
      for (JsonElement c : op.get().getAsJsonArray("members")) {
        members.add(GroupCodec.card(c.getAsString()));
      }
      List<PublicCard> admins = new ArrayList<>();
      for (JsonElement c : op.get().getAsJsonArray("admins")) {
        admins.add(GroupCodec.card(c.getAsString()));
      }
      JsonElement wrap = op.get().getAsJsonObject("wraps").get(Epoch.hex(me.card()));
      if (wrap == null || !members.contains(me.card()) || members.size() > PageLimits.MAX_MEMBERS) {
        return g;
      }
      byte[] secret = client.conversationWith(m.sender()).secretWraps().decrypt(
          Base64Url.decode(wrap.getAsString()).orElseThrow(() -> new OneTimeKeyAead.OpenFailedException("not base64url")),
          wrapAad(g.id(), id));
      if (!Epoch.idOf(secret).equals(id)) {
        return g;
      }
      List<Epoch> epochs = new ArrayList<>(g.epochs());
      epochs.add(new Epoch(id, secret, members, admins, parent, Map.of()));
      Group out = g.withEpochs(epochs);
      save(out);
      return out;
    } catch (RuntimeException | GroupException | OneTimeKeyAead.OpenFailedException ex) {
      return g; // malformed or not for us: ignored
    }
  }

  private Group applyRotation(Group g, Epoch e, Message m, List<FeedWarning> warnings) throws LocalStateException {
    Optional<JsonObject> op = StrictJson.parseObject(new String(m.body(), StandardCharsets.UTF_8));
    if (op.isEmpty() || !StrictJson.string(op.get(), "group").orElse("").equals(g.id())
        || !StrictJson.string(op.get(), "parent").orElse("").equals(e.id())) {
      return g;
    }
    String newId = StrictJson.string(op.get(), "epoch").orElse("");
    if (g.epoch(newId).isPresent()) {
      return g; // already applied: ops are idempotent
    }
    List<PublicCard> members = new ArrayList<>();
    List<PublicCard> admins;
    Map<PublicCard, Epoch.Cut> removed = new HashMap<>();
    List<String> wraps = new ArrayList<>();
    try {
      for (JsonElement k : op.get().getAsJsonArray("keep")) {
        members.add(e.members().get(k.getAsInt()));
      }
      for (JsonElement a : op.get().getAsJsonArray("add")) {
        members.add(GroupCodec.card(a.getAsString()));
      }
      admins = new ArrayList<>();
      for (JsonElement a : op.get().getAsJsonArray("admins")) {
        admins.add(GroupCodec.card(a.getAsString()));
      }
      for (Map.Entry<String, JsonElement> r : op.get().getAsJsonObject("removed").entrySet()) {
        for (PublicCard c : e.members()) {
          if (Epoch.hex(c).equals(r.getKey())) {
            removed.put(c, new Epoch.Cut(r.getValue().getAsJsonArray().get(0).getAsLong(),
                r.getValue().getAsJsonArray().get(1).getAsInt()));
          }
        }
      }
      for (JsonElement w : op.get().getAsJsonArray("wraps")) {
        wraps.add(w.getAsString());
      }
    } catch (RuntimeException | GroupException ex) {
      return g; // malformed: ignored, as garbage is
    }
    List<PublicCard> gone = e.members().stream().filter(c -> !members.contains(c) && !c.equals(m.sender())).toList();
    PublicCard leaver = gone.size() == 1 && leftOrCut(g, e, gone.get(0)) ? gone.get(0) : null;
    // Only an admin removes anybody, names or drops admins: anyone else's rotation keeps the admins there
    // were, as rotate writes them (else a member could make themselves the only admin, then remove the
    // others). The one exception is applyLeave's: a member who left (or was cut) is rotated out by the
    // first admin without them, who may not have been an admin while they were there.
    List<PublicCard> keptAdmins = e.effectiveAdminsWithout(leaver).stream().filter(members::contains).toList();
    boolean allowed = e.isAdmin(m.sender()) || (admins.equals(keptAdmins) && (gone.isEmpty()
        || (leaver != null && e.effectiveAdminsWithout(leaver).get(0).equals(m.sender()))));
    if (members.size() > PageLimits.MAX_MEMBERS || wraps.size() != members.size()
        || members.stream().distinct().count() != members.size() || !members.containsAll(admins) || !allowed) {
      return g; // not a change this member was allowed to make
    }
    Epoch withCuts = e;
    for (Map.Entry<PublicCard, Epoch.Cut> r : removed.entrySet()) {
      withCuts = withCuts.withCut(r.getKey(), r.getValue());
    }
    List<Epoch> epochs = new ArrayList<>(g.epochs());
    epochs.set(epochs.indexOf(e) >= 0 ? epochs.indexOf(e) : epochs.size() - 1, withCuts);
    int mine = members.indexOf(me.card());
    if (mine < 0) {
      Group out = g.withEpochs(epochs).withStatus(Group.Status.REMOVED, m.sender());
      save(out);
      return out;
    }
    byte[] secret;
    try {
      secret = client.conversationWith(m.sender()).secretWraps().decrypt(
          Base64Url.decode(wraps.get(mine)).orElseThrow(() -> new OneTimeKeyAead.OpenFailedException("not base64url")),
          wrapAad(g.id(), newId));
    } catch (OneTimeKeyAead.OpenFailedException ex) {
      warnings.add(cutOff(m)); // not a secret for us: the others move on without us
      return g;
    }
    if (!Epoch.idOf(secret).equals(newId)) {
      warnings.add(cutOff(m)); // the secret handed over is not the one the op names
      return g;
    }
    epochs.add(new Epoch(newId, secret, members, admins, e.id(), Map.of()));
    Group out = g.withEpochs(epochs);
    save(out);
    return out;
  }

  private Group applyLeave(Group g, Epoch e, Message m) throws LocalStateException, KvException {
    if (e.cutOf(m.sender()).isPresent()) {
      return g;
    }
    List<Epoch> epochs = new ArrayList<>(g.epochs());
    int at = epochs.indexOf(e);
    if (at < 0) {
      return g;
    }
    epochs.set(at, e.withCut(m.sender(), new Epoch.Cut(m.page(), m.slot() + 1)));
    Group out = g.withEpochs(epochs);
    save(out);
    // The leave may have been written in the epoch before the current one (a change the leaver had not
    // seen): whoever is first admin of the current epoch without them still rotates them out of it.
    Epoch current = out.current();
    List<PublicCard> admins = current.effectiveAdminsWithout(m.sender());
    if (out.status() == Group.Status.ACTIVE && current.isMember(m.sender()) && !admins.isEmpty()
        && admins.get(0).equals(me.card())) {
      List<PublicCard> members = new ArrayList<>(out.members());
      members.remove(m.sender());
      Epoch.Cut cut = current.id().equals(e.id()) ? new Epoch.Cut(m.page(), m.slot() + 1)
          : positionOf(current, m.sender());
      try {
        return rotate(out, members, Map.of(m.sender(), cut), shortName(m.sender()) + " left");
      } catch (InvalidMessageException ex) {
        throw new IllegalStateException("A rotation op no longer fits a page", ex);
      }
    }
    return out;
  }

  /**
   * A change of the group's key whose copy for this member does not open: the others move to a key this
   * member lacks, so what they write next is unread here. A broken or hostile client; never quiet.
   */
  private static FeedWarning cutOff(Message op) {
    return new FeedWarning(FeedWarning.Kind.UNDECRYPTABLE, false, op.page(), "a new key for the group whose copy"
        + " for you does not open: the others may go on where you cannot read them; ask them to re-add you",
        op.sender());
  }

  /**
   * Whether {@code member} left (or was cut by an admin) in epoch {@code e} or the one it follows: on the
   * way out. Not further back: a member removed long ago and added again is not "leaving" now.
   */
  private static boolean leftOrCut(Group g, Epoch e, PublicCard member) {
    if (e.cutOf(member).isPresent()) {
      return true;
    }
    for (String parent : e.parent().split("\\+")) {
      if (g.epoch(parent).flatMap(p -> p.cutOf(member)).isPresent()) {
        return true;
      }
    }
    return false;
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

  static byte[] wrapAad(String groupId, String epochId) {
    return ("reschat/v2 epoch wrap\0" + groupId + "\0" + epochId).getBytes(StandardCharsets.UTF_8);
  }

  /** A member as the group shows someone who may not be your friend: the start of their fingerprint. */
  public static String shortName(PublicCard card) {
    return card.fingerprintText().substring(0, 9);
  }
}
