package org.reschat.core.identity;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A number two people read to each other to check that each holds the other's real card: 60 digits in
 * twelve groups of five, derived from both fingerprints in a fixed order, so both sides see the same.
 */
public final class SafetyNumber {
  private static final byte[] LABEL = "reschat/v2 safety number".getBytes(StandardCharsets.UTF_8);

  private SafetyNumber() {}

  public static String between(PublicCard a, PublicCard b) {
    byte[] fa = a.fingerprint();
    byte[] fb = b.fingerprint();
    boolean aFirst = Arrays.compareUnsigned(fa, fb) <= 0;
    byte[] hash = org.reschat.core.internal.crypto.Sha.sha512(LABEL, aFirst ? fa : fb, aFirst ? fb : fa);
    StringBuilder sb = new StringBuilder();
    for (int group = 0; group < 12; group++) {
      long chunk = 0;
      for (int i = 0; i < 5; i++) {
        chunk = (chunk << 8) | (hash[group * 5 + i] & 0xFF);
      }
      if (group > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%05d", chunk % 100_000));
    }
    return sb.toString();
  }
}
