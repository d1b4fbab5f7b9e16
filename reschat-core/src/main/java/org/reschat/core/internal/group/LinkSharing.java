package org.reschat.core.internal.group;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvException;

/**
 * Every admin of a group holds the join links any admin made (protocol.md §9 "Join links"): a
 * {@code GROUP_LINK} in the writer's feed of the current epoch states a link, its revocation or a denial, and
 * seals the box's private key to admins only (HPKE to each admin card's X25519 key), never to a plain member.
 * What an admin's client reads there only adds to what it holds ({@link JoinLink#merged}); after each change
 * and each receive it seals its open links to admins who lack them (one appointed later) and revokes every
 * open link an admin no longer in office held (their box key would still open the requests posted to it).
 */
final class LinkSharing {
  /** Most links a group keeps (revoked ones stay, so that a replayed op cannot open them again). */
  static final int MAX_LINKS = 256;
  private static final byte[] BOX_INFO = "reschat/v2 group link box".getBytes(StandardCharsets.UTF_8);

  private final Identity me;
  private final GroupStore store;
  private final OpWriter writer;

  LinkSharing(Identity me, GroupStore store, OpWriter writer) {
    this.me = me;
    this.store = store;
    this.writer = writer;
  }

  /**
   * Whether this member's link ops are taken by the others: an admin of the current epoch in a confirmed
   * group who can prove it (a credential from the founder; a legacy group needs none).
   */
  boolean canShare(Group g) {
    return g.status() == Group.Status.ACTIVE && g.confirmed() && g.current().isAdmin(me.card())
        && (g.trust().founder().isEmpty() || g.trust().credential().isPresent());
  }

  /** Tells the other admins what changed of {@code link} (held in {@code g}): a revocation, or {@code denied}. */
  void tell(Group g, JoinLink link, List<String> denied, String summary) throws LocalStateException, KvException {
    if (canShare(g)) {
      send(g, link, List.of(), denied, summary);
    }
  }

  /**
   * Revokes every open link an admin who is no longer one held (made, or was sealed), and seals every other
   * open link this member holds to the admins who lack it. Returns the group as saved.
   */
  Group share(Group g) throws LocalStateException, KvException {
    if (!canShare(g)) {
      return g;
    }
    Set<String> admins = new LinkedHashSet<>();
    g.current().effectiveAdmins().forEach(a -> admins.add(Epoch.hex(a)));
    List<JoinLink> links = new ArrayList<>();
    boolean changed = false;
    for (JoinLink l : g.links()) {
      JoinLink now = l.maker().isPresent() ? l : l.madeBy(me.card()); // kept before links were shared: ours
      List<PublicCard> lacking = lacking(g, now);
      if (!now.revoked() && !admins.containsAll(holders(now))) {
        now = now.revoke();
        send(g, now, List.of(), List.of(), "revoked a join link a former admin held");
      } else if (!now.revoked() && now.boxSecret().isPresent() && !lacking.isEmpty()) {
        send(g, now, lacking, List.of(), "shared a join link with the admins");
        now = now.heldBy(lacking.stream().map(Epoch::hex).toList());
      }
      changed |= now != l;
      links.add(now);
    }
    if (!changed) {
      return g;
    }
    Group out = g.withLinks(links);
    store.save(out);
    return out;
  }

  /** The admins not known to hold {@code l}: this member too for a link just made (its other devices read it). */
  private List<PublicCard> lacking(Group g, JoinLink l) {
    return g.current().effectiveAdmins().stream().filter(a -> !l.holders().contains(Epoch.hex(a))).toList();
  }

  private static Set<String> holders(JoinLink l) {
    Set<String> out = new LinkedHashSet<>(l.holders());
    l.maker().ifPresent(m -> out.add(Epoch.hex(m)));
    return out;
  }

