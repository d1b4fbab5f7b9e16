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
    return digest(SHA256.get(), parts);
  }

  public static byte[] sha512(byte[]... parts) {
    return digest(SHA512.get(), parts);
  }

  /** A digest per thread: getInstance looks the algorithm up among the providers, which costs more than a page. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> newDigest("SHA-256"));
  private static final ThreadLocal<MessageDigest> SHA512 = ThreadLocal.withInitial(() -> newDigest("SHA-512"));

  private static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has " + algorithm, e);
    }
  }

  private static byte[] digest(MessageDigest digest, byte[]... parts) {
    digest.reset(); // clean even if a call before threw between its updates
    for (byte[] part : parts) {
      digest.update(part);
    }
    return digest.digest();
  }
}
