package org.reschat.core.internal.group;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.internal.requests.MessageRequests;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Invitations: what this member hands out (the epochs and its signed statement of the one joined), and how
 * it judges what it is handed (protocol.md §9 "Invitations"). A statement proves an epoch when an admin whose
 * authority leads back to the founder signed it; only a member's word otherwise, and then the member can
 * read the group but not write to it until an admin vouches for the epoch in it ({@code GROUP_CONFIRM}).
 * An invitation for a group already held is resolved by those proofs, or reported as a conflict; it is
 * never skipped without a word. This version writes invitations of version 3 ({@link RosterInvite}): each
 * epoch's roster written once to the ledger ({@link Roster}), the invitation naming it by hash; one whose
 * roster is not there yet joins nothing and waits ({@link PendingInvitations}), taken at every receive.
 */
final class Invitations {
  private final Identity me;
  private final ConversationClient client;
  private final GroupStore store;
  private final MessageRequests requests;
  private final KvStore ledger;
  private final PendingInvitations pending;
  /** Roster locations this client has written (a roster is written once, however many it invites). */
  private final Set<String> published = ConcurrentHashMap.newKeySet();

  Invitations(Identity me, ConversationClient client, GroupStore store, MessageRequests requests, KvStore ledger) {
    this.me = me;
    this.client = client;
    this.store = store;
    this.requests = requests;
    this.ledger = ledger;
    this.pending = new PendingInvitations(me, store.state());
  }

  /**
   * The invitation to {@code g} as it is now: its current epoch (with {@code allEpochs}, the earlier ones
   * too, the oldest left out while the whole would not fit a message), and this member's signed statement of it.
   */
  GroupOp.Invite build(Group g, boolean allEpochs) {
    return build(g, allEpochs, PageLimits.MAX_MESSAGE_BYTES);
  }

  private GroupOp.Invite build(Group g, boolean allEpochs, int maxBytes) {
    EpochCert cert = EpochCert.sign(me, g.id(), g.name(), g.current(), g.trust().founder(),
        g.trust().credential().orElse(List.of()));
    List<Epoch> epochs = new ArrayList<>(allEpochs ? g.epochs() : List.of(g.current()));
    GroupOp.Invite invite = new GroupOp.Invite(g.id(), g.name(), epochs, Optional.of(cert));
    while (maxBytes < Integer.MAX_VALUE && invite.encode().length > maxBytes && epochs.size() > 1) {
      epochs.remove(0);
      invite = new GroupOp.Invite(g.id(), g.name(), epochs, Optional.of(cert));
    }
    return invite;
  }

  /**
   * The body of the invitation to {@code g} as this version writes it: version 3, the epochs by secret and
   * roster hash (the oldest left out while it would not fit a message), each roster written to the ledger
   * first, once per client (protocol.md §9 "Rosters").
   */
  byte[] body(Group g, boolean allEpochs) throws KvException {
    GroupOp.Invite whole = build(g, allEpochs, Integer.MAX_VALUE);
    List<Epoch> epochs = new ArrayList<>(whole.epochs());
    RosterInvite invite = RosterInvite.of(whole);
    while (invite.encode().length > PageLimits.MAX_MESSAGE_BYTES && epochs.size() > 1) {
      epochs.remove(0);
      invite = RosterInvite.of(new GroupOp.Invite(g.id(), g.name(), epochs, whole.cert()));
    }
    for (Epoch e : epochs) {
      publish(g.id(), e);
    }
    return invite.encode();
  }

  /** Writes the roster of {@code e}, unless this client already has. */
  void publish(String groupId, Epoch e) throws KvException {
    Roster.Sealed roster = Roster.seal(groupId, e);
    if (published.add(roster.location())) {
      try {
        ledger.put(roster.location(), roster.value());
      } catch (KvException | RuntimeException ex) {
        published.remove(roster.location());
        throw ex;
      }
    }
  }

  void send(Group g, PublicCard to, boolean allEpochs, String summary)
      throws LocalStateException, KvException, InvalidMessageException {
    client.send(client.currentWith(to), Groups.INVITE, summary.getBytes(StandardCharsets.UTF_8), // §3.1
        body(g, allEpochs));
    requests.introduce(to); // an invitee who does not have this card yet sees the invitation as a request
  }

