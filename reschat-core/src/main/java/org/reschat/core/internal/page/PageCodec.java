package org.reschat.core.internal.page;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.PageFormatException.Reason;

/**
 * The binary form of a {@link Page} and its strict parser. All integers are big-endian.
 *
 * <pre>
 * page  = u8 version (3, or 2) ‖ u32 number ‖ prev[32]
 *       ‖ u8 #heads ‖ { u8 member ‖ u32 page ‖ u8 slots ‖ hash8[8] }     members strictly increasing
 *       ‖ u8 #slots (1–20) ‖ { slot }
 *       ‖ signature[64]
 * page of version 4 (§4.7): the same with u8 version (4), and after the slots
 *       ‖ u8 kind ‖ (kind 1: signature[64] | kind 2, fewer than 20 slots: sender tag[32])
 * slot  = u8 len ‖ field0 (8)  ‖  u8 len ‖ field1 (type, [A-Z][A-Z0-9_]{0,15})  ‖  u64 field2 (≤ 2^53)
 *       ‖ u16 len ‖ field3 (≤ 1024)  ‖  u8 len ‖ field4  ‖  u16 len ‖ field5
 *   committing slot (version 3): field4 48 bytes, field5 96 … 16,496 (32k + 64)
 *   slot of version 2:           field4 64 bytes, field5 64 … 16,464 (32k + 32)
 * </pre>
 *
 * <p>A page of version 3 has committing slots, after any of version 2 it grew from (a writer that upgraded
 * appends to its tail page); a page of version 2 has only slots of version 2. Anything else is refused.
 *
 * <p>The parser accepts exactly this and fails with a typed {@link PageFormatException} otherwise; it
 * never allocates more than its input. It checks form, not authenticity: see {@link PageVerifier}.
 */
public final class PageCodec {
  /** The version of pages written now: slots committed to their keys. */
  public static final int VERSION = 3;
  /** Pages written before key commitment: still read, never written (but grown into version 3). */
  public static final int LEGACY_VERSION = 2;
  /** Pages of a direct chat whose tail may carry a sender tag (§4.7): version 3's slots, an authenticator of a kind. */
  public static final int TAIL_VERSION = 4;
  /** The authenticator kinds of a page of version 4. */
  static final int SIGNED = 1;
  static final int TAGGED = 2;
  private static final Pattern TYPE = Pattern.compile("[A-Z][A-Z0-9_]{0,15}");
  private static final long MAX_TIMESTAMP = 1L << 53;
  /** A head's bytes: member, page, slots, hash8. */
  private static final int HEAD_BYTES = 1 + 4 + 1 + PageLimits.HEAD_HASH_BYTES;

  private PageCodec() {}

  /**
   * The bytes a page's signature covers, after the signing context (see {@link PageVerifier}). Written into one
   * array of the exact size; each slot's bytes are its kept {@linkplain Slot#encoding() encoding}, so growing a
   * tail encodes only the new slot.
   */
  static byte[] encodeBody(long number, byte[] previous, List<Head> heads, List<Slot> slots) {
    boolean committing = slots.stream().anyMatch(Slot::committing);
    return encode(committing ? VERSION : LEGACY_VERSION, number, previous, heads, slots, -1);
  }

  /** The bytes a page of version 4's authenticator covers: the page, then the kind ({@link #SIGNED}, {@link #TAGGED}). */
  static byte[] encodeTailBody(long number, byte[] previous, List<Head> heads, List<Slot> slots, boolean tagged) {
    return encode(TAIL_VERSION, number, previous, heads, slots, tagged ? TAGGED : SIGNED);
  }

