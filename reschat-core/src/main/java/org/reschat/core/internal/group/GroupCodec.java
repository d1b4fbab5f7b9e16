package org.reschat.core.internal.group;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.GroupException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.PageLimits;

/**
 * The JSON of a group as a member keeps it (sealed, see {@link GroupStore}):
 *
 * <pre>
 * {"v":1,"id":"b64u 16 or 18","name":"…","status":"active|removed|left","removedBy":"rc2:…",
 *  "epochs":[{"secret":"b64u 32","members":["rc2:…"],"admins":["rc2:…"],"parent":"id+id or empty",
 *             "cuts":{"fingerprint hex":[page,slots]}}],
 *  "links":[{"link","box","revoked","denied":[hex],"maker":"rc2:…","holders":[hex]}],
 *  "founder":{"card","nonce"}, "unconfirmedFrom":"rc2:…", "credential":[{"epoch","card","sig"}]}
 * </pre>
 * The last three are absent in a group kept before founders (a legacy group, read as such). The parser is
 * strict and bounded: at most {@link PageLimits#MAX_MEMBERS} members, 1,000 epochs, names of 1–64
 * characters; anything else is a {@link GroupException} of reason {@code MALFORMED}.
 */
final class GroupCodec {
  static final int MAX_EPOCHS = 1000;
  private static final Set<String> KEYS = Set.of("v", "id", "name", "epochs");
  private static final Set<String> OPTIONAL = Set.of("status", "removedBy", "links", "founder", "unconfirmedFrom",
      "credential");

  private GroupCodec() {}

  static String toJson(Group g) {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("id", g.id());
    o.addProperty("name", g.name());
    o.addProperty("status", g.status().name().toLowerCase(java.util.Locale.ROOT));
    g.removedBy().ifPresent(c -> o.addProperty("removedBy", c.toString()));
    JsonArray epochs = new JsonArray();
    for (Epoch e : g.epochs()) {
      JsonObject eo = new JsonObject();
      eo.addProperty("secret", Base64Url.encode(e.secret()));
      eo.add("members", OpJson.cards(e.members()));
      eo.add("admins", OpJson.cards(e.admins()));
      eo.addProperty("parent", OpJson.joinParents(e.parents()));
      eo.add("cuts", OpJson.cuts(e.cuts()));
      epochs.add(eo);
    }
    o.add("epochs", epochs);
    JsonArray links = new JsonArray();
    for (JoinLink l : g.links()) {
      JsonObject lo = new JsonObject();
      lo.addProperty("link", l.toString());
      l.boxSecret().ifPresent(secret -> lo.addProperty("box", Base64Url.encode(secret)));
      lo.addProperty("revoked", l.revoked());
      JsonArray denied = new JsonArray();
      l.denied().forEach(denied::add);
      lo.add("denied", denied);
      l.maker().ifPresent(m -> lo.addProperty("maker", m.toString()));
      lo.add("holders", OpJson.strings(l.holders()));
      links.add(lo);
    }
    o.add("links", links);
    g.trust().founder().ifPresent(f -> o.add("founder", OpJson.founder(f)));
    g.trust().unconfirmedFrom().ifPresent(c -> o.addProperty("unconfirmedFrom", c.toString()));
    g.trust().credential().ifPresent(c -> o.add("credential", OpJson.links(c)));
    return o.toString();
  }

