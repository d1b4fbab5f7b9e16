package org.reschat.core.page;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Hpke;
import org.reschat.core.page.PageFormatException.Reason;

/**
 * The JSON form of a {@link Page}, and its strict parser.
 *
 * <pre>
 * {"v":1,"conv":"…","writer":"…","page":3,"prev":"…","slots":[["receiver","TEXT","1732300000000","","…","…"],…],"sig":"…"}
 * </pre>
 *
 * <p>The parser accepts exactly this shape and returns a typed {@link PageFormatException} for anything
 * else: oversize input, broken JSON, another version, unknown, missing or repeated members, more than 20
 * slots, a slot without exactly six string fields, non-canonical base64url or numbers. It checks form,
 * not authenticity; see {@link PageVerifier}.
 */
public final class PageCodec {
  private static final Pattern TYPE = Pattern.compile("[A-Z][A-Z0-9_]{0,15}");
  private static final Pattern TIMESTAMP = Pattern.compile("0|[1-9][0-9]{0,14}");
  private static final int MAX_SEALED_CHARS =
      Base64Url.encodedLength(PageLimits.MAX_MESSAGE_BYTES + Hpke.OVERHEAD);
  private static final int MIN_SEALED_CHARS = Base64Url.encodedLength(Hpke.OVERHEAD);
  private static final long MAX_PAGE_NUMBER = 1L << 53;

  private PageCodec() {}

