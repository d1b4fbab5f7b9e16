package org.reschat.core.internal.group;

import org.reschat.core.internal.identity.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.FeedWarning;
import org.reschat.core.GroupException;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Joining a group by link, with an admin's approval (see {@link JoinLink}): admins make and revoke links,
 * read the requests posted to a link's board, and approve (a new epoch with the requester, and a welcome
 * only they can open) or deny; a requester posts a request, then picks up the welcome. Every admin holds
 * every admin's links, and a denial or revocation by one holds for all ({@link LinkSharing}). Membership
 * itself changes through {@link Groups}.
 */
public final class GroupLinks {
  private final Groups groups;
  private final Identity me;
  private final KvStore store;
  private final LinkSharing sharing;
  private final SecureRandom random = new SecureRandom();

  GroupLinks(Groups groups, Identity me, KvStore store, LinkSharing sharing) {
    this.groups = groups;
    this.me = me;
    this.store = store;
    this.sharing = sharing;
  }

  /** Someone who asked to join through a link: their card (signed by them) and the name they gave. */
  public record JoinRequest(PublicCard card, String name, JoinLink link) {}

  /**
   * What {@link #join} did.
   *
   * @param warnings a welcome refused, or one that conflicts with the group as held (see {@link Groups#takeInvites})
   */
  public record JoinResult(Optional<Group> joined, boolean requested, List<FeedWarning> warnings) {
    public JoinResult {
      warnings = List.copyOf(warnings);
    }

    public JoinResult(Optional<Group> joined, boolean requested) {
      this(joined, requested, List.of());
    }
  }

  private static final byte[] REQUEST_INFO = "reschat/v2 join request".getBytes(StandardCharsets.UTF_8);

  /** A new link to ask to join (admins only), sealed to the other admins in the group. */
  public String link(Group g) throws GroupException, LocalStateException, KvException {
    try (LocalState.Lock lock = groups.lockGroup(g.id())) {
      Group now = groups.requireAdmin(g.id());
      if (now.links().size() >= LinkSharing.MAX_LINKS) {
        throw new GroupException(GroupException.Reason.NOT_ALLOWED, "\"" + now.name() + "\" has had "
            + LinkSharing.MAX_LINKS + " links, the most a group keeps.");
      }
      JoinLink l = JoinLink.create(random, me.card());
      List<JoinLink> links = new ArrayList<>(now.links());
      links.add(l);
      Group with = now.withLinks(links);
      groups.save(with);
      sharing.share(with);
      return l.toString();
    }
  }

  /** Revokes every link of the group, for every admin: requests through them are no longer read. */
  public Group revokeLinks(Group g) throws GroupException, LocalStateException, KvException {
    try (LocalState.Lock lock = groups.lockGroup(g.id())) {
      Group now = groups.requireAdmin(g.id());
      Group out = now.withLinks(now.links().stream().map(JoinLink::revoke).toList());
      groups.save(out);
      for (JoinLink l : now.activeLinks()) {
        sharing.tell(out, l.revoke(), List.of(), "revoked a join link");
      }
      return out;
    }
  }

  /**
   * Asks to join through {@code linkText}, or completes the join when an admin has approved: posts a
   * request sealed to the link's box (once per call; admins see each requester once), then looks for the
   * welcome only the link's holders can have written.
   */
  public JoinResult join(String linkText, String name, boolean post) throws GroupException, LocalStateException,
      KvException {
    JoinLink link = JoinLink.parse(linkText).orElseThrow(() -> new GroupException(GroupException.Reason.MALFORMED,
        "That is not a group link (it starts with \"" + JoinLink.PREFIX + "\")."));
    List<FeedWarning> warnings = new ArrayList<>();
    Optional<Group> welcomed = welcome(link, warnings);
    if (welcomed.isPresent() || !warnings.isEmpty()) {
      return new JoinResult(welcomed, false, warnings);
    }
    if (post) {
      postRequest(link, name);
    }
    return new JoinResult(Optional.empty(), post, List.of());
  }

