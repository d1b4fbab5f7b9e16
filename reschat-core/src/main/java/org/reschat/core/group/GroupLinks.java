package org.reschat.core.group;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.GroupException;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.board.Board;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Hpke;
import org.reschat.core.crypto.OneTimeKeyAead;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.json.StrictJson;
import org.reschat.core.state.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Joining a group by link, with an admin's approval (see {@link JoinLink}): admins make and revoke links,
 * read the requests posted to a link's board, and approve (a new epoch with the requester, and a welcome
 * only they can open) or deny; a requester posts a request, then picks up the welcome. Membership itself
 * changes through {@link Groups}.
 */
public final class GroupLinks {
  private final Groups groups;
  private final Identity me;
  private final KvStore store;
  private final SecureRandom random = new SecureRandom();

  GroupLinks(Groups groups, Identity me, KvStore store) {
    this.groups = groups;
    this.me = me;
    this.store = store;
  }

  /** Someone who asked to join through a link: their card (signed by them) and the name they gave. */
  public record JoinRequest(PublicCard card, String name, JoinLink link) {}

  /** What {@link #join} did. */
  public record JoinResult(Optional<Group> joined, boolean requested) {}

  private static final byte[] REQUEST_INFO = "reschat/v2 join request".getBytes(StandardCharsets.UTF_8);

  /** A new link to ask to join (admins only). */
  public String link(Group g) throws GroupException, LocalStateException {
    try (LocalState.Lock lock = groups.lockGroup(g.id())) {
      Group now = groups.requireAdmin(g.id());
      JoinLink l = JoinLink.create(random);
      List<JoinLink> links = new ArrayList<>(now.links());
      links.add(l);
      groups.save(now.withLinks(links));
      return l.toString();
    }
  }

