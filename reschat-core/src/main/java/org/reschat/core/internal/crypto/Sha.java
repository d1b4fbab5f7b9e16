package org.reschat.core.internal.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-2 digests over the concatenation of the given parts, from the JDK, whose SHA-256 runs on the CPU's
 * SHA instructions where there are any (about 7× Bouncy Castle's on this project's machines).
 */
public final class Sha {
  private Sha() {}

  public static byte[] sha256(byte[]... parts) {
    return digest("SHA-256", parts);
  }

  public static byte[] sha512(byte[]... parts) {
    return digest("SHA-512", parts);
  }

  private static byte[] digest(String algorithm, byte[]... parts) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has " + algorithm, e);
    }
    for (byte[] part : parts) {
      digest.update(part);
    }
    return digest.digest();
  }
}
