package org.reschat.core.internal.relation;

import org.reschat.core.internal.json.StrictUtf8;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.internal.page.PageLimits;

/**
 * The wire form of messages that refer to other messages (docs/protocol.md §4.6). A reference is a message
 * id, {@code writer tag ":" page ":" slot}, in field 3 as strict JSON:
 *
 * <pre>
 * TEXT      field 3 empty, or {"v":1,"reply_to":ID,"mentions":[b64u fingerprint…]} (either member may be absent,
 *           not both); the body is the text, as for every TEXT, so a client that does not know field 3 shows the text
 * REACTION  field 3 {"v":1,"to":ID}; body: the reaction (1–32 code points, no space, control or format
 *           character), or empty: the writer's earlier reaction to ID removed
 * EDIT      field 3 {"v":1,"to":ID}; body: the new text (the rules of a TEXT)
 * DELETE    field 3 {"v":1,"to":ID}; body empty
 * </pre>
 *
 * Anything else in field 3 of a relation is not a relation (shown as a warning naming its writer); anything
 * else in field 3 of a TEXT is ignored (the text shows). Parsers never allocate more than their input.
 */
public final class RelationCodec {
  public static final String REACTION = "REACTION";
  public static final String EDIT = "EDIT";
  public static final String DELETE = "DELETE";
  public static final Set<String> TYPES = Set.of(REACTION, EDIT, DELETE);
  /** Mentions one TEXT may carry: bounded so field 3 stays under 1 KiB with a reply. */
  public static final int MAX_MENTIONS = 16;
  public static final int MAX_REACTION_CODE_POINTS = 32;
  private static final Pattern ID = Pattern.compile("([A-Za-z0-9_-]{11}):([1-9][0-9]{0,9}):(0|[1-9][0-9]?)");

  private RelationCodec() {}

  /** Whether {@code type} is one of the relation types (never shown as a message of its own). */
  public static boolean isRelation(String type) {
    return TYPES.contains(type);
  }

  /** A message id taken apart: which feed (writer tag), page and slot. */
  public record Ref(String tag, long page, int slot) {
    @Override
    public String toString() {
      return tag + ":" + page + ":" + slot;
    }
  }

  /** The id as a reference, if it is one in canonical form (the form {@code Message.id} has). */
  public static Optional<Ref> ref(String id) {
    if (id == null || id.length() > 32) {
      return Optional.empty();
    }
    Matcher m = ID.matcher(id);
    if (!m.matches() || Base64Url.decode(m.group(1)).map(b -> b.length != 8).orElse(true)) {
      return Optional.empty();
    }
    long page = Long.parseLong(m.group(2));
    int slot = Integer.parseInt(m.group(3));
    if (page > (1L << 31) - 1 || slot >= PageLimits.SLOTS_PER_PAGE) {
      return Optional.empty();
    }
    return Optional.of(new Ref(m.group(1), page, slot));
  }

  // --- TEXT ---------------------------------------------------------------------------------------------

  /** What field 3 of a TEXT adds: the message it answers, and the members it mentions (fingerprints). */
  public record TextExtension(Optional<Ref> replyTo, List<byte[]> mentions) {
    public static final TextExtension NONE = new TextExtension(Optional.empty(), List.of());

    public TextExtension {
      mentions = List.copyOf(mentions);
    }
  }

