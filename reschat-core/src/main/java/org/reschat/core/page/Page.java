package org.reschat.core.page;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Sha;

/**
 * One page of a writer's feed: up to 20 {@link Slot}s, the page number, the hash of the writer's
 * previous page (a hash chain), and the writer's Ed25519 signature over {@link #signedBytes()}.
 * Immutable; build with {@link PageWriter}, read with {@link PageCodec}.
 *
 * @param version protocol version, 1
 * @param conversation the conversation id (base64url of 16 bytes)
 * @param writer the writer's tag (base64url of 8 bytes)
 * @param number page number, from 1
 * @param previous base64url SHA-256 {@link #hash()} of page {@code number - 1}; 32 zero bytes for page 1
 * @param slots the messages, oldest first
 * @param signature base64url Ed25519 signature of {@link #signedBytes()}
 */
public record Page(int version, String conversation, String writer, long number, String previous, List<Slot> slots,
    String signature) {

  public static final int VERSION = 1;
  /** {@link #previous} of page 1. */
  public static final String NO_PREVIOUS = Base64Url.encode(new byte[PageLimits.HASH_BYTES]);
  private static final byte[] DOMAIN = "reschat/v1 page\0".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SLOT_DOMAIN = "reschat/v1 slot\0".getBytes(StandardCharsets.UTF_8);

  public Page {
    slots = List.copyOf(slots);
  }

  /** Whether no more messages fit by count (a page can also be closed earlier by size). */
  public boolean isFull() {
    return slots.size() >= PageLimits.SLOTS_PER_PAGE;
  }

  /**
   * The canonical bytes the signature covers: a domain label, then every field but the signature,
   * strings as UTF-8 with a 4-byte big-endian length, numbers as 8-byte big-endian.
   */
  public byte[] signedBytes() {
    Canonical c = new Canonical(DOMAIN);
    c.u8(version);
    c.string(conversation);
    c.string(writer);
    c.u64(number);
    c.string(previous);
    c.u32(slots.size());
    for (Slot slot : slots) {
      for (String field : slot.fields()) {
        c.string(field);
      }
    }
    return c.bytes();
  }

  /** SHA-256 of the signed bytes and the signature: what the next page's {@link #previous} holds. */
  public byte[] hash() {
    Canonical c = new Canonical(signedBytes());
    c.string(signature);
    return Sha.sha256(c.bytes());
  }

  /** {@link #hash()} in base64url. */
  public String hashText() {
    return Base64Url.encode(hash());
  }

  /**
   * The associated data an HPKE copy in slot {@code index} is sealed with: it binds the version,
   * conversation, writer, page number, slot index, fields 0–3 and which copy it is, so no ciphertext can
   * be moved to another slot, page, feed or conversation.
   */
  public static byte[] slotAad(String conversation, String writer, long number, int index, String receiver, String type,
      String timestamp, String extension, Copy copy) {
    Canonical c = new Canonical(SLOT_DOMAIN);
    c.u8(VERSION);
    c.string(conversation);
    c.string(writer);
    c.u64(number);
    c.u32(index);
    c.string(receiver);
    c.string(type);
    c.string(timestamp);
    c.string(extension);
    c.u8(copy.code);
    return c.bytes();
  }

  /** Which of a slot's two ciphertexts. */
  public enum Copy {
    /** Field 4, sealed to the writer. */
    FOR_SENDER(1),
    /** Field 5, sealed to the other person. */
    FOR_RECEIVER(2);

    final int code;

    Copy(int code) {
      this.code = code;
    }
  }

  /** Length-prefixed canonical encoding. */
  private static final class Canonical {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private final DataOutputStream out = new DataOutputStream(buffer);

    Canonical(byte[] prefix) {
      buffer.writeBytes(prefix);
    }

    void u8(int v) {
      io(() -> out.writeByte(v));
    }

    void u32(int v) {
      io(() -> out.writeInt(v));
    }

    void u64(long v) {
      io(() -> out.writeLong(v));
    }

    void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      io(() -> {
        out.writeInt(b.length);
        out.write(b);
      });
    }

    byte[] bytes() {
      return buffer.toByteArray();
    }

    private interface IoAction {
      void run() throws IOException;
    }

    private static void io(IoAction action) {
      try {
        action.run();
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
      }
    }
  }
}
