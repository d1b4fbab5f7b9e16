package org.reschat.core.internal.group;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.reschat.core.InvalidCardException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.internal.page.PageLimits;

/**
 * Strict readers and writers of the JSON parts group ops share. Every reader returns empty for anything that
 * is not exactly the expected shape (type, size, canonical base64url, a valid card); none throws on hostile
 * input, so a parser built from them never needs a catch-all.
 */
final class OpJson {
  /** Most parents a merge names; members bound it, and a bound keeps a hostile list small. */
  static final int MAX_PARENTS = PageLimits.MAX_MEMBERS;
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private OpJson() {}

  /** The one JSON object {@code body} holds (strict UTF-8, strict JSON), with exactly {@code required} plus some of {@code optional}. */
  static Optional<JsonObject> object(byte[] body, Set<String> required, Set<String> optional) {
    return StrictJson.parseObject(body).filter(o -> hasKeys(o, required, optional));
  }

  static boolean hasKeys(JsonObject o, Set<String> required, Set<String> optional) {
    for (String k : o.keySet()) {
      if (!required.contains(k) && !optional.contains(k)) {
        return false;
      }
    }
    return o.keySet().containsAll(required);
  }

  static Optional<JsonObject> object(JsonElement e, Set<String> required, Set<String> optional) {
    return e != null && e.isJsonObject() && hasKeys(e.getAsJsonObject(), required, optional)
        ? Optional.of(e.getAsJsonObject()) : Optional.empty();
  }

  static Optional<String> string(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? Optional.of(e.getAsString())
        : Optional.empty();
  }

  /** An integer in [min, max]. */
  static Optional<Long> integer(JsonElement e, long min, long max) {
    if (e == null) {
      return Optional.empty();
    }
    JsonObject holder = new JsonObject();
    holder.add("n", e);
    return StrictJson.integer(holder, "n", min, max);
  }

