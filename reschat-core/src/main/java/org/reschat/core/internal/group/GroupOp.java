package org.reschat.core.internal.group;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.PageLimits;

/**
 * The group operations on the wire (protocol.md §9), one record each: {@code encode()} writes the body of
 * the message, {@code parse(byte[])} reads one strictly (exact members, bounded lists, canonical base64url,
 * valid cards) and returns empty for anything else. A parser never throws on what a hostile member can seal.
 * Whether an op may be applied is {@link MembershipRules}'; whether an invitation proves itself, {@link EpochCert}'s.
 */
sealed interface GroupOp permits GroupOp.Invite, GroupOp.Rotate, GroupOp.Leave, GroupOp.Entrust, GroupOp.Confirm,
    GroupOp.Link {

  /** The message type (field 1) this op travels as. */
  String type();

  byte[] encode();

  /** The op in a message of {@code type}, or empty when it is none (or not exactly one). */
  static Optional<GroupOp> parse(String type, byte[] body) {
    return switch (type) {
      case Groups.INVITE -> Invite.parse(body).map(x -> x);
      case Groups.ROTATE -> Rotate.parse(body).map(x -> x);
      case Groups.LEAVE -> Leave.parse(body).map(x -> x);
      case Groups.ENTRUST -> Entrust.parse(body).map(x -> x);
      case Groups.CONFIRM -> Confirm.parse(body).map(x -> x);
      case Groups.LINK -> Link.parse(body).map(x -> x);
      default -> Optional.empty();
    };
  }

  private static byte[] utf8(JsonObject o) {
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@code GROUP_INVITE} of versions 1 and 2, still read (this version writes version 3, {@link RosterInvite},
   * which names each epoch's roster instead of carrying every card; it resolves to this record once the
   * rosters are read), in the 1:1 conversation of inviter and invitee (or sealed in a join welcome): the
   * epochs the invitee may read, oldest first, the last the one it joins. Version 2 carries the inviter's
   * signed statement of that last epoch ({@link EpochCert}); version 1 (before statements) carries none and
   * is taken only for a legacy group.
   *
   * <pre>
   * v2: {"v":2,"id","name","founder":{"card","nonce"} (founded ids only),"epochs":[{"secret","members":[cards],
   *      "admins":[indices],"parents":[ids],"cuts":{hex:[page,slots]}}],"signer":index,"credential":[links],"sig"}
   * v1: {"v":1,"id","name","epochs":[{"secret","members":[cards],"admins":[cards],"parent":"id+id","cuts":{…}}]}
   * </pre>
   */
  record Invite(String id, String name, List<Epoch> epochs, Optional<EpochCert> cert) implements GroupOp {
    private static final Set<String> V2 = Set.of("v", "id", "name", "epochs", "signer", "credential", "sig");
    private static final Set<String> V2_EPOCH = Set.of("secret", "members", "admins", "parents", "cuts");
    private static final Set<String> V1 = Set.of("v", "id", "name", "epochs");
    private static final Set<String> V1_EPOCH = Set.of("secret", "members", "admins", "parent");

    public Invite {
      epochs = List.copyOf(epochs);
      if (epochs.isEmpty()) {
        throw new IllegalArgumentException("An invitation hands over at least one epoch");
      }
    }

    /** Whether no epoch is handed over twice (a parser refuses an invitation that does). */
    private static boolean distinct(List<Epoch> epochs) {
      return epochs.stream().map(Epoch::id).distinct().count() == epochs.size();
    }

    @Override
    public String type() {
      return Groups.INVITE;
    }

    /** The epoch the invitee joins. */
    Epoch current() {
      return epochs.get(epochs.size() - 1);
    }

    @Override
    public byte[] encode() {
      JsonObject o = new JsonObject();
      EpochCert c = cert.orElseThrow(() -> new IllegalStateException("This version writes proven invitations only"));
      o.addProperty("v", 2);
      o.addProperty("id", id);
      o.addProperty("name", name);
      c.founder().ifPresent(f -> o.add("founder", OpJson.founder(f)));
      JsonArray list = new JsonArray();
      for (Epoch e : epochs) {
        JsonObject eo = new JsonObject();
        eo.addProperty("secret", Base64Url.encode(e.secret()));
        eo.add("members", OpJson.cards(e.members()));
        eo.add("admins", OpJson.indicesOf(e.admins(), e.members()));
        eo.add("parents", OpJson.strings(e.parents()));
        eo.add("cuts", OpJson.cuts(e.cuts()));
        list.add(eo);
      }
      o.add("epochs", list);
      o.addProperty("signer", c.signer());
      o.add("credential", OpJson.links(c.credential()));
      o.addProperty("sig", Base64Url.encode(c.signature()));
      return utf8(o);
    }

    static Optional<Invite> parse(byte[] body) {
      Optional<JsonObject> o = OpJson.object(body, Set.of("v"), Set.of("id", "name", "epochs", "signer", "credential",
          "sig", "founder"));
      Optional<Long> v = o.flatMap(x -> OpJson.integer(x.get("v"), 1, 2));
      if (v.isEmpty()) {
        return Optional.empty();
      }
      return v.get() == 2 ? parseV2(o.get()) : parseV1(o.get());
    }

    private static Optional<Invite> parseV2(JsonObject o) {
      if (!OpJson.hasKeys(o, V2, Set.of("founder"))) {
        return Optional.empty();
      }
      Optional<String> id = OpJson.groupId(o.get("id"));
      Optional<String> name = OpJson.name(o.get("name"));
      Optional<List<JsonElement>> items = OpJson.array(o.get("epochs"), GroupCodec.MAX_EPOCHS).filter(l -> !l.isEmpty());
      Optional<List<AdminLink>> credential = OpJson.links(o.get("credential"));
      Optional<byte[]> sig = OpJson.bytes(o.get("sig"), 64);
      Optional<Founder> founder = o.has("founder") ? OpJson.founder(o.get("founder")) : Optional.empty();
      if (id.isEmpty() || name.isEmpty() || items.isEmpty() || credential.isEmpty() || sig.isEmpty()
          || (o.has("founder") && founder.isEmpty())) {
        return Optional.empty();
      }
      List<Epoch> epochs = new ArrayList<>();
      for (JsonElement item : items.get()) {
        Optional<JsonObject> eo = OpJson.object(item, V2_EPOCH, Set.of());
        Optional<List<PublicCard>> members = eo.flatMap(x -> OpJson.cards(x.get("members"), PageLimits.MAX_MEMBERS))
            .filter(l -> !l.isEmpty());
        Optional<List<Integer>> admins = members.flatMap(ms -> OpJson.indices(eo.get().get("admins"), ms.size(),
            ms.size()));
        Optional<Epoch> e = epoch(eo, members, admins.map(ix -> ix.stream().map(i -> members.get().get(i)).toList()),
            eo.flatMap(x -> OpJson.epochIds(x.get("parents"))), eo.flatMap(x -> OpJson.cuts(x.get("cuts"))));
        if (e.isEmpty()) {
          return Optional.empty();
        }
        epochs.add(e.get());
      }
      Epoch last = epochs.get(epochs.size() - 1);
      Optional<Long> signer = OpJson.integer(o.get("signer"), 0, last.members().size() - 1L);
      if (signer.isEmpty() || !distinct(epochs)) {
        return Optional.empty();
      }
      return Optional.of(new Invite(id.get(), name.get(), epochs, Optional.of(EpochCert.of(last, id.get(), name.get(),
          signer.get().intValue(), founder, credential.get(), sig.get()))));
    }

    private static Optional<Invite> parseV1(JsonObject o) {
      if (!OpJson.hasKeys(o, V1, Set.of())) {
        return Optional.empty();
      }
      Optional<String> id = OpJson.groupId(o.get("id")); // for a founded id it proves nothing: see Invitations
      Optional<String> name = OpJson.name(o.get("name"));
      Optional<List<JsonElement>> items = OpJson.array(o.get("epochs"), GroupCodec.MAX_EPOCHS).filter(l -> !l.isEmpty());
      if (id.isEmpty() || name.isEmpty() || items.isEmpty()) {
        return Optional.empty();
      }
      List<Epoch> epochs = new ArrayList<>();
      for (JsonElement item : items.get()) {
        Optional<JsonObject> eo = OpJson.object(item, V1_EPOCH, Set.of("cuts"));
        Optional<List<PublicCard>> members = eo.flatMap(x -> OpJson.cards(x.get("members"), PageLimits.MAX_MEMBERS))
            .filter(l -> !l.isEmpty());
        Optional<List<PublicCard>> admins = eo.flatMap(x -> OpJson.cards(x.get("admins"), PageLimits.MAX_MEMBERS))
            .filter(a -> members.isPresent() && members.get().containsAll(a));
        Optional<Map<String, Epoch.Cut>> cuts = eo.flatMap(x -> x.has("cuts") ? OpJson.cuts(x.get("cuts"))
            : Optional.of(Map.<String, Epoch.Cut>of()));
        Optional<Epoch> e = epoch(eo, members, admins, eo.flatMap(x -> OpJson.joinedParents(x.get("parent"))), cuts);
        if (e.isEmpty()) {
          return Optional.empty();
        }
        epochs.add(e.get());
      }
      return distinct(epochs) ? Optional.of(new Invite(id.get(), name.get(), epochs, Optional.empty())) : Optional.empty();
    }

    private static Optional<Epoch> epoch(Optional<JsonObject> eo, Optional<List<PublicCard>> members,
        Optional<List<PublicCard>> admins, Optional<List<String>> parents, Optional<Map<String, Epoch.Cut>> cuts) {
      Optional<byte[]> secret = eo.flatMap(x -> OpJson.bytes(x.get("secret"), 32));
      if (secret.isEmpty() || members.isEmpty() || admins.isEmpty() || parents.isEmpty() || cuts.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Epoch(Epoch.idOf(secret.get()), secret.get(), members.get(), admins.get(), parents.get(),
          cuts.get()));
    }
  }

  /**
   * {@code GROUP_ROTATE}, in the actor's feed of the old epoch: the next epoch's members (kept by index into
   * the old members, then added by card), admins, the members removed with where their feeds stop counting,
   * and the new secret wrapped to each member in order ({@code ""} for the actor). {@code appoint}, when the
   * rotation names an admin, is that admin's credential (the actor's links and one more).
   */
  record Rotate(String group, String parent, String epoch, List<Integer> keep, List<PublicCard> add,
      List<PublicCard> admins, Map<String, Epoch.Cut> removed, List<String> wraps, List<AdminLink> appoint)
      implements GroupOp {
    private static final Set<String> KEYS = Set.of("v", "group", "parent", "epoch", "keep", "add", "admins", "removed",
        "wraps");

    public Rotate {
      keep = List.copyOf(keep);
      add = List.copyOf(add);
      admins = List.copyOf(admins);
      removed = Map.copyOf(removed);
      wraps = List.copyOf(wraps);
      appoint = List.copyOf(appoint);
    }

    @Override
    public String type() {
      return Groups.ROTATE;
    }

    /** The next epoch's members in order, or empty when an index is not one of {@code old}'s members. */
    Optional<List<PublicCard>> members(Epoch old) {
      List<PublicCard> out = new ArrayList<>();
      for (int k : keep) {
        if (k >= old.members().size()) {
          return Optional.empty();
        }
        out.add(old.members().get(k));
      }
      for (PublicCard a : add) {
        if (out.contains(a)) {
          return Optional.empty();
        }
        out.add(a);
      }
      return Optional.of(out);
    }

    @Override
    public byte[] encode() {
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.addProperty("group", group);
      o.addProperty("parent", parent);
      o.addProperty("epoch", epoch);
      JsonArray k = new JsonArray();
      keep.forEach(k::add);
      o.add("keep", k);
      o.add("add", OpJson.cards(add));
      o.add("admins", OpJson.cards(admins));
      o.add("removed", OpJson.cuts(removed));
      o.add("wraps", OpJson.strings(wraps));
      if (!appoint.isEmpty()) {
        o.add("appoint", OpJson.links(appoint));
      }
      return utf8(o);
    }

    static Optional<Rotate> parse(byte[] body) {
      Optional<JsonObject> o = OpJson.object(body, KEYS, Set.of("appoint"));
      if (o.isEmpty() || OpJson.integer(o.get().get("v"), 1, 1).isEmpty()) {
        return Optional.empty();
      }
      JsonObject x = o.get();
      Optional<String> group = OpJson.groupId(x.get("group"));
      Optional<String> parent = OpJson.epochId(x.get("parent"));
      Optional<String> epoch = OpJson.epochId(x.get("epoch"));
      Optional<List<Integer>> keep = OpJson.indices(x.get("keep"), PageLimits.MAX_MEMBERS, PageLimits.MAX_MEMBERS);
      Optional<List<PublicCard>> add = OpJson.cards(x.get("add"), PageLimits.MAX_MEMBERS);
      Optional<List<PublicCard>> admins = OpJson.cards(x.get("admins"), PageLimits.MAX_MEMBERS);
      Optional<Map<String, Epoch.Cut>> removed = OpJson.cuts(x.get("removed"));
      Optional<List<String>> wraps = OpJson.array(x.get("wraps"), PageLimits.MAX_MEMBERS).flatMap(Rotate::wrapList);
      Optional<List<AdminLink>> appoint = x.has("appoint") ? OpJson.links(x.get("appoint")).filter(l -> !l.isEmpty())
          : Optional.of(List.of());
      if (group.isEmpty() || parent.isEmpty() || epoch.isEmpty() || keep.isEmpty() || add.isEmpty() || admins.isEmpty()
          || removed.isEmpty() || wraps.isEmpty() || appoint.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Rotate(group.get(), parent.get(), epoch.get(), keep.get(), add.get(), admins.get(),
          removed.get(), wraps.get(), appoint.get()));
    }

    private static Optional<List<String>> wrapList(List<JsonElement> items) {
      List<String> out = new ArrayList<>();
      for (JsonElement w : items) {
        Optional<String> s = OpJson.string(w).filter(t -> t.isEmpty() || Base64Url.decode(t).isPresent());
        if (s.isEmpty()) {
          return Optional.empty();
        }
        out.add(s.get());
      }
      return Optional.of(out);
    }
  }

  /**
   * {@code GROUP_LEAVE}, in the leaver's feed of the epoch it leaves. A leaver who is the epoch's last admin
   * appoints the member who becomes admin by the rule ({@code appoint}: its credential), so that member's
   * invitations still prove themselves.
   */
  record Leave(String group, String epoch, List<AdminLink> appoint) implements GroupOp {
    public Leave {
      appoint = List.copyOf(appoint);
    }

    @Override
    public String type() {
      return Groups.LEAVE;
    }

    @Override
    public byte[] encode() {
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.addProperty("group", group);
      o.addProperty("epoch", epoch);
      if (!appoint.isEmpty()) {
        o.add("appoint", OpJson.links(appoint));
      }
      return utf8(o);
    }

    static Optional<Leave> parse(byte[] body) {
      Optional<JsonObject> o = OpJson.object(body, Set.of("v", "group", "epoch"), Set.of("appoint"));
      if (o.isEmpty() || OpJson.integer(o.get().get("v"), 1, 1).isEmpty()) {
        return Optional.empty();
      }
      Optional<String> group = OpJson.groupId(o.get().get("group"));
      Optional<String> epoch = OpJson.epochId(o.get().get("epoch"));
      Optional<List<AdminLink>> appoint = o.get().has("appoint")
          ? OpJson.links(o.get().get("appoint")).filter(l -> !l.isEmpty()) : Optional.of(List.of());
      return group.isPresent() && epoch.isPresent() && appoint.isPresent()
          ? Optional.of(new Leave(group.get(), epoch.get(), appoint.get())) : Optional.empty();
    }
  }

  /**
   * {@code GROUP_ENTRUST}, in a branch epoch: the merge of concurrent epochs, wrapped (by fingerprint hex)
   * to the branch's members who cannot derive it.
   */
  record Entrust(String group, String epoch, List<String> parents, List<PublicCard> members, List<PublicCard> admins,
      Map<String, String> wraps) implements GroupOp {
    private static final Set<String> KEYS = Set.of("v", "group", "epoch", "parent", "members", "admins", "wraps");

    public Entrust {
      parents = List.copyOf(parents);
      members = List.copyOf(members);
      admins = List.copyOf(admins);
      wraps = Map.copyOf(wraps);
    }

    @Override
    public String type() {
      return Groups.ENTRUST;
    }

    @Override
    public byte[] encode() {
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.addProperty("group", group);
      o.addProperty("epoch", epoch);
      o.addProperty("parent", OpJson.joinParents(parents));
      o.add("members", OpJson.cards(members));
      o.add("admins", OpJson.cards(admins));
      JsonObject w = new JsonObject();
      new java.util.TreeMap<>(wraps).forEach(w::addProperty);
      o.add("wraps", w);
      return utf8(o);
    }

    static Optional<Entrust> parse(byte[] body) {
      Optional<JsonObject> o = OpJson.object(body, KEYS, Set.of());
      if (o.isEmpty() || OpJson.integer(o.get().get("v"), 1, 1).isEmpty()) {
        return Optional.empty();
      }
      JsonObject x = o.get();
      Optional<String> group = OpJson.groupId(x.get("group"));
      Optional<String> epoch = OpJson.epochId(x.get("epoch"));
      Optional<List<String>> parents = OpJson.joinedParents(x.get("parent")).filter(p -> !p.isEmpty());
      Optional<List<PublicCard>> members = OpJson.cards(x.get("members"), PageLimits.MAX_MEMBERS)
          .filter(l -> !l.isEmpty());
      Optional<List<PublicCard>> admins = OpJson.cards(x.get("admins"), PageLimits.MAX_MEMBERS)
          .filter(a -> members.isPresent() && members.get().containsAll(a));
      Optional<Map<String, String>> wraps = wraps(x.get("wraps"));
      if (group.isEmpty() || epoch.isEmpty() || parents.isEmpty() || members.isEmpty() || admins.isEmpty()
          || wraps.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Entrust(group.get(), epoch.get(), parents.get(), members.get(), admins.get(), wraps.get()));
    }

    static Optional<Map<String, String>> wraps(JsonElement e) {
      if (e == null || !e.isJsonObject() || e.getAsJsonObject().size() > PageLimits.MAX_MEMBERS) {
        return Optional.empty();
      }
      Map<String, String> out = new HashMap<>();
      for (Map.Entry<String, JsonElement> w : e.getAsJsonObject().entrySet()) {
        Optional<String> wrap = OpJson.string(w.getValue()).filter(t -> Base64Url.decode(t).isPresent());
        if (!OpJson.isFingerprintHex(w.getKey()) || wrap.isEmpty()) {
          return Optional.empty();
        }
        out.put(w.getKey(), wrap.get());
      }
      return Optional.of(out);
    }
  }

  /**
   * {@code GROUP_CONFIRM}, in an admin's feed of an epoch another member made by adding someone: the admin's
   * signed statement of that epoch, which a newcomer whose invitation did not prove itself takes as the
   * proof it lacked.
   */
  record Confirm(EpochCert cert) implements GroupOp {
    private static final Set<String> KEYS = Set.of("v", "group", "name", "epoch", "parents", "members", "admins",
        "signer", "credential", "sig");

    @Override
    public String type() {
      return Groups.CONFIRM;
    }

    @Override
    public byte[] encode() {
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.addProperty("group", cert.groupId());
      o.addProperty("name", cert.name());
      o.addProperty("epoch", cert.epochId());
      o.add("parents", OpJson.strings(cert.parents()));
      o.add("members", OpJson.cards(cert.members()));
      o.add("admins", OpJson.indicesOf(cert.admins(), cert.members()));
      cert.founder().ifPresent(f -> o.add("founder", OpJson.founder(f)));
      o.addProperty("signer", cert.signer());
      o.add("credential", OpJson.links(cert.credential()));
      o.addProperty("sig", Base64Url.encode(cert.signature()));
      return utf8(o);
    }

    static Optional<Confirm> parse(byte[] body) {
      Optional<JsonObject> o = OpJson.object(body, KEYS, Set.of("founder"));
      if (o.isEmpty() || OpJson.integer(o.get().get("v"), 1, 1).isEmpty()) {
        return Optional.empty();
      }
      JsonObject x = o.get();
      Optional<String> group = OpJson.groupId(x.get("group"));
      Optional<String> name = OpJson.name(x.get("name"));
      Optional<String> epoch = OpJson.epochId(x.get("epoch"));
      Optional<List<String>> parents = OpJson.epochIds(x.get("parents"));
      Optional<List<PublicCard>> members = OpJson.cards(x.get("members"), PageLimits.MAX_MEMBERS)
          .filter(l -> !l.isEmpty());
      Optional<List<Integer>> admins = members.flatMap(ms -> OpJson.indices(x.get("admins"), ms.size(), ms.size()));
      Optional<Long> signer = members.flatMap(ms -> OpJson.integer(x.get("signer"), 0, ms.size() - 1L));
      Optional<Founder> founder = x.has("founder") ? OpJson.founder(x.get("founder")) : Optional.empty();
      Optional<List<AdminLink>> credential = OpJson.links(x.get("credential"));
      Optional<byte[]> sig = OpJson.bytes(x.get("sig"), 64);
      if (group.isEmpty() || name.isEmpty() || epoch.isEmpty() || parents.isEmpty() || members.isEmpty()
          || admins.isEmpty() || signer.isEmpty() || (x.has("founder") && founder.isEmpty()) || credential.isEmpty()
          || sig.isEmpty()) {
        return Optional.empty();
      }
      List<PublicCard> adminCards = admins.get().stream().map(i -> members.get().get(i)).toList();
      return Optional.of(new Confirm(new EpochCert(group.get(), name.get(), epoch.get(), parents.get(), members.get(),
          adminCards, signer.get().intValue(), founder, credential.get(), sig.get())));
    }
  }

  /**
   * {@code GROUP_LINK}, in an admin's feed of the current epoch: what the writer states of one join link
   * ({@link LinkSharing}): that it exists and who made it, whether it is revoked, requesters denied, and the
   * box's private key sealed to some admins (by fingerprint hex: HPKE to their card's X25519 key). Every fact
   * only adds to what a reader holds, so the op may carry only what changed. {@code credential} is the
   * writer's admin credential (empty for the founder, or in a legacy group).
   */
  record Link(String group, String epoch, JoinLink link, PublicCard maker, boolean revoked, List<String> denied,
      Map<String, String> boxes, List<AdminLink> credential) implements GroupOp {
    /** Most denials and most sealed boxes one op carries: a writer splits more over several (each fits a message). */
    static final int MAX_PER_OP = 32;
    private static final Set<String> KEYS = Set.of("v", "group", "epoch", "link", "maker", "revoked", "denied", "boxes",
        "credential");

    public Link {
      denied = List.copyOf(denied);
      boxes = Map.copyOf(boxes);
      credential = List.copyOf(credential);
      if (denied.size() > MAX_PER_OP || boxes.size() > MAX_PER_OP) {
        throw new IllegalArgumentException("A link op carries at most " + MAX_PER_OP + " denials and boxes");
      }
    }

    @Override
    public String type() {
      return Groups.LINK;
    }

    @Override
    public byte[] encode() {
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.addProperty("group", group);
      o.addProperty("epoch", epoch);
      o.addProperty("link", link.toString());
      o.addProperty("maker", maker.toString());
      o.addProperty("revoked", revoked);
      o.add("denied", OpJson.strings(denied));
      JsonObject b = new JsonObject();
      new java.util.TreeMap<>(boxes).forEach(b::addProperty);
      o.add("boxes", b);
      o.add("credential", OpJson.links(credential));
      return utf8(o);
    }

    static Optional<Link> parse(byte[] body) {
      Optional<JsonObject> o = OpJson.object(body, KEYS, Set.of());
      if (o.isEmpty() || OpJson.integer(o.get().get("v"), 1, 1).isEmpty()) {
        return Optional.empty();
      }
      JsonObject x = o.get();
      Optional<String> group = OpJson.groupId(x.get("group"));
      Optional<String> epoch = OpJson.epochId(x.get("epoch"));
      Optional<JoinLink> link = OpJson.string(x.get("link")).flatMap(JoinLink::parse)
          .filter(l -> l.toString().equals(x.get("link").getAsString())); // canonical only
      Optional<PublicCard> maker = OpJson.card(x.get("maker"));
      JsonElement revoked = x.get("revoked");
      boolean isBoolean = revoked.isJsonPrimitive() && revoked.getAsJsonPrimitive().isBoolean();
      Optional<List<String>> denied = OpJson.array(x.get("denied"), MAX_PER_OP).flatMap(Link::fingerprints);
      Optional<Map<String, String>> boxes = Entrust.wraps(x.get("boxes")).filter(m -> m.size() <= MAX_PER_OP);
      Optional<List<AdminLink>> credential = OpJson.links(x.get("credential"));
      if (group.isEmpty() || epoch.isEmpty() || link.isEmpty() || maker.isEmpty() || !isBoolean || denied.isEmpty()
          || boxes.isEmpty() || credential.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Link(group.get(), epoch.get(), link.get(), maker.get(), revoked.getAsBoolean(),
          denied.get(), boxes.get(), credential.get()));
    }

    private static Optional<List<String>> fingerprints(List<JsonElement> items) {
      List<String> out = new ArrayList<>();
      for (JsonElement f : items) {
        Optional<String> hex = OpJson.string(f).filter(OpJson::isFingerprintHex);
        if (hex.isEmpty() || out.contains(hex.get())) {
          return Optional.empty();
        }
        out.add(hex.get());
      }
      return Optional.of(out);
    }
  }
}