  /** The page up to its authenticator, with the kind byte when {@code kind} is not -1 (version 4). */
  private static byte[] encode(int version, long number, byte[] previous, List<Head> heads, List<Slot> slots, int kind) {
    int size = 1 + 4 + previous.length + 1 + heads.size() * HEAD_BYTES + 1 + (kind < 0 ? 0 : 1);
    for (Slot s : slots) {
      size += s.encoding().length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) version).putInt((int) number).put(previous).put((byte) heads.size());
    for (Head h : heads) {
      out.put((byte) h.member()).putInt((int) h.page()).put((byte) h.slots()).put(h.hash8());
    }
    out.put((byte) slots.size());
    for (Slot s : slots) {
      out.put(s.encoding());
    }
    if (kind >= 0) {
      out.put((byte) kind);
    }
    return out.array();
  }

  /** The heads as records (§4.8) carry them: as a page does. */
  static void encodeHeads(ByteArrayOutputStream out, List<Head> heads) {
    ByteBuffer b = ByteBuffer.allocate(1 + heads.size() * HEAD_BYTES).put((byte) heads.size());
    for (Head h : heads) {
      b.put((byte) h.member()).putInt((int) h.page()).put((byte) h.slots()).put(h.hash8());
    }
    out.writeBytes(b.array());
  }

  /** The bytes of one slot in a page (the {@code slot} rule above); {@link Slot} keeps them once asked. */
  static byte[] encodeSlot(byte[] receiver, String type, long timestamp, byte[] extension, byte[] forSender,
      byte[] forReceivers) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(1 + receiver.length + 1 + t.length + 8 + 2 + extension.length + 1 + forSender.length + 2
            + forReceivers.length)
        .put((byte) receiver.length).put(receiver)
        .put((byte) t.length).put(t)
        .putLong(timestamp)
        .putShort((short) extension.length).put(extension)
        .put((byte) forSender.length).put(forSender)
        .putShort((short) forReceivers.length).put(forReceivers)
        .array();
  }

  /** Parses a page, strictly. */
  public static Page parse(byte[] bytes) throws PageFormatException {
    if (bytes.length > PageLimits.MAX_PAGE_BYTES) {
      throw new PageFormatException(Reason.TOO_LARGE, "it is larger than " + PageLimits.MAX_PAGE_BYTES + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int version = in.get() & 0xFF;
      if (version != VERSION && version != LEGACY_VERSION && version != TAIL_VERSION) {
        throw new PageFormatException(Reason.UNSUPPORTED_VERSION, "it has version " + version + ", and only versions "
            + LEGACY_VERSION + " to " + TAIL_VERSION + " are understood");
      }
      long number = Integer.toUnsignedLong(in.getInt());
      if (number < 1 || number > Conversation.MAX_PAGE_NUMBER) {
        throw new PageFormatException(Reason.BAD_FIELD, "its page number is out of range");
      }
      byte[] previous = take(in, PageLimits.HASH_BYTES);
      List<Head> heads = readHeads(in);
      int slotCount = in.get() & 0xFF;
      if (slotCount == 0) {
        throw new PageFormatException(Reason.NO_SLOTS, "it has no slots");
      }
      if (slotCount > PageLimits.SLOTS_PER_PAGE) {
        throw new PageFormatException(Reason.TOO_MANY_SLOTS, "it has more than " + PageLimits.SLOTS_PER_PAGE + " slots");
      }
      List<Slot> slots = new ArrayList<>(slotCount);
      for (int i = 0; i < slotCount; i++) {
        Slot slot = readSlot(in, i);
        // Version 2 slots only in a version 2 page, or before the committing ones a version 3 page appended.
        boolean allowed = version == LEGACY_VERSION ? !slot.committing() // version 4 has version 3's slots
            : slot.committing() || (i < slotCount - 1 && (i == 0 || !slots.get(i - 1).committing()));
        if (!allowed) {
          throw badSlot(i, "is of another version than its page allows");
        }
        slots.add(slot);
      }
      int authenticator = PageLimits.SIGNATURE_BYTES;
      if (version == TAIL_VERSION) {
        int kind = in.get() & 0xFF;
        if (kind != SIGNED && kind != TAGGED) {
          throw new PageFormatException(Reason.BAD_FIELD, "its authenticator is of an unknown kind " + kind);
        }
        if (kind == TAGGED && slotCount == PageLimits.SLOTS_PER_PAGE) {
          throw new PageFormatException(Reason.BAD_FIELD, "it is full and not signed");
        }
        authenticator = kind == TAGGED ? PageLimits.TAG_BYTES : PageLimits.SIGNATURE_BYTES;
      }
      byte[] signature = take(in, authenticator);
      if (in.hasRemaining()) {
        throw new PageFormatException(Reason.TRAILING_DATA, "it has " + in.remaining() + " bytes after the signature");
      }
      return new Page(number, previous, heads, slots, signature, bytes.clone()); // the caller keeps its array
    } catch (BufferUnderflowException e) {
      throw new PageFormatException(Reason.TRUNCATED, "it ends too early");
    }
  }

  /** The heads of a page or record (§4.2): members strictly increasing, every field in range. */
  static List<Head> readHeads(ByteBuffer in) throws PageFormatException {
    int headCount = in.get() & 0xFF;
    if (headCount >= PageLimits.MAX_MEMBERS) {
      throw new PageFormatException(Reason.BAD_FIELD, "it has more heads than a conversation has members");
    }
    List<Head> heads = new ArrayList<>(headCount);
    int lastMember = -1;
    for (int i = 0; i < headCount; i++) {
      int member = in.get() & 0xFF;
      long page = Integer.toUnsignedLong(in.getInt());
      int slots = in.get() & 0xFF;
      byte[] hash8 = take(in, PageLimits.HEAD_HASH_BYTES);
      if (member <= lastMember || member >= PageLimits.MAX_MEMBERS || page < 1 || page > Conversation.MAX_PAGE_NUMBER
          || slots < 1 || slots > PageLimits.SLOTS_PER_PAGE) {
        throw new PageFormatException(Reason.BAD_FIELD, "its head " + i + " is out of range");
      }
      lastMember = member;
      heads.add(new Head(member, page, slots, hash8));
    }
    return heads;
  }

  static Slot readSlot(ByteBuffer in, int index) throws PageFormatException {
    byte[] receiver = take(in, in.get() & 0xFF);
    if (receiver.length != PageLimits.EPOCH_TAG_BYTES) {
      throw badSlot(index, "has a receiver reference (field 0) that is not an epoch tag");
    }
    String type = new String(take(in, in.get() & 0xFF), StandardCharsets.ISO_8859_1);
    if (!TYPE.matcher(type).matches()) {
      throw badSlot(index, "has a type (field 1) that is not 1-16 of A-Z 0-9 _");
    }
    long timestamp = in.getLong();
    if (timestamp < 0 || timestamp > MAX_TIMESTAMP) {
      throw badSlot(index, "has a timestamp (field 2) out of range");
    }
    int extLength = in.getShort() & 0xFFFF;
    if (extLength > PageLimits.MAX_EXTENSION_BYTES) {
      throw badSlot(index, "has a type extension (field 3) over " + PageLimits.MAX_EXTENSION_BYTES + " bytes");
    }
    byte[] extension = take(in, extLength);
    byte[] forSender = take(in, in.get() & 0xFF);
    boolean committing = forSender.length == PageLimits.SENDER_COPY_BYTES;
    if (!committing && forSender.length != PageLimits.LEGACY_SENDER_COPY_BYTES) {
      throw badSlot(index, "has a sender copy (field 4) of the wrong size");
    }
    int min = committing ? PageLimits.MIN_RECEIVER_COPY_BYTES : PageLimits.LEGACY_MIN_RECEIVER_COPY_BYTES;
    int max = committing ? PageLimits.MAX_RECEIVER_COPY_BYTES : PageLimits.LEGACY_MAX_RECEIVER_COPY_BYTES;
    int copyLength = in.getShort() & 0xFFFF;
    if (copyLength < min || copyLength > max || (copyLength - min) % org.reschat.core.internal.crypto.Padding.BODY_BUCKET != 0) {
      throw badSlot(index, "has a receivers' copy (field 5) of a size no padded message has");
    }
    byte[] forReceivers = take(in, copyLength);
    return new Slot(receiver, type, timestamp, extension, forSender, forReceivers);
  }

  static byte[] take(ByteBuffer in, int n) {
    if (n > in.remaining()) {
      throw new BufferUnderflowException();
    }
    byte[] out = new byte[n];
    in.get(out);
    return out;
  }

  static byte[] withSignature(byte[] body, byte[] signature) {
    byte[] out = Arrays.copyOf(body, body.length + signature.length);
    System.arraycopy(signature, 0, out, body.length, signature.length);
    return out;
  }

  private static PageFormatException badSlot(int index, String problem) {
    return new PageFormatException(Reason.BAD_SLOT, "slot " + index + " " + problem);
  }
}