  private void postRequest(JoinLink link, String name) throws KvException, GroupException {
    byte[] json = JoinAsk.sign(me, link, name).encode();
    try {
      link.requests().post(store, key -> Hpke.standard().seal(link.boxPublic(), REQUEST_INFO,
          key.getBytes(StandardCharsets.UTF_8), json));
    } catch (Board.FullException e) {
      throw new GroupException(GroupException.Reason.NOT_ALLOWED, "The link's board is full; ask the group for a new link.");
    }
  }

  /**
   * The welcome for this member at {@code link}, taken like any invitation (judged by its proof, from the
   * admin who signed it); the warnings go to {@code warnings}.
   */
  private Optional<Group> welcome(JoinLink link, List<FeedWarning> warnings) throws KvException, LocalStateException {
    String key = link.welcomeKey(me.card());
    Optional<String> value = store.get(key);
    Optional<byte[]> shared = Secrets.of(me).agree(link.boxPublic());
    Optional<byte[]> raw = value.flatMap(Board::decode);
    if (shared.isEmpty() || raw.isEmpty()) {
      return Optional.empty();
    }
    byte[] body;
    try {
      body = JoinLink.welcomes(shared.get(), link.board()).decrypt(raw.get(), key.getBytes(StandardCharsets.UTF_8));
    } catch (OneTimeKeyAead.OpenFailedException e) {
      return Optional.empty(); // not written by a holder of the link: ignored
    }
    Optional<GroupOp.Invite> offered;
    if (RosterInvite.isVersion3(body)) {
      Optional<RosterInvite> v3 = RosterInvite.parse(body);
      if (v3.isEmpty()) {
        return Optional.empty();
      }
      Roster.Read read = groups.invitations().read(v3.get());
      // Only a holder of the box's private half (an admin) can have written it: the inviter is whoever signed it.
      PublicCard signer = read instanceof Invitations.Found f ? f.invite().cert().orElseThrow().signerCard() : null;
      if (read instanceof Roster.Missing) {
        warnings.add(new FeedWarning(FeedWarning.Kind.MISSING, false, 0, "an admin approved your request to join \""
            + v3.get().name() + "\", but the group's member list is not on the ledger (yet): you are not in it until"
            + " it is; the next receive or join tries again", null));
        return Optional.empty();
      }
      if (read instanceof Roster.Bad bad) {
        warnings.add(new FeedWarning(FeedWarning.Kind.CONFLICT, false, 0, "the welcome to \"" + v3.get().name()
            + "\" does not check, refused as forged: " + bad.why() + "; an admin of that group or another holder of"
            + " its key wrote it", null));
        return Optional.empty();
      }
      offered = Optional.of(((Invitations.Found) read).invite());
      return groups.invitations().take(signer, offered.get(), 0, warnings);
    }
    offered = GroupOp.Invite.parse(body);
    if (offered.isEmpty()) {
      return Optional.empty();
    }
    Epoch newest = offered.get().current();
    // Only a holder of the box's private half (an admin) can have written it: the inviter is whoever signed it.
    PublicCard from = offered.get().cert().map(EpochCert::signerCard).orElse(newest.effectiveAdmins().get(0));
    return groups.invitations().take(from, offered.get(), 0, warnings);
  }

