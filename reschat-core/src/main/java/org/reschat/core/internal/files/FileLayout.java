package org.reschat.core.internal.files;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.ChunkStreamAead;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.Sha;

/**
 * Where a file's chunks live and how big they are, all derived from the file key {@code K_f} (protocol
 * §10): whoever holds the FILE message can find and open the chunks, nobody else can even tell which
 * ledger values belong to one file.
 */
public final class FileLayout {
  /** The largest file sent: 100 MiB. */
  public static final long MAX_FILE_BYTES = 100L * 1024 * 1024;
  /** Ciphertext per chunk, tag included: 256 KiB keeps every ledger value (base64url) near 342 KiB. */
  public static final int CHUNK_CIPHERTEXT_BYTES = 256 * 1024;
  /** Plaintext per chunk; every chunk but the last holds exactly this much. */
  public static final int CHUNK_PLAIN_BYTES = CHUNK_CIPHERTEXT_BYTES - ChunkStreamAead.TAG_BYTES;
  /** The longest chunk value on the ledger, in characters. */
  public static final int MAX_CHUNK_VALUE_CHARS = Base64Url.encodedLength(CHUNK_CIPHERTEXT_BYTES);

  private static final byte[] CHUNK_KEY_INFO = ascii("reschat/v2 file chunk key");
  private static final byte[] LOCATION_INFO = ascii("reschat/v2 file chunk location");
  private static final byte[] LIST_HASH_LABEL = ascii("reschat/v2 file chunks\0");

  private FileLayout() {}

  /** Number of chunks of a file of {@code size} bytes; an empty file is one empty chunk. */
  public static int chunkCount(long size) {
    if (size < 0 || size > MAX_FILE_BYTES) {
      throw new IllegalArgumentException("A file is 0 to " + MAX_FILE_BYTES + " bytes, not " + size);
    }
    return size == 0 ? 1 : (int) ((size + CHUNK_PLAIN_BYTES - 1) / CHUNK_PLAIN_BYTES);
  }

  /** Plaintext bytes in chunk {@code index} of a file of {@code size} bytes. */
  public static int plainLength(long size, int index) {
    int n = chunkCount(size);
    if (index < 0 || index >= n) {
      throw new IllegalArgumentException("No chunk " + index + " in a file of " + n);
    }
    return index < n - 1 ? CHUNK_PLAIN_BYTES : (int) (size - (long) CHUNK_PLAIN_BYTES * (n - 1));
  }

  /** The key the chunks are sealed under; never {@code K_f} itself, which also names their locations. */
  public static byte[] chunkKey(byte[] fileKey) {
    return Hkdf.sha256(fileKey, new byte[0], CHUNK_KEY_INFO, ChunkStreamAead.KEY_BYTES);
  }

  /** The ledger key of chunk {@code index}: the same shape as a page key. */
  public static String location(byte[] fileKey, int index) {
    byte[] info = ByteBuffer.allocate(LOCATION_INFO.length + 4).put(LOCATION_INFO).putInt(index).array();
    return "rc2." + Base64Url.encode(Hkdf.sha256(fileKey, new byte[0], info, 16));
  }

  /** {@code SHA-256("reschat/v2 file chunks\0" ‖ SHA-256(c_0) ‖ … ‖ SHA-256(c_n-1))} over the chunk hashes. */
  public static byte[] listHash(byte[][] chunkHashes) {
    byte[][] parts = new byte[chunkHashes.length + 1][];
    parts[0] = LIST_HASH_LABEL;
    System.arraycopy(chunkHashes, 0, parts, 1, chunkHashes.length);
    return Sha.sha256(parts);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
