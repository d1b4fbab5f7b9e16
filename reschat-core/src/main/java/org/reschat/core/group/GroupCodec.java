package org.reschat.core.group;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.GroupException;
import org.reschat.core.InvalidCardException;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.json.StrictJson;
import org.reschat.core.page.PageLimits;

/**
 * The JSON of a group: what a member keeps (sealed) and what an invitation carries.
 *
 * <pre>
 * {"v":1,"id":"b64u 16","name":"…","status":"active|removed|left","removedBy":"rc2:…",
 *  "epochs":[{"secret":"b64u 32","members":["rc2:…"],"admins":["rc2:…"],"parent":"epoch id or empty",
 *             "cuts":{"fingerprint hex":[page,slots]}}]}
 * </pre>
 * The parser is strict and bounded: at most {@link PageLimits#MAX_MEMBERS} members, 1,000 epochs, names of
 * 1–64 characters; anything else is a {@link GroupException} of reason {@code MALFORMED}.
 */
final class GroupCodec {
  static final int MAX_EPOCHS = 1000;

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
      epochs.add(epoch(e));
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
      links.add(lo);
    }
    o.add("links", links);
    return o.toString();
  }

  static JsonObject epoch(Epoch e) {
    JsonObject eo = new JsonObject();
    eo.addProperty("secret", Base64Url.encode(e.secret()));
    eo.add("members", cards(e.members()));
    eo.add("admins", cards(e.admins()));
    eo.addProperty("parent", e.parent());
    JsonObject cuts = new JsonObject();
    e.cuts().forEach((fp, cut) -> {
      JsonArray a = new JsonArray();
      a.add(cut.page());
      a.add(cut.slots());
      cuts.add(fp, a);
    });
    eo.add("cuts", cuts);
    return eo;
  }

  static JsonArray cards(List<PublicCard> cards) {
    JsonArray a = new JsonArray();
    cards.forEach(c -> a.add(c.toString()));
    return a;
  }

  static Group parse(String json) throws GroupException {
    JsonObject o = StrictJson.parseObject(json).orElseThrow(() -> bad("it is not a JSON object"));
    if (StrictJson.integer(o, "v", 1, 1).isEmpty()) {
      throw bad("it has no version 1");
    }
    String id = StrictJson.string(o, "id").filter(s -> Base64Url.decode(s).map(b -> b.length == 16).orElse(false))
        .orElseThrow(() -> bad("its id is not 16 bytes of base64url"));
    String name = StrictJson.string(o, "name").filter(n -> !n.isBlank() && n.length() <= 64)
        .orElseThrow(() -> bad("its name is missing or longer than 64 characters"));
    Group.Status status;
    try {
      status = Group.Status.valueOf(StrictJson.string(o, "status").orElse("active").toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw bad("its status is unknown");
    }
    Optional<PublicCard> removedBy = o.has("removedBy")
        ? Optional.of(card(StrictJson.string(o, "removedBy").orElseThrow(() -> bad("removedBy is not a card"))))
        : Optional.empty();
    JsonElement epochsElement = o.get("epochs");
    if (epochsElement == null || !epochsElement.isJsonArray() || epochsElement.getAsJsonArray().isEmpty()
        || epochsElement.getAsJsonArray().size() > MAX_EPOCHS) {
      throw bad("it has no list of epochs, or too many");
    }
    List<Epoch> epochs = new ArrayList<>();
    for (JsonElement e : epochsElement.getAsJsonArray()) {
      epochs.add(parseEpoch(e));
    }
    List<JoinLink> links = new ArrayList<>();
    JsonElement linksElement = o.get("links");
    if (linksElement != null) {
      if (!linksElement.isJsonArray() || linksElement.getAsJsonArray().size() > MAX_EPOCHS) {
        throw bad("its links are not a list");
      }
      for (JsonElement l : linksElement.getAsJsonArray()) {
        links.add(parseLink(l));
      }
    }
    return new Group(id, name, epochs, status, removedBy, links);
  }

  private static JoinLink parseLink(JsonElement element) throws GroupException {
    if (!element.isJsonObject()) {
      throw bad("a link is not an object");
    }
    JsonObject l = element.getAsJsonObject();
    JoinLink parsed = JoinLink.parse(StrictJson.string(l, "link").orElse(""))
        .orElseThrow(() -> bad("a link is malformed"));
    Optional<byte[]> box = StrictJson.string(l, "box").flatMap(Base64Url::decode).filter(b -> b.length == 32);
    boolean revoked = StrictJson.bool(l, "revoked").orElse(false);
    List<String> denied = new ArrayList<>();
    JsonElement d = l.get("denied");
    if (d != null && d.isJsonArray() && d.getAsJsonArray().size() <= org.reschat.core.board.Board.SLOTS) {
      for (JsonElement f : d.getAsJsonArray()) {
        if (f.isJsonPrimitive() && f.getAsString().matches("[0-9a-f]{64}")) {
          denied.add(f.getAsString());
        }
      }
    }
    return new JoinLink(parsed.board(), parsed.boxPublic(), box, revoked, denied);
  }

  static Epoch parseEpoch(JsonElement element) throws GroupException {
    if (!element.isJsonObject()) {
      throw bad("an epoch is not an object");
    }
    JsonObject e = element.getAsJsonObject();
    byte[] secret = StrictJson.string(e, "secret").flatMap(Base64Url::decode).filter(b -> b.length == 32)
        .orElseThrow(() -> bad("an epoch secret is not 32 bytes of base64url"));
    List<PublicCard> members = cardList(e.get("members"));
    List<PublicCard> admins = cardList(e.get("admins"));
    if (members.isEmpty() || members.stream().distinct().count() != members.size()) {
      throw bad("an epoch has no members, or one twice");
    }
    String parent = StrictJson.string(e, "parent").orElseThrow(() -> bad("an epoch has no parent"));
    Map<String, Epoch.Cut> cuts = new HashMap<>();
    JsonElement c = e.get("cuts");
    if (c != null) {
      if (!c.isJsonObject() || c.getAsJsonObject().size() > PageLimits.MAX_MEMBERS) {
        throw bad("an epoch's cuts are not an object");
      }
      for (Map.Entry<String, JsonElement> cut : c.getAsJsonObject().entrySet()) {
        if (!cut.getKey().matches("[0-9a-f]{64}") || !cut.getValue().isJsonArray()
            || cut.getValue().getAsJsonArray().size() != 2) {
          throw bad("an epoch's cut is malformed");
        }
        try {
          long page = cut.getValue().getAsJsonArray().get(0).getAsLong();
          int slots = cut.getValue().getAsJsonArray().get(1).getAsInt();
          cuts.put(cut.getKey(), new Epoch.Cut(page, slots));
        } catch (RuntimeException ex) {
          throw bad("an epoch's cut is malformed");
        }
      }
    }
    return new Epoch(Epoch.idOf(secret), secret, members, admins, parent, cuts);
  }

  private static List<PublicCard> cardList(JsonElement e) throws GroupException {
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() > PageLimits.MAX_MEMBERS) {
      throw bad("a member list is missing or longer than " + PageLimits.MAX_MEMBERS);
    }
    List<PublicCard> out = new ArrayList<>();
    for (JsonElement c : e.getAsJsonArray()) {
      if (!c.isJsonPrimitive() || !c.getAsJsonPrimitive().isString()) {
        throw bad("a member is not a card");
      }
      out.add(card(c.getAsString()));
    }
    return out;
  }

  static PublicCard card(String text) throws GroupException {
    try {
      return PublicCard.parse(text);
    } catch (InvalidCardException e) {
      throw bad("a member's card is invalid (" + e.getMessage() + ")");
    }
  }

  static GroupException bad(String why) {
    return new GroupException(GroupException.Reason.MALFORMED, "Not a valid group: " + why + ".");
  }
}