  /** The requests waiting on the group's active links (admins only): not members, not denied, once each. */
  public List<JoinRequest> requests(Group g) throws GroupException, LocalStateException, KvException {
    Group now = groups.requireAdmin(g.id());
    List<JoinRequest> out = new ArrayList<>();
    for (JoinLink link : now.activeLinks()) {
      if (link.boxSecret().isEmpty()) {
        continue;
      }
      for (JoinRequest r : scanned(link)) {
        PublicCard who = r.card();
        if (!now.current().isMember(who) && !link.denied().contains(Epoch.hex(who))
            && out.stream().noneMatch(x -> x.card().equals(who))) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** What a link's board was found to hold, and up to which slot: kept for this client's life. */
  private record Scan(Board.Cursor cursor, List<JoinRequest> found) {}

  private final Map<String, Scan> scans = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Every request on {@code link}'s board, reading only what was posted since the last call (newest first,
   * a bounded number of slots per call; see {@link Board#read}): a poll asks on every round, and anyone the
   * link reached can write junk on its board.
   */
  private synchronized List<JoinRequest> scanned(JoinLink link) throws KvException {
    String board = link.toString();
    Scan before = scans.getOrDefault(board, new Scan(Board.Cursor.START, List.of()));
    List<JoinRequest> found = new ArrayList<>(before.found());
    Board.Cursor cursor = link.requests().read(store, before.cursor(), slot ->
        slot.payload().flatMap(sealed -> openRequest(link, slot.key(), sealed)).ifPresent(found::add));
    scans.put(board, new Scan(cursor, List.copyOf(found)));
    return found;
  }

  /** The request sealed in a board slot, or empty when it does not open, is malformed or is in someone else's name. */
  private Optional<JoinRequest> openRequest(JoinLink link, String key, byte[] sealed) {
    if (link.boxSecret().isEmpty()) {
      return Optional.empty();
    }
    byte[] body;
    try {
      body = Hpke.open(link.boxSecret().get(), link.boxPublic(), REQUEST_INFO, key.getBytes(StandardCharsets.UTF_8), sealed);
    } catch (Hpke.OpenFailedException e) {
      return Optional.empty(); // junk, or sealed to another box
    }
    Optional<JoinAsk> ask = JoinAsk.parse(body).filter(a -> a.signedFor(link));
    if (ask.isEmpty()) {
      return Optional.empty(); // malformed, or a request in someone else's name
    }
    return Optional.of(new JoinRequest(ask.get().card(), ask.get().name(), link));
  }

  /** Approves a request (admins only): a new epoch with them, and the welcome only they can open. */
  public Group approve(Group g, PublicCard requester, boolean shareHistory) throws GroupException,
      LocalStateException, KvException, InvalidMessageException {
    try (LocalState.Lock lock = groups.lockGroup(g.id())) {
      Group now = groups.requireAdmin(g.id());
      JoinRequest request = requests(now).stream().filter(r -> r.card().equals(requester)).findFirst()
          .orElseThrow(() -> new GroupException(GroupException.Reason.NOT_A_MEMBER,
              "Nobody with that fingerprint asks to join \"" + now.name() + "\"."));
      Groups.requireRoom(now.members().size() + 1);
      List<PublicCard> members = new ArrayList<>(now.members());
      members.add(requester);
      groups.publishHistory(now, shareHistory);
      Group rotated = groups.rotate(now, members, Map.of(), "approved " + Groups.shortName(requester));
      byte[] welcome = groups.invitations().body(rotated, shareHistory);
      JoinLink link = request.link();
      byte[] shared = new byte[32];
      if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(link.boxSecret().orElseThrow(), 0,
          requester.encryptionKey(), 0, shared, 0)) {
        throw new IllegalStateException("X25519 with a checked card failed");
      }
      String key = link.welcomeKey(requester);
      byte[] sealed = JoinLink.welcomes(shared, link.board()).encrypt(welcome,
          key.getBytes(StandardCharsets.UTF_8));
      store.put(key, Board.encode(sealed));
      return rotated;
    }
  }

  /** Denies a request (admins only): it is not shown again, to this admin or any other. */
  public Group deny(Group g, PublicCard requester) throws GroupException, LocalStateException, KvException {
    try (LocalState.Lock lock = groups.lockGroup(g.id())) {
      Group now = groups.requireAdmin(g.id());
      JoinRequest request = requests(now).stream().filter(r -> r.card().equals(requester)).findFirst()
          .orElseThrow(() -> new GroupException(GroupException.Reason.NOT_A_MEMBER,
              "Nobody with that fingerprint asks to join \"" + now.name() + "\"."));
      Group out = now.withLinks(now.links().stream().map(l -> l.sameBoard(request.link()) ? l.deny(requester) : l)
          .toList());
      groups.save(out);
      JoinLink link = out.links().stream().filter(l -> l.sameBoard(request.link())).findFirst().orElseThrow();
      sharing.tell(out, link, List.of(Epoch.hex(requester)), "denied a request to join");
      return out;
    }
  }
}