  /** Revokes every link of the group: requests through them are no longer read. */
  public Group revokeLinks(Group g) throws GroupException, LocalStateException {
    try (LocalState.Lock lock = groups.lockGroup(g.id())) {
      Group now = groups.requireAdmin(g.id());
      Group out = now.withLinks(now.links().stream().map(JoinLink::revoke).toList());
      groups.save(out);
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
    Optional<Group> welcomed = welcome(link);
    if (welcomed.isPresent()) {
      return new JoinResult(welcomed, false);
    }
    if (post) {
      postRequest(link, name);
    }
    return new JoinResult(Optional.empty(), post);
  }

  private void postRequest(JoinLink link, String name) throws KvException, GroupException {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("card", me.card().toString());
    o.addProperty("name", name);
    o.addProperty("sig", Base64Url.encode(me.sign(requestSigned(link, me.card(), name))));
    byte[] json = o.toString().getBytes(StandardCharsets.UTF_8);
    try {
      link.requests().post(store, key -> Hpke.standard().seal(link.boxPublic(), REQUEST_INFO,
          key.getBytes(StandardCharsets.UTF_8), json));
    } catch (Board.FullException e) {
      throw new GroupException(GroupException.Reason.NOT_ALLOWED, "The link's board is full; ask the group for a new link.");
    }
  }

  private Optional<Group> welcome(JoinLink link) throws KvException, LocalStateException {
    String key = link.welcomeKey(me.card());
    Optional<String> value = store.get(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Optional<byte[]> shared = me.agree(link.boxPublic());
    Optional<byte[]> raw = Board.decode(value.get());
    if (shared.isEmpty() || raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      byte[] json = JoinLink.welcomes(shared.get(), link.board()).decrypt(raw.get(), key.getBytes(StandardCharsets.UTF_8));
      Group offered = GroupCodec.parse(new String(json, StandardCharsets.UTF_8));
      if (!offered.current().isMember(me.card())) {
        return Optional.empty();
      }
      try (LocalState.Lock lock = groups.lockGroup(offered.id())) {
        Group joined = groups.find(offered.id()).map(known -> known.withEpochs(union(known.epochs(), offered.epochs()))
            .withStatus(Group.Status.ACTIVE, null)).orElse(new Group(offered.id(), offered.name(), offered.epochs(),
                Group.Status.ACTIVE, Optional.empty(), List.of()));
        groups.save(joined);
        return Optional.of(joined);
      }
    } catch (OneTimeKeyAead.OpenFailedException | GroupException e) {
      return Optional.empty(); // not written by a holder of the link: ignored
    }
  }

  private static List<Epoch> union(List<Epoch> known, List<Epoch> offered) {
    List<Epoch> out = new ArrayList<>(known);
    for (Epoch e : offered) {
      if (out.stream().noneMatch(k -> k.id().equals(e.id()))) {
        out.add(e);
      }
    }
    return out;
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

  private Optional<JoinRequest> openRequest(JoinLink link, String key, byte[] sealed) {
    try {
      byte[] secret = link.boxSecret().orElseThrow();
      byte[] json = Hpke.open(secret, link.boxPublic(), REQUEST_INFO,
          key.getBytes(StandardCharsets.UTF_8), sealed);
      JsonObject o = StrictJson.parseObject(new String(json, StandardCharsets.UTF_8)).orElseThrow();
      PublicCard card = GroupCodec.card(StrictJson.string(o, "card").orElseThrow());
      String name = StrictJson.string(o, "name").filter(n -> n.length() <= 64).orElseThrow();
      byte[] sig = StrictJson.string(o, "sig").flatMap(Base64Url::decode).orElseThrow();
      if (!card.verify(requestSigned(link, card, name), sig)) {
        return Optional.empty(); // a request in someone else's name
      }
      return Optional.of(new JoinRequest(card, name, link));
    } catch (Hpke.OpenFailedException | GroupException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Approves a request (admins only): a new epoch with them, and the welcome only they can open. */
  public Group approve(Group g, PublicCard requester, boolean shareHistory) throws GroupException,
      LocalStateException, KvException, InvalidMessageException {
    try (LocalState.Lock lock = groups.lockGroup(g.id())) {
      Group now = groups.requireAdmin(g.id());
      JoinRequest request = requests(now).stream().filter(r -> r.card().equals(requester)).findFirst()
          .orElseThrow(() -> new GroupException(GroupException.Reason.NOT_A_MEMBER,
              "Nobody with that fingerprint asks to join \"" + now.name() + "\"."));
      List<PublicCard> members = new ArrayList<>(now.members());
      members.add(requester);
      Group rotated = groups.rotate(now, members, Map.of(), "approved " + Groups.shortName(requester));
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.addProperty("id", rotated.id());
      o.addProperty("name", rotated.name());
      JsonArray epochs = new JsonArray();
      for (Epoch e : shareHistory ? rotated.epochs() : List.of(rotated.current())) {
        epochs.add(GroupCodec.epoch(e));
      }
      o.add("epochs", epochs);
      JoinLink link = request.link();
      byte[] shared = new byte[32];
      if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(link.boxSecret().orElseThrow(), 0,
          requester.encryptionKey(), 0, shared, 0)) {
        throw new IllegalStateException("X25519 with a checked card failed");
      }
      String key = link.welcomeKey(requester);
      byte[] sealed = JoinLink.welcomes(shared, link.board()).encrypt(o.toString().getBytes(StandardCharsets.UTF_8),
          key.getBytes(StandardCharsets.UTF_8));
      store.put(key, Board.encode(sealed));
      return rotated;
    }
  }

  /** Denies a request (admins only): it is not shown again. */
  public Group deny(Group g, PublicCard requester) throws GroupException, LocalStateException, KvException {
    try (LocalState.Lock lock = groups.lockGroup(g.id())) {
      Group now = groups.requireAdmin(g.id());
      JoinRequest request = requests(now).stream().filter(r -> r.card().equals(requester)).findFirst()
          .orElseThrow(() -> new GroupException(GroupException.Reason.NOT_A_MEMBER,
              "Nobody with that fingerprint asks to join \"" + now.name() + "\"."));
      Group out = now.withLinks(now.links().stream().map(l -> l.sameBoard(request.link()) ? l.deny(requester) : l)
          .toList());
      groups.save(out);
      return out;
    }
  }

  private byte[] requestSigned(JoinLink link, PublicCard card, String name) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes("reschat/v2 join request\0".getBytes(StandardCharsets.UTF_8));
    out.writeBytes(link.board());
    out.writeBytes(card.bytes());
    out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