  static Optional<List<JsonElement>> array(JsonElement e, int max) {
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() > max) {
      return Optional.empty();
    }
    List<JsonElement> out = new ArrayList<>();
    e.getAsJsonArray().forEach(out::add);
    return Optional.of(out);
  }

  /** Bytes of exactly {@code length} (any length when negative), as canonical base64url. */
  static Optional<byte[]> bytes(JsonElement e, int length) {
    return string(e).flatMap(Base64Url::decode).filter(b -> length < 0 || b.length == length);
  }

  static Optional<PublicCard> card(JsonElement e) {
    Optional<String> text = string(e).filter(t -> t.length() == PublicCard.TEXT_LENGTH);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(PublicCard.parse(text.get()));
    } catch (InvalidCardException notACard) {
      return Optional.empty();
    }
  }

  /** A list of at most {@code max} distinct cards. */
  static Optional<List<PublicCard>> cards(JsonElement e, int max) {
    Optional<List<JsonElement>> items = array(e, max);
    if (items.isEmpty()) {
      return Optional.empty();
    }
    List<PublicCard> out = new ArrayList<>();
    for (JsonElement item : items.get()) {
      Optional<PublicCard> c = card(item);
      if (c.isEmpty() || out.contains(c.get())) {
        return Optional.empty();
      }
      out.add(c.get());
    }
    return Optional.of(out);
  }

  /** A list of at most {@code max} distinct integers in [0, bound). */
  static Optional<List<Integer>> indices(JsonElement e, int max, int bound) {
    Optional<List<JsonElement>> items = array(e, max);
    if (items.isEmpty()) {
      return Optional.empty();
    }
    List<Integer> out = new ArrayList<>();
    for (JsonElement item : items.get()) {
      Optional<Long> i = integer(item, 0, bound - 1L);
      if (i.isEmpty() || out.contains(i.get().intValue())) {
        return Optional.empty();
      }
      out.add(i.get().intValue());
    }
    return Optional.of(out);
  }

  static Optional<String> groupId(JsonElement e) {
    return string(e).filter(Founder::isGroupId);
  }

  static Optional<String> epochId(JsonElement e) {
    return string(e).filter(Epoch::isId);
  }

  /** A list of distinct epoch ids. */
  static Optional<List<String>> epochIds(JsonElement e) {
    Optional<List<JsonElement>> items = array(e, MAX_PARENTS);
    if (items.isEmpty()) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    for (JsonElement item : items.get()) {
      Optional<String> id = epochId(item);
      if (id.isEmpty() || out.contains(id.get())) {
        return Optional.empty();
      }
      out.add(id.get());
    }
    return Optional.of(out);
  }

  /** Parents written as one string, {@code ""} or {@code "id"} or {@code "id1+id2+…"} (the v1 ops' spelling). */
  static Optional<List<String>> joinedParents(JsonElement e) {
    Optional<String> text = string(e);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (text.get().isEmpty()) {
      return Optional.of(List.of());
    }
    List<String> out = new ArrayList<>();
    for (String id : text.get().split("\\+", -1)) {
      if (!Epoch.isId(id) || out.contains(id) || out.size() >= MAX_PARENTS) {
        return Optional.empty();
      }
      out.add(id);
    }
    return Optional.of(out);
  }

  static String joinParents(List<String> parents) {
    return String.join("+", parents);
  }

  static boolean isFingerprintHex(String s) {
    return HEX64.matcher(s).matches();
  }

  /** Cuts by fingerprint hex: {@code {"hex":[page, slots]}}. */
  static Optional<Map<String, Epoch.Cut>> cuts(JsonElement e) {
    if (e == null || !e.isJsonObject() || e.getAsJsonObject().size() > PageLimits.MAX_MEMBERS) {
      return Optional.empty();
    }
    Map<String, Epoch.Cut> out = new HashMap<>();
    for (Map.Entry<String, JsonElement> c : e.getAsJsonObject().entrySet()) {
      Optional<List<JsonElement>> pair = array(c.getValue(), 2).filter(p -> p.size() == 2);
      if (!isFingerprintHex(c.getKey()) || pair.isEmpty()) {
        return Optional.empty();
      }
      Optional<Long> page = integer(pair.get().get(0), 1, org.reschat.core.internal.conversation.Conversation.MAX_PAGE_NUMBER);
      Optional<Long> slots = integer(pair.get().get(1), 0, PageLimits.SLOTS_PER_PAGE);
      if (page.isEmpty() || slots.isEmpty()) {
        return Optional.empty();
      }
      out.put(c.getKey(), new Epoch.Cut(page.get(), slots.get().intValue()));
    }
    return Optional.of(out);
  }

  static JsonObject cuts(Map<String, Epoch.Cut> cuts) {
    JsonObject o = new JsonObject();
    cuts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(c -> {
      JsonArray a = new JsonArray();
      a.add(c.getValue().page());
      a.add(c.getValue().slots());
      o.add(c.getKey(), a);
    });
    return o;
  }

  static JsonArray cards(List<PublicCard> cards) {
    JsonArray a = new JsonArray();
    cards.forEach(c -> a.add(c.toString()));
    return a;
  }

  static JsonArray strings(List<String> strings) {
    JsonArray a = new JsonArray();
    strings.forEach(a::add);
    return a;
  }

  static JsonArray indicesOf(List<PublicCard> subset, List<PublicCard> in) {
    JsonArray a = new JsonArray();
    subset.forEach(c -> a.add(new JsonPrimitive(in.indexOf(c))));
    return a;
  }

  static JsonObject founder(Founder f) {
    JsonObject o = new JsonObject();
    o.addProperty("card", f.card().toString());
    o.addProperty("nonce", Base64Url.encode(f.nonce()));
    return o;
  }

  static Optional<Founder> founder(JsonElement e) {
    Optional<JsonObject> o = object(e, Set.of("card", "nonce"), Set.of());
    if (o.isEmpty()) {
      return Optional.empty();
    }
    Optional<PublicCard> card = card(o.get().get("card"));
    Optional<byte[]> nonce = bytes(o.get().get("nonce"), Founder.NONCE_BYTES);
    return card.isPresent() && nonce.isPresent() ? Optional.of(new Founder(card.get(), nonce.get())) : Optional.empty();
  }

  static JsonArray links(List<AdminLink> links) {
    JsonArray a = new JsonArray();
    for (AdminLink l : links) {
      JsonObject o = new JsonObject();
      o.addProperty("epoch", l.epochId());
      o.addProperty("card", l.appointee().toString());
      o.addProperty("sig", Base64Url.encode(l.signature()));
      a.add(o);
    }
    return a;
  }

  static Optional<List<AdminLink>> links(JsonElement e) {
    Optional<List<JsonElement>> items = array(e, AdminLink.MAX_CHAIN);
    if (items.isEmpty()) {
      return Optional.empty();
    }
    List<AdminLink> out = new ArrayList<>();
    for (JsonElement item : items.get()) {
      Optional<JsonObject> o = object(item, Set.of("epoch", "card", "sig"), Set.of());
      Optional<String> epoch = o.flatMap(x -> epochId(x.get("epoch")));
      Optional<PublicCard> card = o.flatMap(x -> card(x.get("card")));
      Optional<byte[]> sig = o.flatMap(x -> bytes(x.get("sig"), 64));
      if (epoch.isEmpty() || card.isEmpty() || sig.isEmpty()) {
        return Optional.empty();
      }
      out.add(new AdminLink(epoch.get(), card.get(), sig.get()));
    }
    return Optional.of(out);
  }

  static Optional<String> name(JsonElement e) {
    return string(e).filter(n -> !n.isBlank() && n.length() <= Groups.MAX_NAME_CHARS);
  }
}
