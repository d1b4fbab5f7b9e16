package org.reschat.core.internal.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869) on the JDK's {@code HmacSHA256}, whose SHA-256 runs on the CPU's SHA instructions
 * (about 4× Bouncy Castle's pure-Java digest here). Only RFC 5869's two steps over the JDK's HMAC; checked
 * against the RFC's test vectors (A.1–A.3) and against Bouncy Castle's HKDF on random inputs.
 */
public final class Hkdf {
  private static final int HASH_BYTES = 32;
  private static final byte[] ZERO_SALT = new byte[HASH_BYTES];
  /** A Mac per thread: getInstance looks the algorithm up among the providers, which costs more than a block. */
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Every Java runtime has HmacSHA256", e);
    }
  });

  private Hkdf() {}

  public static byte[] sha256(byte[] ikm, byte[] salt, byte[] info, int length) {
    return expand(extract(ikm, salt), info, length);
  }

  /**
   * HKDF-Extract: the pseudorandom key. An empty salt is HashLen zero bytes (RFC 5869 §2.2); HMAC pads its
   * key with zeros, so that is what an empty key means too.
   */
  public static byte[] extract(byte[] ikm, byte[] salt) {
    Mac mac = init(salt.length == 0 ? ZERO_SALT : salt);
    return mac.doFinal(ikm);
  }

  /** HKDF-Expand of a pseudorandom key from {@link #extract}: T(1) ‖ T(2) ‖ …, {@code length} bytes. */
  public static byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 0 || length > 255 * HASH_BYTES) {
      throw new IllegalArgumentException("HKDF-SHA256 gives 0 to 8160 bytes, not " + length);
    }
    Mac mac = init(prk);
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    for (int i = 1, at = 0; at < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      int n = Math.min(HASH_BYTES, length - at);
      System.arraycopy(t, 0, out, at, n);
      at += n;
    }
    return out;
  }

  /** HMAC-SHA256 of the concatenation of {@code parts} under {@code key} (the same per-thread Mac). */
  public static byte[] hmac(byte[] key, byte[]... parts) {
    Mac mac = init(key);
    for (byte[] part : parts) {
      mac.update(part);
    }
    return mac.doFinal();
  }

  private static Mac init(byte[] key) {
    Mac mac = MAC.get();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 refused a key of " + key.length + " bytes", e);
    }
    return mac;
  }
}