  /**
   * The invitations among {@code messages} {@code from} sent, each judged, after those of {@code from}
   * still waiting for their rosters: the groups changed, and what to say.
   */
  Groups.Invited take(PublicCard from, List<Message> messages) throws LocalStateException {
    List<Group> changed = new ArrayList<>();
    List<FeedWarning> warnings = new ArrayList<>();
    retry(from, changed, warnings);
    for (Message m : messages) {
      if (!m.type().equals(Groups.INVITE) || m.direction() != Message.Direction.RECEIVED) {
        continue;
      }
      if (RosterInvite.isVersion3(m.body())) {
        if (taken(from, m.body(), m.page(), changed, warnings) == Read.MISSING) {
          pending.add(from, m.page(), m.body());
          warnings.add(new FeedWarning(FeedWarning.Kind.MISSING, false, m.page(), Groups.shortName(from)
              + " invited you to \"" + RosterInvite.parse(m.body()).orElseThrow().name() + "\", whose member list"
              + " is not on the ledger (yet): you are not in it until it is; every receive tries again", from));
        }
        continue;
      }
      Optional<GroupOp.Invite> offered = GroupOp.Invite.parse(m.body());
      if (offered.isPresent()) { // a malformed one can only come from a broken client: nothing to judge
        take(from, offered.get(), m.page(), warnings).ifPresent(changed::add);
      }
    }
    return new Groups.Invited(changed, warnings);
  }

  /** Whether invitations from {@code from} wait for their rosters (a receiver reads that chat again). */
  boolean waiting(PublicCard from) throws LocalStateException {
    return !pending.from(from).isEmpty();
  }

  Set<PublicCard> waitingFrom() throws LocalStateException {
    return pending.senders();
  }

  /** Takes again the invitations from {@code from} that waited for their rosters; those judged are forgotten. */
  private void retry(PublicCard from, List<Group> changed, List<FeedWarning> warnings) throws LocalStateException {
    for (PendingInvitations.Entry e : pending.from(from)) {
      if (taken(from, e.body(), e.page(), changed, warnings) != Read.MISSING) {
        pending.remove(e);
      }
    }
  }

  /** What reading an invitation's rosters came to. */
  enum Read { TAKEN, MISSING }

  /**
   * Reads the rosters a version 3 invitation names and, when every one is there and checks, judges it
   * like any invitation; a roster that is there and does not check makes it forged (a warning names the
   * sender). Nothing is joined unless every roster was read.
   */
  private Read taken(PublicCard from, byte[] body, long page, List<Group> changed, List<FeedWarning> warnings)
      throws LocalStateException {
    Optional<RosterInvite> offered = RosterInvite.parse(body);
    if (offered.isEmpty()) {
      return Read.TAKEN; // malformed: only a broken client writes one; nothing to judge
    }
    Roster.Read read = read(offered.get());
    if (read instanceof Roster.Missing) {
      return Read.MISSING;
    }
    if (read instanceof Roster.Bad bad) {
      warnings.add(conflict(page, from, Groups.shortName(from) + " sent an invitation to \"" + offered.get().name()
          + "\" that does not check, refused as forged: " + bad.why() + "; " + Groups.shortName(from)
          + " or another holder of that group's key wrote it"));
      return Read.TAKEN;
    }
    take(from, ((Found) read).invite(), page, warnings).ifPresent(changed::add);
    return Read.TAKEN;
  }

  /** The whole invitation, once its rosters are read. */
  record Found(GroupOp.Invite invite) implements Roster.Read {}

  /** Reads every roster {@code offered} names: the invitation whole, or why not (missing, or bad). */
  Roster.Read read(RosterInvite offered) {
    List<Epoch> epochs = new ArrayList<>();
    for (RosterInvite.Ref ref : offered.epochs()) {
      Optional<String> value;
      try {
        value = ledger.get(Roster.location(ref.secret(), ref.roster()));
      } catch (KvException e) {
        return new Roster.Missing(Roster.location(ref.secret(), ref.roster())); // the store fails: later
      }
      Roster.Read read = Roster.open(offered.id(), ref.secret(), ref.roster(), value);
      if (!(read instanceof Roster.Found found)) {
        return read;
      }
      epochs.add(found.epoch());
    }
    GroupOp.Invite whole = offered.with(epochs);
    return whole == null ? new Roster.Bad("its signer is not among its members") : new Found(whole);
  }

