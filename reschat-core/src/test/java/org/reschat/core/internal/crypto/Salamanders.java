package org.reschat.core.internal.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The "invisible salamanders" attack on ChaCha20-Poly1305 (Dodis, Grubbs, Ristenpart, Woodage 2018; Len,
 * Grubbs, Ristenpart 2021): ChaCha20-Poly1305 does not commit to its key, so whoever picks two keys can
 * make one ciphertext and tag that authenticate under both, opening to different plaintexts. Poly1305 is
 * linear in the message blocks: leaving one ciphertext block free, equal tags under both keys is one
 * linear equation mod 2^130 - 5. Test code only: it is the attack the protocol must resist.
 */
public final class Salamanders {
  private static final BigInteger P = BigInteger.ONE.shiftLeft(130).subtract(BigInteger.valueOf(5));
  private static final BigInteger TWO_128 = BigInteger.ONE.shiftLeft(128);
  private static final BigInteger CLAMP = new BigInteger("0ffffffc0ffffffc0ffffffc0fffffff", 16);
  private static final byte[] NONCE = new byte[12]; // OneTimeKeyAead's fixed nonce

  private Salamanders() {}

  /**
   * A ciphertext ‖ tag that opens under {@code k1} to {@code template} (except the 16-byte block
   * {@code free}, which is garbage) and also under {@code k2}, with associated data {@code aad} and the
   * zero nonce; empty when this pair of keys gives no solution (about three pairs in four: try others).
   */
  public static Optional<byte[]> collide(byte[] k1, byte[] k2, byte[] aad, byte[] template, int free) throws Exception {
    if (template.length % 16 != 0) {
      throw new IllegalArgumentException("whole blocks only");
    }
    byte[] c = xor(template, keystream(k1, template.length));
    Arrays.fill(c, free * 16, free * 16 + 16, (byte) 0);
    byte[] mac = macData(aad, c);
    int blocks = mac.length / 16;
    int q = (pad16(aad.length) + free * 16) / 16; // the free block's place among the MAC's blocks
    BigInteger[] r = new BigInteger[2];
    BigInteger[] s = new BigInteger[2];
    BigInteger[] a = new BigInteger[2];
    byte[][] keys = {k1, k2};
    for (int k = 0; k < 2; k++) {
      byte[] otk = Arrays.copyOf(block0(keys[k]), 32);
      r[k] = le(Arrays.copyOf(otk, 16)).and(CLAMP);
      s[k] = le(Arrays.copyOfRange(otk, 16, 32));
      BigInteger acc = BigInteger.ZERO;
      for (int i = 0; i < blocks; i++) {
        BigInteger n = i == q ? BigInteger.ZERO : le(Arrays.copyOfRange(mac, 16 * i, 16 * i + 16)).add(TWO_128);
        acc = acc.add(n).multiply(r[k]).mod(P);
      }
      a[k] = acc; // the tag's accumulator without the free block
    }
    int e = blocks - q;
    BigInteger diff = r[0].modPow(BigInteger.valueOf(e), P).subtract(r[1].modPow(BigInteger.valueOf(e), P)).mod(P);
    if (diff.signum() == 0) {
      return Optional.empty();
    }
    // acc1 - acc2 = s2 - s1 (mod p), so that acc1 + s1 = acc2 + s2 as integers in the likely case.
    BigInteger n = s[1].subtract(s[0]).subtract(a[0]).add(a[1]).multiply(diff.modInverse(P)).mod(P);
    if (n.compareTo(TWO_128) < 0 || n.compareTo(TWO_128.shiftLeft(1)) >= 0) {
      return Optional.empty(); // not a 16-byte block's value
    }
    System.arraycopy(toLe16(n.subtract(TWO_128)), 0, c, free * 16, 16);
    byte[] sealed = seal(k1, aad, xor(c, keystream(k1, c.length)));
    if (!Arrays.equals(Arrays.copyOf(sealed, c.length), c) || open(k2, aad, sealed).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(sealed);
  }

  /** Plain ChaCha20-Poly1305 opening under the zero nonce, empty when it does not authenticate. */
  public static Optional<byte[]> open(byte[] key, byte[] aad, byte[] sealed) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(NONCE));
    cipher.updateAAD(aad);
    try {
      return Optional.of(cipher.doFinal(sealed));
    } catch (javax.crypto.AEADBadTagException e) {
      return Optional.empty();
    }
  }

  public static byte[] randomKey(SecureRandom random) {
    byte[] k = new byte[32];
    random.nextBytes(k);
    return k;
  }

  private static byte[] seal(byte[] key, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(NONCE));
    cipher.updateAAD(aad);
    return cipher.doFinal(plaintext);
  }

  /** ChaCha20 block 0 (the Poly1305 key's source, RFC 8439 §2.6). */
  private static byte[] block0(byte[] key) throws GeneralSecurityException {
    return chacha(key, 0, 64);
  }

  /** The keystream that encrypts the plaintext: from block 1 (RFC 8439 §2.8). */
  private static byte[] keystream(byte[] key, int length) throws GeneralSecurityException {
    return chacha(key, 1, length);
  }

  private static byte[] chacha(byte[] key, int counter, int length) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("ChaCha20");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(NONCE, counter));
    return cipher.doFinal(new byte[length]);
  }

  private static byte[] macData(byte[] aad, byte[] c) {
    byte[] out = new byte[pad16(aad.length) + pad16(c.length) + 16];
    System.arraycopy(aad, 0, out, 0, aad.length);
    System.arraycopy(c, 0, out, pad16(aad.length), c.length);
    int at = pad16(aad.length) + pad16(c.length);
    for (int i = 0; i < 8; i++) {
      out[at + i] = (byte) ((long) aad.length >>> (8 * i));
      out[at + 8 + i] = (byte) ((long) c.length >>> (8 * i));
    }
    return out;
  }

  private static int pad16(int n) {
    return (n + 15) / 16 * 16;
  }

  private static BigInteger le(byte[] b) {
    byte[] be = new byte[b.length + 1];
    for (int i = 0; i < b.length; i++) {
      be[b.length - i] = b[i];
    }
    return new BigInteger(be);
  }

  private static byte[] toLe16(BigInteger v) {
    byte[] out = new byte[16];
    for (int i = 0; i < 16; i++) {
      out[i] = v.shiftRight(8 * i).byteValue();
    }
    return out;
  }

  private static byte[] xor(byte[] a, byte[] b) {
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }
}
