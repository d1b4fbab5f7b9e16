package org.reschat.core.internal.crypto;

import java.util.Arrays;
import java.util.Optional;

/**
 * Length hiding. Data is padded ISO/IEC 7816-4 style ({@code 0x80} then zeros), which is unambiguous to
 * remove, up to a bucket: message bodies to a multiple of 32 bytes, sealed pages to a Padmé length
 * (Nikitin et al., "Reducing metadata leakage from encrypted files and communication with PURBs", PETS
 * 2019): at most 12 % overhead, and a length leaks only O(log log n) bits.
 */
public final class Padding {
  /** Bucket of a message body. */
  public static final int BODY_BUCKET = 32;

  private Padding() {}

  /** {@code data ‖ 0x80 ‖ 0…} to the next multiple of {@link #BODY_BUCKET}. */
  public static byte[] padBody(byte[] data) {
    int padded = (data.length / BODY_BUCKET + 1) * BODY_BUCKET;
    return pad(data, padded);
  }

  /** {@code data ‖ 0x80 ‖ 0…} to the Padmé length of {@code data.length + 1}. */
  public static byte[] padToPadme(byte[] data) {
    return pad(data, padme(data.length + 1));
  }

  /** The Padmé length of {@code length}: rounds up keeping only the top ⌊log2 ⌊log2 L⌋⌋ + 1 bits. */
  public static int padme(int length) {
    if (length < 2) {
      return length;
    }
    int e = 31 - Integer.numberOfLeadingZeros(length);
    int s = 32 - Integer.numberOfLeadingZeros(e);
    int lastBits = e - s;
    int mask = (1 << lastBits) - 1;
    return (length + mask) & ~mask;
  }

  /** The data before the padding, or empty when {@code padded} is not padded this way. */
  public static Optional<byte[]> unpad(byte[] padded) {
    int i = padded.length - 1;
    while (i >= 0 && padded[i] == 0) {
      i--;
    }
    if (i < 0 || padded[i] != (byte) 0x80) {
      return Optional.empty();
    }
    return Optional.of(Arrays.copyOf(padded, i));
  }

  private static byte[] pad(byte[] data, int length) {
    byte[] out = Arrays.copyOf(data, length);
    out[data.length] = (byte) 0x80;
    return out;
  }
}
