package org.reschat.core.internal.page;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.List;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.PageFormatException.Reason;

/**
 * The binary form of a {@link SlotRecord} and its strict parser (protocol §4.8). Big-endian; heads and the slot
 * exactly as in a page ({@link PageCodec}), the slot a committing one (version 3's).
 *
 * <pre>
 * record = u8 version (5) ‖ u32 page ‖ u8 index (0–19) ‖ prev[32]
 *        ‖ u8 #heads ‖ { head }  ‖ slot
 *        ‖ u8 kind ‖ (kind 1: signature[64] | kind 2: sender tag[32])
 * </pre>
 *
 * <p>It never allocates more than its input and fails with a typed {@link PageFormatException}; authenticity is
 * {@link RecordVerifier}'s.
 */
public final class RecordCodec {
  /** The record form's version: its own number, shown in PAIR_READS like a page's (§4.7, §4.8). */
  public static final int VERSION = 5;

  private RecordCodec() {}

  /** The bytes the authenticator covers: the record up to and including the authenticator's kind. */
  static byte[] encodeBody(long page, int index, byte[] previous, List<Head> heads, Slot slot, boolean tagged) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + slot.encoding().length);
    out.write(VERSION);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) page).array());
    out.write(index);
    out.writeBytes(previous);
    PageCodec.encodeHeads(out, heads);
    out.writeBytes(slot.encoding());
    out.write(tagged ? PageCodec.TAGGED : PageCodec.SIGNED);
    return out.toByteArray();
  }

  /** Parses a record, strictly. */
  public static SlotRecord parse(byte[] bytes) throws PageFormatException {
    if (bytes.length > PageLimits.MAX_PAGE_BYTES) {
      throw new PageFormatException(Reason.TOO_LARGE, "it is larger than " + PageLimits.MAX_PAGE_BYTES + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int version = in.get() & 0xFF;
      if (version != VERSION) {
        throw new PageFormatException(Reason.UNSUPPORTED_VERSION, "it is a record of version " + version
            + ", and only version " + VERSION + " is understood");
      }
      long page = Integer.toUnsignedLong(in.getInt());
      if (page < 1 || page > Conversation.MAX_PAGE_NUMBER) {
        throw new PageFormatException(Reason.BAD_FIELD, "its page number is out of range");
      }
      int index = in.get() & 0xFF;
      if (index >= PageLimits.SLOTS_PER_PAGE) {
        throw new PageFormatException(Reason.BAD_FIELD, "its index is past a page's last slot");
      }
      byte[] previous = PageCodec.take(in, PageLimits.HASH_BYTES);
      List<Head> heads = PageCodec.readHeads(in);
      Slot slot = PageCodec.readSlot(in, index);
      if (!slot.committing()) {
        throw new PageFormatException(Reason.BAD_SLOT, "slot " + index + " is of version 2, which records never hold");
      }
      int kind = in.get() & 0xFF;
      if (kind != PageCodec.SIGNED && kind != PageCodec.TAGGED) {
        throw new PageFormatException(Reason.BAD_FIELD, "its authenticator is of an unknown kind " + kind);
      }
      byte[] authenticator = PageCodec.take(in, kind == PageCodec.TAGGED ? PageLimits.TAG_BYTES : PageLimits.SIGNATURE_BYTES);
      if (in.hasRemaining()) {
        throw new PageFormatException(Reason.TRAILING_DATA, "it has " + in.remaining() + " bytes after the authenticator");
      }
      return new SlotRecord(page, index, previous, heads, slot, authenticator, bytes);
    } catch (BufferUnderflowException e) {
      throw new PageFormatException(Reason.TRUNCATED, "it ends too early");
    }
  }
}