  static Group parse(String json) throws GroupException {
    JsonObject o = OpJson.object(json.getBytes(StandardCharsets.UTF_8), KEYS, OPTIONAL)
        .orElseThrow(() -> bad("it is not a JSON object of a group"));
    if (OpJson.integer(o.get("v"), 1, 1).isEmpty()) {
      throw bad("it has no version 1");
    }
    String id = OpJson.groupId(o.get("id")).orElseThrow(() -> bad("its id is not 16 or 18 bytes of base64url"));
    String name = OpJson.name(o.get("name")).orElseThrow(() -> bad("its name is missing or longer than 64 characters"));
    Group.Status status = switch (OpJson.string(o.get("status")).orElse("active")) {
      case "active" -> Group.Status.ACTIVE;
      case "removed" -> Group.Status.REMOVED;
      case "left" -> Group.Status.LEFT;
      default -> throw bad("its status is unknown");
    };
    Optional<PublicCard> removedBy = o.has("removedBy")
        ? Optional.of(OpJson.card(o.get("removedBy")).orElseThrow(() -> bad("removedBy is not a card")))
        : Optional.empty();
    List<JsonElement> items = OpJson.array(o.get("epochs"), MAX_EPOCHS).filter(l -> !l.isEmpty())
        .orElseThrow(() -> bad("it has no list of epochs, or too many"));
    List<Epoch> epochs = new ArrayList<>();
    for (JsonElement e : items) {
      epochs.add(parseEpoch(e));
    }
    if (epochs.stream().map(Epoch::id).distinct().count() != epochs.size()) {
      throw bad("it lists an epoch twice");
    }
    List<JoinLink> links = new ArrayList<>();
    if (o.has("links")) {
      for (JsonElement l : OpJson.array(o.get("links"), MAX_EPOCHS).orElseThrow(() -> bad("its links are not a list"))) {
        links.add(parseLink(l));
      }
    }
    Optional<Founder> founder = o.has("founder")
        ? Optional.of(OpJson.founder(o.get("founder")).orElseThrow(() -> bad("its founder is malformed")))
        : Optional.empty();
    if (founder.isPresent() != Founder.isFounded(id) || founder.isPresent() && !founder.get().groupId().equals(id)) {
      throw bad("its founder does not match its id");
    }
    Optional<PublicCard> unconfirmedFrom = o.has("unconfirmedFrom")
        ? Optional.of(OpJson.card(o.get("unconfirmedFrom")).orElseThrow(() -> bad("unconfirmedFrom is not a card")))
        : Optional.empty();
    Optional<List<AdminLink>> credential = o.has("credential")
        ? Optional.of(OpJson.links(o.get("credential")).orElseThrow(() -> bad("its credential is malformed")))
        : Optional.empty();
    return new Group(id, name, epochs, status, removedBy, links, new GroupTrust(founder, unconfirmedFrom, credential));
  }

  private static JoinLink parseLink(JsonElement element) throws GroupException {
    JsonObject l = OpJson.object(element, Set.of("link"), Set.of("box", "revoked", "denied", "maker", "holders"))
        .orElseThrow(() -> bad("a link is not an object"));
    JoinLink parsed = JoinLink.parse(OpJson.string(l.get("link")).orElse("")).orElseThrow(() -> bad("a link is malformed"));
    Optional<byte[]> box = OpJson.bytes(l.get("box"), 32);
    boolean revoked = l.has("revoked") && l.get("revoked").isJsonPrimitive() && l.get("revoked").getAsJsonPrimitive()
        .isBoolean() && l.get("revoked").getAsBoolean();
    Optional<PublicCard> maker = l.has("maker")
        ? Optional.of(OpJson.card(l.get("maker")).orElseThrow(() -> bad("a link's maker is not a card")))
        : Optional.empty();
    return new JoinLink(parsed.board(), parsed.boxPublic(), box, revoked, fingerprints(l.get("denied")), maker,
        fingerprints(l.get("holders")));
  }

  private static List<String> fingerprints(JsonElement list) {
    List<String> out = new ArrayList<>();
    for (JsonElement f : OpJson.array(list, org.reschat.core.internal.board.Board.SLOTS).orElse(List.of())) {
      OpJson.string(f).filter(OpJson::isFingerprintHex).ifPresent(out::add);
    }
    return out;
  }

  private static Epoch parseEpoch(JsonElement element) throws GroupException {
    JsonObject e = OpJson.object(element, Set.of("secret", "members", "admins", "parent"), Set.of("cuts"))
        .orElseThrow(() -> bad("an epoch is not an object of an epoch"));
    byte[] secret = OpJson.bytes(e.get("secret"), 32).orElseThrow(() -> bad("an epoch secret is not 32 bytes of base64url"));
    List<PublicCard> members = OpJson.cards(e.get("members"), PageLimits.MAX_MEMBERS).filter(l -> !l.isEmpty())
        .orElseThrow(() -> bad("an epoch has no members, one twice, or more than " + PageLimits.MAX_MEMBERS));
    List<PublicCard> admins = OpJson.cards(e.get("admins"), PageLimits.MAX_MEMBERS)
        .orElseThrow(() -> bad("an epoch's admins are not a list of cards"));
    List<String> parents = OpJson.joinedParents(e.get("parent")).orElseThrow(() -> bad("an epoch's parent is malformed"));
    Map<String, Epoch.Cut> cuts = e.has("cuts") ? OpJson.cuts(e.get("cuts")).orElseThrow(() -> bad("an epoch's cut is malformed"))
        : Map.of();
    return new Epoch(Epoch.idOf(secret), secret, members, admins, parents, cuts);
  }

  static GroupException bad(String why) {
    return new GroupException(GroupException.Reason.MALFORMED, "Not a valid group: " + why + ".");
  }
}