  /**
   * Takes what an admin states of a link (checked by {@link MembershipRules}): only this member as an admin
   * learns new links (a member no longer one, only what became of those it holds); the box key only when its
   * seal opens to the key of the link's public half. A link under a
   * board held with another box, or past {@link #MAX_LINKS}, changes nothing.
   */
  Group apply(Group g, PublicCard writer, GroupOp.Link op) throws LocalStateException {
    if (g.status() != Group.Status.ACTIVE || !g.confirmed()) {
      return g;
    }
    boolean admin = g.current().isAdmin(me.card()); // one no longer an admin learns only what became of its links
    Optional<byte[]> secret = Optional.ofNullable(op.boxes().get(Epoch.hex(me.card()))).filter(b -> admin)
        .flatMap(box -> openBox(me, g.id(), op.link(), box));
    List<String> holders = new ArrayList<>(op.boxes().keySet());
    holders.add(Epoch.hex(op.maker()));
    if (!op.revoked()) {
      holders.add(Epoch.hex(writer)); // it wrote of an open link: it holds the box
    }
    JoinLink stated = new JoinLink(op.link().board(), op.link().boxPublic(), secret, op.revoked(), op.denied(),
        Optional.of(op.maker()), holders);
    List<JoinLink> links = new ArrayList<>(g.links());
    int at = indexOf(links, stated);
    if (at < 0 && (links.size() >= MAX_LINKS || !admin)) {
      return g;
    }
    if (at >= 0 && !Arrays.equals(links.get(at).boxPublic(), stated.boxPublic())) {
      return g; // the same board with another box: not the link held
    }
    JoinLink merged = at < 0 ? stated : links.get(at).merged(stated);
    if (at >= 0 && sameFacts(links.get(at), merged)) {
      return g; // nothing new (an op read again by a history)
    }
    if (at < 0) {
      links.add(merged);
    } else {
      links.set(at, merged);
    }
    Group out = g.withLinks(links);
    store.save(out);
    return out;
  }

  private static int indexOf(List<JoinLink> links, JoinLink l) {
    for (int i = 0; i < links.size(); i++) {
      if (links.get(i).sameBoard(l)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean sameFacts(JoinLink a, JoinLink b) {
    return a.revoked() == b.revoked() && a.denied().equals(b.denied()) && a.holders().equals(b.holders())
        && a.maker().equals(b.maker()) && a.boxSecret().isPresent() == b.boxSecret().isPresent();
  }

  /** A box's private key {@code secret}, sealed to {@code to} for {@code link} of group {@code groupId}: b64u. */
  static String sealBox(Hpke hpke, String groupId, JoinLink link, byte[] secret, PublicCard to) {
    return Base64Url.encode(hpke.seal(to.encryptionKey(), BOX_INFO, aad(groupId, link), secret));
  }

  /** The box key {@code box} seals to {@code me}, when it opens and is the private half of {@code link}'s box. */
  static Optional<byte[]> openBox(Identity me, String groupId, JoinLink link, String box) {
    Optional<byte[]> sealed = Base64Url.decode(box);
    if (sealed.isEmpty()) {
      return Optional.empty();
    }
    try {
      byte[] secret = Secrets.of(me).openSealed(BOX_INFO, aad(groupId, link), sealed.get());
      return secret.length == 32 && Arrays.equals(JoinLink.publicOf(secret), link.boxPublic())
          ? Optional.of(secret) : Optional.empty();
    } catch (Hpke.OpenFailedException e) {
      return Optional.empty();
    }
  }

  private static byte[] aad(String groupId, JoinLink link) {
    return (groupId + "\0" + link).getBytes(StandardCharsets.UTF_8);
  }

  /** Writes what this member states of {@code link}: as several ops when the boxes or denials pass one's bound. */
  private void send(Group g, JoinLink link, List<PublicCard> sealTo, List<String> denied, String summary)
      throws LocalStateException, KvException {
    Map<String, String> boxes = new TreeMap<>();
    for (PublicCard admin : sealTo) {
      boxes.put(Epoch.hex(admin), sealBox(Hpke.standard(), g.id(), link, link.boxSecret().orElseThrow(), admin));
    }
    List<Map.Entry<String, String>> boxList = new ArrayList<>(boxes.entrySet());
    int per = GroupOp.Link.MAX_PER_OP;
    int parts = Math.max(1, Math.max(ceil(boxList.size(), per), ceil(denied.size(), per)));
    for (int i = 0; i < parts; i++) {
      Map<String, String> part = new TreeMap<>();
      boxList.subList(Math.min(i * per, boxList.size()), Math.min((i + 1) * per, boxList.size()))
          .forEach(e -> part.put(e.getKey(), e.getValue()));
      List<String> deniedPart = denied.subList(Math.min(i * per, denied.size()), Math.min((i + 1) * per, denied.size()));
      writer.link(g, new GroupOp.Link(g.id(), g.current().id(), link, link.maker().orElse(me.card()), link.revoked(),
          deniedPart, part, g.trust().credential().orElse(List.of())), summary);
    }
  }

  private static int ceil(int n, int per) {
    return (n + per - 1) / per;
  }
}