  /**
   * Judges one invitation {@code from} sent (for a join welcome, the admin who signed it):
   *
   * <ul>
   *   <li>a statement that does not check (signature, founder, signer other than the sender), or none
   *       for a founded group: refused, with a warning naming the sender;</li>
   *   <li>a group not held (or one this member was removed from or left): joined; confirmed when the
   *       statement proves itself, else readable but not writable until an admin vouches;</li>
   *   <li>a group held: the same epoch again changes nothing, except that a proof confirms it; a proof
   *       replaces an epoch no admin vouched for (a warning names who handed that one over); anything else
   *       is a conflict: this member stays, and a warning names the sender and what it claims.</li>
   * </ul>
   */
  Optional<Group> take(PublicCard from, GroupOp.Invite offered, long page, List<FeedWarning> warnings)
      throws LocalStateException {
    Epoch newest = offered.current();
    if (!newest.isMember(from) || !newest.isMember(me.card())) {
      return Optional.empty(); // not from a member of what it hands over, or not for this member
    }
    EpochCert.Standing standing = standing(from, offered);
    String name = "\"" + offered.name() + "\"";
    if (standing == EpochCert.Standing.FORGED) {
      warnings.add(conflict(page, from, offered.cert().isEmpty()
          ? "an invitation to " + name + " with no proof, which that group needs (an older version's, or made up): ignored"
          : "an invitation to " + name + " whose signed statement does not check (altered, signed by someone else,"
              + " or for another founder): ignored"));
      return Optional.empty();
    }
    boolean proven = standing == EpochCert.Standing.PROVEN;
    Optional<Founder> founder = offered.cert().flatMap(EpochCert::founder);
    try (LocalState.Lock lock = store.lock(offered.id())) {
      Optional<Group> known = store.find(offered.id());
      if (known.isEmpty()) {
        return saved(new Group(offered.id(), offered.name(), offered.epochs(), Group.Status.ACTIVE, Optional.empty(),
            List.of(), new GroupTrust(founder, proven ? Optional.empty() : Optional.of(from), Optional.empty())));
      }
      Group k = known.get();
      Optional<Epoch> held = k.epoch(newest.id());
      if (k.status() != Group.Status.ACTIVE) {
        List<Epoch> epochs = new ArrayList<>(k.epochs());
        offered.epochs().stream().filter(e -> k.epoch(e.id()).isEmpty()).forEach(epochs::add);
        if (held.isPresent()) {
          return Optional.empty(); // a stale or repeated invitation changes nothing
        }
        GroupTrust trust = new GroupTrust(k.trust().founder(), proven ? Optional.empty() : Optional.of(from),
            k.trust().credential());
        return saved(new Group(k.id(), k.name(), epochs, Group.Status.ACTIVE, Optional.empty(), k.links(), trust));
      }
      if (held.isPresent()) {
        boolean confirms = !k.confirmed() && proven && offered.cert().get().describes(held.get());
        return confirms ? saved(k.withTrust(k.trust().confirmed())) : Optional.empty(); // else a repeat
      }
      if (!k.confirmed() && proven) {
        PublicCard before = k.unconfirmedFrom().orElseThrow();
        warnings.add(conflict(page, before, Groups.shortName(before) + " had handed you a key to " + name
            + " that no admin of it has vouched for; " + Groups.shortName(from) + ", an admin, has now invited you"
            + " with proof, and you are in that group: what you read under the other key may have come from "
            + Groups.shortName(before) + " alone"));
        return saved(new Group(k.id(), offered.name(), offered.epochs(), Group.Status.ACTIVE, Optional.empty(),
            k.links(), new GroupTrust(k.trust().founder(), Optional.empty(), k.trust().credential())));
      }
      warnings.add(conflict(page, from, Groups.shortName(from) + " invited you to " + name + ", which you are in,"
          + " with a key (" + newest.id() + ", " + newest.members().size() + " members, admins "
          + String.join(", ", newest.effectiveAdmins().stream().map(Groups::shortName).toList()) + ") "
          + (proven ? "an admin signed" : "no admin vouches for") + " that the group's own changes have not brought"
          + " you: ignored; you stay in " + k.current().id() + (k.confirmed() ? "" : ", handed you by "
          + Groups.shortName(k.unconfirmedFrom().orElseThrow()) + " and not vouched for either (you can read, not"
          + " write, until an admin vouches)")));
      return Optional.empty();
    }
  }

  /** How far {@code offered} proves itself as an invitation {@code from} sent. */
  private static EpochCert.Standing standing(PublicCard from, GroupOp.Invite offered) {
    if (offered.cert().isEmpty()) { // version 1: before statements; taken for a legacy group only
      return Founder.isFounded(offered.id()) ? EpochCert.Standing.FORGED : EpochCert.Standing.UNPROVEN;
    }
    EpochCert cert = offered.cert().get();
    return cert.signerCard().equals(from) ? cert.standing() : EpochCert.Standing.FORGED;
  }

  private Optional<Group> saved(Group g) throws LocalStateException {
    store.save(g);
    return Optional.of(g);
  }

  private static FeedWarning conflict(long page, PublicCard claimant, String detail) {
    return new FeedWarning(FeedWarning.Kind.CONFLICT, false, page, detail, claimant);
  }
}
