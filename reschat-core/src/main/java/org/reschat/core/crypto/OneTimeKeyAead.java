package org.reschat.core.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439, the JDK's implementation) where every encryption uses a key of its own: the key is derived with
 * HKDF from a long-lived secret and a fresh random salt, so the nonce can be fixed at zero and no caller
 * ever handles one. A crash that rewrites a message draws a new salt, hence a new key: a nonce is never
 * reused. The output is {@code salt ‖ ciphertext ‖ tag}.
 *
 * <p>Tink's rule applies: the API takes plaintext and associated data, nothing else. Immutable, thread-safe.
 */
public final class OneTimeKeyAead {
  public static final int SALT_BYTES = 16;
  public static final int KEY_BYTES = 32;
  public static final int TAG_BYTES = 16;
  /** Bytes an encryption adds to the plaintext. */
  public static final int OVERHEAD = SALT_BYTES + TAG_BYTES;
  private static final byte[] ZERO_NONCE = new byte[12];
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] secret;
  private final byte[] info;

  /**
   * @param secret the long-lived secret (32 bytes); never used as a key itself
   * @param info the purpose, a domain-separating label: keys for different purposes never coincide
   */
  public OneTimeKeyAead(byte[] secret, byte[] info) {
    if (secret.length != KEY_BYTES) {
      throw new IllegalArgumentException("A secret is 32 bytes, not " + secret.length);
    }
    this.secret = secret.clone();
    this.info = info.clone();
  }

  /** {@code salt ‖ ChaCha20-Poly1305(HKDF(secret, salt, info), nonce 0, plaintext, aad)}, with a random salt. */
  public byte[] encrypt(byte[] plaintext, byte[] aad) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return encryptWithSalt(salt, plaintext, aad);
  }

  /** The one-time key of a ciphertext made by {@link #encrypt}: what a second party needs to open it alone. */
  public byte[] keyOf(byte[] ciphertext) {
    if (ciphertext.length < OVERHEAD) {
      throw new IllegalArgumentException("Not a ciphertext of this class: too short");
    }
    return Hkdf.sha256(secret, Arrays.copyOf(ciphertext, SALT_BYTES), info, KEY_BYTES);
  }

  /** Opens what {@link #encrypt} made with the same secret, info and {@code aad}. */
  public byte[] decrypt(byte[] ciphertext, byte[] aad) throws OpenFailedException {
    if (ciphertext.length < OVERHEAD) {
      throw new OpenFailedException("it is too short to be a ciphertext");
    }
    return openWithKey(keyOf(ciphertext), ciphertext, aad);
  }

  /** Opens a ciphertext of this class given its one-time key (see {@link #keyOf}). */
  public static byte[] openWithKey(byte[] oneTimeKey, byte[] ciphertext, byte[] aad) throws OpenFailedException {
    if (ciphertext.length < OVERHEAD || oneTimeKey.length != KEY_BYTES) {
      throw new OpenFailedException("it is too short to be a ciphertext");
    }
    return chacha(false, oneTimeKey, aad, ciphertext, SALT_BYTES, ciphertext.length - SALT_BYTES);
  }

  /** Only for reproducible test vectors: a caller-chosen salt must never repeat with the same secret. */
  public byte[] encryptWithSaltForTestVectorsOnly(byte[] salt, byte[] plaintext, byte[] aad) {
    return encryptWithSalt(salt, plaintext, aad);
  }

  private byte[] encryptWithSalt(byte[] salt, byte[] plaintext, byte[] aad) {
    byte[] key = Hkdf.sha256(secret, salt, info, KEY_BYTES);
    byte[] ct;
    try {
      ct = chacha(true, key, aad, plaintext, 0, plaintext.length);
    } catch (OpenFailedException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 refused to encrypt", e); // cannot happen when encrypting
    }
    byte[] out = Arrays.copyOf(salt, SALT_BYTES + ct.length);
    System.arraycopy(ct, 0, out, SALT_BYTES, ct.length);
    return out;
  }

  /**
   * Plain ChaCha20-Poly1305 (the JDK's, about 30 % faster here than Bouncy Castle's) with an explicit
   * nonce: only this class and the RFC 8439 known-answer test call it.
   */
  static byte[] chacha20Poly1305(boolean encrypt, byte[] key, byte[] nonce, byte[] aad, byte[] input)
      throws OpenFailedException {
    return chacha(encrypt, key, nonce, aad, input, 0, input.length);
  }

  private static byte[] chacha(boolean encrypt, byte[] key, byte[] aad, byte[] input, int off, int len)
      throws OpenFailedException {
    return chacha(encrypt, key, ZERO_NONCE, aad, input, off, len);
  }

  private static byte[] chacha(boolean encrypt, byte[] key, byte[] nonce, byte[] aad, byte[] input, int off, int len)
      throws OpenFailedException {
    try {
      // A new instance each call: the JDK's refuses to be initialised again with the key and nonce it had,
      // even to decrypt, and opening the same value twice in a row is normal.
      Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
      cipher.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"),
          new IvParameterSpec(nonce));
      if (aad != null && aad.length > 0) {
        cipher.updateAAD(aad);
      }
      return cipher.doFinal(input, off, len);
    } catch (AEADBadTagException e) {
      throw new OpenFailedException("it does not authenticate");
    } catch (GeneralSecurityException e) {
      if (!encrypt && e instanceof javax.crypto.BadPaddingException) {
        throw new OpenFailedException("it does not authenticate");
      }
      throw new IllegalStateException("ChaCha20-Poly1305 is part of every Java runtime since 11", e);
    }
  }

  /** A ciphertext that does not open: altered, moved, or made with another secret. */
  public static final class OpenFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    public OpenFailedException(String message) {
      super(message);
    }
  }
}