  /** Compact JSON, members in the documented order. */
  public static String toJson(Page page) {
    StringWriter out = new StringWriter(1024);
    try (JsonWriter json = new JsonWriter(out)) {
      json.setHtmlSafe(false);
      json.beginObject();
      json.name("v").value(page.version());
      json.name("conv").value(page.conversation());
      json.name("writer").value(page.writer());
      json.name("page").value(page.number());
      json.name("prev").value(page.previous());
      json.name("slots").beginArray();
      for (Slot slot : page.slots()) {
        json.beginArray();
        for (String field : slot.fields()) {
          json.value(field);
        }
        json.endArray();
      }
      json.endArray();
      json.name("sig").value(page.signature());
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Size of {@code text} in UTF-8 bytes. */
  public static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Parses a page, strictly. */
  public static Page parse(String text) throws PageFormatException {
    if (text.length() > PageLimits.MAX_PAGE_BYTES || utf8Length(text) > PageLimits.MAX_PAGE_BYTES) {
      throw new PageFormatException(Reason.TOO_LARGE, "it is larger than " + PageLimits.MAX_PAGE_BYTES + " bytes");
    }
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      reader.setNestingLimit(8);
      Page page = readPage(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new PageFormatException(Reason.NOT_JSON, "it has data after the page");
      }
      return page;
    } catch (PageFormatException e) {
      throw e;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      throw new PageFormatException(Reason.NOT_JSON, "it is not valid JSON");
    }
  }

  private static Page readPage(JsonReader r) throws IOException, PageFormatException {
    if (r.peek() != JsonToken.BEGIN_OBJECT) {
      throw new PageFormatException(Reason.NOT_JSON, "it is not a JSON object");
    }
    r.beginObject();
    Set<String> seen = new HashSet<>();
    Integer version = null;
    String conversation = null;
    String writer = null;
    Long number = null;
    String previous = null;
    List<Slot> slots = null;
    String signature = null;
    while (r.hasNext()) {
      String name = r.nextName();
      if (!seen.add(name)) {
        throw new PageFormatException(Reason.DUPLICATE_FIELD, "it has two \"" + shorten(name) + "\" members");
      }
      switch (name) {
        case "v":
          long v = integer(r, "v");
          if (v != Page.VERSION) {
            throw new PageFormatException(Reason.UNSUPPORTED_VERSION, "it has version " + v + ", and only version "
                + Page.VERSION + " is understood");
          }
          version = (int) v;
          break;
        case "conv":
          conversation = base64(r, "conv", PageLimits.CONVERSATION_BYTES);
          break;
        case "writer":
          writer = base64(r, "writer", PageLimits.TAG_BYTES);
          break;
        case "page":
          number = integer(r, "page");
          if (number < 1 || number > MAX_PAGE_NUMBER) {
            throw new PageFormatException(Reason.BAD_FIELD, "its page number is out of range");
          }
          break;
        case "prev":
          previous = base64(r, "prev", PageLimits.HASH_BYTES);
          break;
        case "slots":
          slots = readSlots(r);
          break;
        case "sig":
          signature = base64(r, "sig", PageLimits.SIGNATURE_BYTES);
          break;
        default:
          throw new PageFormatException(Reason.UNKNOWN_FIELD, "it has an unknown member \"" + shorten(name) + "\"");
      }
    }
    r.endObject();
    if (version == null) {
      throw missing("v");
    }
    if (conversation == null) {
      throw missing("conv");
    }
    if (writer == null) {
      throw missing("writer");
    }
    if (number == null) {
      throw missing("page");
    }
    if (previous == null) {
      throw missing("prev");
    }
    if (slots == null) {
      throw missing("slots");
    }
    if (signature == null) {
      throw missing("sig");
    }
    return new Page(version, conversation, writer, number, previous, slots, signature);
  }

  private static List<Slot> readSlots(JsonReader r) throws IOException, PageFormatException {
    if (r.peek() != JsonToken.BEGIN_ARRAY) {
      throw new PageFormatException(Reason.BAD_FIELD, "its \"slots\" is not an array");
    }
    List<Slot> slots = new ArrayList<>();
    r.beginArray();
    while (r.hasNext()) {
      if (slots.size() == PageLimits.SLOTS_PER_PAGE) {
        throw new PageFormatException(Reason.TOO_MANY_SLOTS, "it has more than " + PageLimits.SLOTS_PER_PAGE + " slots");
      }
      slots.add(readSlot(r, slots.size()));
    }
    r.endArray();
    if (slots.isEmpty()) {
      throw new PageFormatException(Reason.NO_SLOTS, "it has no slots");
    }
    return slots;
  }

  private static Slot readSlot(JsonReader r, int index) throws IOException, PageFormatException {
    if (r.peek() != JsonToken.BEGIN_ARRAY) {
      throw badSlot(index, "is not an array");
    }
    String[] f = new String[PageLimits.FIELDS_PER_SLOT];
    int n = 0;
    r.beginArray();
    while (r.hasNext()) {
      if (n == PageLimits.FIELDS_PER_SLOT) {
        throw badSlot(index, "has more than " + PageLimits.FIELDS_PER_SLOT + " fields");
      }
      if (r.peek() != JsonToken.STRING) {
        throw badSlot(index, "has a field " + n + " that is not a string");
      }
      f[n++] = r.nextString();
    }
    r.endArray();
    if (n != PageLimits.FIELDS_PER_SLOT) {
      throw badSlot(index, "has " + n + " fields instead of " + PageLimits.FIELDS_PER_SLOT);
    }
    Slot slot = new Slot(f[0], f[1], f[2], f[3], f[4], f[5]);
    String problem = slotProblem(slot);
    if (problem != null) {
      throw badSlot(index, problem);
    }
    return slot;
  }

  /** Null when every field of {@code slot} is well-formed, else what is wrong. Shared with {@link PageWriter}. */
  static String slotProblem(Slot slot) {
    if (!decodesTo(slot.receiver(), PageLimits.TAG_BYTES)) {
      return "has a receiver (field 0) that is not a writer tag";
    }
    if (!TYPE.matcher(slot.type()).matches()) {
      return "has a type (field 1) that is not 1-16 of A-Z 0-9 _";
    }
    if (!TIMESTAMP.matcher(slot.timestamp()).matches()) {
      return "has a timestamp (field 2) that is not a decimal number of milliseconds";
    }
    if (slot.extension().length() > PageLimits.MAX_EXTENSION_CHARS) {
      return "has a type extension (field 3) over " + PageLimits.MAX_EXTENSION_CHARS + " characters";
    }
    if (!isSealed(slot.forSender())) {
      return "has a sender copy (field 4) that is not a sealed message";
    }
    if (!isSealed(slot.forReceiver())) {
      return "has a receiver copy (field 5) that is not a sealed message";
    }
    return null;
  }

  private static boolean isSealed(String field) {
    return field.length() >= MIN_SEALED_CHARS && field.length() <= MAX_SEALED_CHARS && Base64Url.decode(field).isPresent();
  }

  private static boolean decodesTo(String field, int bytes) {
    return field.length() == Base64Url.encodedLength(bytes)
        && Base64Url.decode(field).map(b -> b.length == bytes).orElse(false);
  }

  private static long integer(JsonReader r, String name) throws IOException, PageFormatException {
    if (r.peek() != JsonToken.NUMBER) {
      throw new PageFormatException(Reason.BAD_FIELD, "its \"" + name + "\" is not a number");
    }
    String digits = r.nextString();
    if (!digits.matches("0|[1-9][0-9]{0,15}")) {
      throw new PageFormatException(Reason.BAD_FIELD, "its \"" + name + "\" is not a plain whole number");
    }
    return Long.parseLong(digits);
  }

  private static String base64(JsonReader r, String name, int bytes) throws IOException, PageFormatException {
    if (r.peek() != JsonToken.STRING) {
      throw new PageFormatException(Reason.BAD_FIELD, "its \"" + name + "\" is not a string");
    }
    String value = r.nextString();
    if (!decodesTo(value, bytes)) {
      throw new PageFormatException(Reason.BAD_FIELD, "its \"" + name + "\" is not " + bytes + " bytes of base64url");
    }
    return value;
  }

  private static PageFormatException missing(String name) {
    return new PageFormatException(Reason.MISSING_FIELD, "it has no \"" + name + "\" member");
  }

  private static PageFormatException badSlot(int index, String problem) {
    return new PageFormatException(Reason.BAD_SLOT, "slot " + index + " " + problem);
  }

  private static String shorten(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