  /** Field 3 of a TEXT: empty when there is nothing to add. */
  public static byte[] textExtension(Optional<String> replyTo, List<byte[]> mentions) throws InvalidMessageException {
    if (replyTo.isEmpty() && mentions.isEmpty()) {
      return new byte[0];
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    if (replyTo.isPresent()) {
      o.addProperty("reply_to", requireRef(replyTo.get()).toString());
    }
    if (!mentions.isEmpty()) {
      if (mentions.size() > MAX_MENTIONS) {
        throw new InvalidMessageException("A message mentions at most " + MAX_MENTIONS + " members.");
      }
      JsonArray a = new JsonArray();
      mentions.forEach(fp -> a.add(Base64Url.encode(fp)));
      o.add("mentions", a);
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Field 3 of a TEXT read back; anything malformed is {@link TextExtension#NONE} (the text still shows). */
  public static TextExtension parseText(byte[] extension) {
    if (extension.length == 0 || extension.length > PageLimits.MAX_EXTENSION_BYTES) {
      return TextExtension.NONE;
    }
    Optional<JsonObject> parsed = json(extension);
    if (parsed.isEmpty()) {
      return TextExtension.NONE;
    }
    JsonObject o = parsed.get();
    for (String k : o.keySet()) {
      if (!Set.of("v", "reply_to", "mentions").contains(k)) {
        return TextExtension.NONE;
      }
    }
    if (!StrictJson.integer(o, "v", 1, 1).isPresent() || o.size() < 2) {
      return TextExtension.NONE;
    }
    Optional<Ref> reply = Optional.empty();
    if (o.has("reply_to")) {
      reply = StrictJson.string(o, "reply_to").flatMap(RelationCodec::ref);
      if (reply.isEmpty()) {
        return TextExtension.NONE;
      }
    }
    List<byte[]> mentions = new ArrayList<>();
    if (o.has("mentions")) {
      JsonElement e = o.get("mentions");
      if (!e.isJsonArray() || e.getAsJsonArray().isEmpty() || e.getAsJsonArray().size() > MAX_MENTIONS) {
        return TextExtension.NONE;
      }
      for (JsonElement x : e.getAsJsonArray()) {
        Optional<byte[]> fp = x.isJsonPrimitive() && x.getAsJsonPrimitive().isString()
            ? Base64Url.decode(x.getAsString()).filter(b -> b.length == 32) : Optional.empty();
        if (fp.isEmpty()) {
          return TextExtension.NONE;
        }
        mentions.add(fp.get());
      }
    }
    return new TextExtension(reply, mentions);
  }

  // --- REACTION, EDIT, DELETE ---------------------------------------------------------------------------

  /** Field 3 of a relation: the message it refers to. */
  public static byte[] target(String id) throws InvalidMessageException {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("to", requireRef(id).toString());
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The message a relation's field 3 refers to, or empty when field 3 is not exactly {@code {"v":1,"to":ID}}. */
  public static Optional<Ref> parseTarget(byte[] extension) {
    if (extension.length == 0 || extension.length > PageLimits.MAX_EXTENSION_BYTES) {
      return Optional.empty();
    }
    return json(extension).filter(o -> o.size() == 2 && StrictJson.integer(o, "v", 1, 1).isPresent())
        .flatMap(o -> StrictJson.string(o, "to")).flatMap(RelationCodec::ref);
  }

  /** A reaction's body: its UTF-8, after the reaction rule. */
  public static byte[] reaction(String emoji) throws InvalidMessageException {
    if (!isReaction(emoji)) {
      throw new InvalidMessageException("A reaction is 1 to " + MAX_REACTION_CODE_POINTS
          + " characters without spaces or control characters, such as 👍.");
    }
    return emoji.getBytes(StandardCharsets.UTF_8);
  }

  /** The reaction a body holds: empty for a removal, or when the body breaks the rule (then not a reaction). */
  public static Optional<String> parseReaction(byte[] body) {
    Optional<String> text = StrictUtf8.decode(body);
    return text.filter(RelationCodec::isReaction);
  }

  /** 1–32 code points, none of them whitespace, a control, a format character (bidi, joiners aside) or unassigned. */
  public static boolean isReaction(String s) {
    if (s == null || s.isEmpty() || s.length() > 4 * MAX_REACTION_CODE_POINTS) {
      return false;
    }
    if (s.codePointCount(0, s.length()) > MAX_REACTION_CODE_POINTS) {
      return false;
    }
    return s.codePoints().allMatch(c -> {
      int t = Character.getType(c);
      if (c == 0x200d || c == 0xfe0f || c == 0xfe0e || (c >= 0xe0020 && c <= 0xe007f)) {
        return true; // zero-width joiner, variation selectors and tags: parts of emoji sequences (flags of regions)
      }
      return !Character.isWhitespace(c) && !Character.isSpaceChar(c) && t != Character.CONTROL && t != Character.FORMAT
          && t != Character.UNASSIGNED && t != Character.PRIVATE_USE && t != Character.SURROGATE
          && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR;
    });
  }


  private static Ref requireRef(String id) throws InvalidMessageException {
    return ref(id).orElseThrow(() -> new InvalidMessageException("\"" + (id == null ? "" : id.length() > 40 ? id.substring(0, 40) + "…" : id)
        + "\" is not a message id (they look like 519yaTVhz44:2:7)."));
  }

  private static Optional<JsonObject> json(byte[] extension) {
    return StrictJson.parseObject(extension);
  }
}
