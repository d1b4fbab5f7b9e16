package org.reschat.core.internal.crypto;

import java.nio.ByteBuffer;

/**
 * The STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár, "Online authenticated-encryption and its
 * nonce-reuse misuse-resistance", 2015) over the JDK's ChaCha20-Poly1305, for a file cut into chunks under
 * a key used for that one file only.
 *
 * <p>Chunk {@code i}'s nonce is {@code 0x00×7 ‖ u32(i) ‖ u8(last)}: a chunk moved to another index, a
 * chunk from the middle presented as the last one (truncation) or the last one presented as a middle one
 * (extension) does not open. The nonce is fixed by the index, so a key must encrypt one file's content
 * only: callers draw a fresh random key per file.
 */
public final class ChunkStreamAead {
  public static final int KEY_BYTES = 32;
  public static final int TAG_BYTES = 16;
  /** Chunk indices are 32 bits in the nonce. */
  public static final long MAX_CHUNKS = 1L << 32;
  private static final byte[] AAD = "reschat/v2 file chunk".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private ChunkStreamAead() {}

  /** The 12-byte nonce of chunk {@code index}. */
  public static byte[] nonce(long index, boolean last) {
    if (index < 0 || index >= MAX_CHUNKS) {
      throw new IllegalArgumentException("A chunk index is 32 bits, not " + index);
    }
    return ByteBuffer.allocate(12).put(new byte[7]).putInt((int) index).put((byte) (last ? 1 : 0)).array();
  }

  /** {@code ciphertext ‖ tag} of chunk {@code index}. */
  public static byte[] seal(byte[] key, long index, boolean last, byte[] plaintext) {
    try {
      return OneTimeKeyAead.chacha20Poly1305(true, requireKey(key), nonce(index, last), AAD, plaintext);
    } catch (OneTimeKeyAead.OpenFailedException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 refused to encrypt", e); // cannot happen when encrypting
    }
  }

  /** Opens chunk {@code index}; fails unless it was sealed under this key, at this index, with this last flag. */
  public static byte[] open(byte[] key, long index, boolean last, byte[] ciphertext) throws OneTimeKeyAead.OpenFailedException {
    if (ciphertext.length < TAG_BYTES) {
      throw new OneTimeKeyAead.OpenFailedException("it is too short to be a ciphertext");
    }
    return OneTimeKeyAead.chacha20Poly1305(false, requireKey(key), nonce(index, last), AAD, ciphertext);
  }

  private static byte[] requireKey(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("A chunk key is 32 bytes, not " + key.length);
    }
    return key;
  }
}
