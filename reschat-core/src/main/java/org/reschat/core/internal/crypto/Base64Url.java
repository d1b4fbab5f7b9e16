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
    if (text == null) {
      return Optional.empty();
    }
    int n = text.length();
    // The JDK's decoder refuses every character outside the URL alphabet, '=' anywhere but in padding and
    // impossible lengths; what it lets through and we do not is padding, and non-zero unused bits.
    if (n > 0 && (text.charAt(n - 1) == '=' || (n > 1 && text.charAt(n - 2) == '='))) {
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // One spelling only: the bits of the last character that hold no byte (4 of them after 2 characters, 2
    // after 3) must be zero. (Checked by value, not by re-encoding: the JDK decoder already vetted the rest.)
    int unused = n % 4 == 2 ? 0x0F : n % 4 == 3 ? 0x03 : 0;
    return unused != 0 && (value(text.charAt(n - 1)) & unused) != 0 ? Optional.empty() : Optional.of(bytes);
  }

  /** The 6-bit value of a character the decoder has accepted. */
  private static int value(char c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
        : c == '-' ? 62 : 63;
  }

  /** Length of the unpadded encoding of {@code n} bytes. */
  public static int encodedLength(int n) {
    return (n * 4 + 2) / 3;
  }
}
