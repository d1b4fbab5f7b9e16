package org.reschat.core.internal.crypto;

import java.util.Base64;
import java.util.Optional;

/**
 * Unpadded base64url (RFC 4648 §5), the only binary encoding on the wire. Decoding is strict: one
 * string decodes to one byte array and back, so no two encodings of the same bytes exist.
 */
public final class Base64Url {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private Base64Url() {}

  public static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  /** The decoded bytes, or empty if {@code text} is not canonical unpadded base64url. */
  public static Optional<byte[]> decode(String text) {
    if (text == null || text.length() % 4 == 1) {
      return Optional.empty();
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return Optional.empty();
      }
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // Reject non-zero unused trailing bits: only the canonical spelling is accepted.
    return encode(bytes).equals(text) ? Optional.of(bytes) : Optional.empty();
  }

  /** Length of the unpadded encoding of {@code n} bytes. */
  public static int encodedLength(int n) {
    return (n * 4 + 2) / 3;
  }
}
