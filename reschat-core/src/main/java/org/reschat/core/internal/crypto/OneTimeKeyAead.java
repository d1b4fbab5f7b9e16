package org.reschat.core.internal.crypto;

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
 * <p>ChaCha20-Poly1305 does not commit to its key: whoever picks two keys can make one ciphertext that
 * opens under both, to different plaintexts ("invisible salamanders"). A {@linkplain #committing committing}
 * instance closes that, as Albertini et al. (USENIX Security 2022) and Bellare and Hoang's CommitKey
 * transform do: from the one-time key {@code K} it derives with HKDF an encryption key and a 32-byte
 * commitment, stores the commitment ({@code salt ‖ commitment ‖ ciphertext ‖ tag}), and opens only with a
 * key whose commitment matches (compared in constant time). Finding a second key with the same commitment is
 * finding a collision of HMAC-SHA256. Nothing new is invented: HKDF and ChaCha20-Poly1305, composed.
 *
 * <p>Tink's rule applies: the API takes plaintext and associated data, nothing else. Immutable, thread-safe.
 */
public final class OneTimeKeyAead {
  public static final int SALT_BYTES = 16;
  public static final int KEY_BYTES = 32;
  public static final int TAG_BYTES = 16;
  public static final int COMMITMENT_BYTES = 32;
  /** Bytes an encryption adds to the plaintext. */
  public static final int OVERHEAD = SALT_BYTES + TAG_BYTES;
  /** Bytes a committing encryption adds to the plaintext. */
  public static final int COMMITTING_OVERHEAD = SALT_BYTES + COMMITMENT_BYTES + TAG_BYTES;
  private static final byte[] ZERO_NONCE = new byte[12];
  private static final byte[] NO_SALT = new byte[0];
  private static final byte[] NO_PREFIX = new byte[0];
  private static final byte[] COMMITMENT_LABEL = "reschat/v3 key commitment".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final byte[] COMMITTED_KEY_LABEL = "reschat/v3 committed key".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] secret;
  private final byte[] info;
  private final boolean committing;

  /**
   * @param secret the long-lived secret (32 bytes); never used as a key itself
   * @param info the purpose, a domain-separating label: keys for different purposes never coincide
   */
  public OneTimeKeyAead(byte[] secret, byte[] info) {
    this(secret, info, false);
  }

  private OneTimeKeyAead(byte[] secret, byte[] info, boolean committing) {
    if (secret.length != KEY_BYTES) {
      throw new IllegalArgumentException("A secret is 32 bytes, not " + secret.length);
    }
    this.secret = secret.clone();
    this.info = info.clone();
    this.committing = committing;
  }

  /** As the constructor, but key-committing: a ciphertext opens under one key only (see the class comment). */
  public static OneTimeKeyAead committing(byte[] secret, byte[] info) {
    return new OneTimeKeyAead(secret, info, true);
  }

  /** Bytes an encryption of this instance adds: {@link #OVERHEAD} or {@link #COMMITTING_OVERHEAD}. */
  public int overhead() {
    return committing ? COMMITTING_OVERHEAD : OVERHEAD;
  }

  /** The 32-byte commitment to a one-time key that a committing ciphertext carries after its salt. */
  public static byte[] commitmentOf(byte[] oneTimeKey) {
    return Hkdf.sha256(oneTimeKey, NO_SALT, COMMITMENT_LABEL, COMMITMENT_BYTES);
  }

  /**
   * {@code [commitment, encryption key]} of a one-time key {@code K}: {@code HKDF(K, "", "reschat/v3 key
   * commitment", 32)} and {@code HKDF(K, "", "reschat/v3 committed key", 32)} (protocol.md §1.1; the key that
   * encrypts is never {@code K} itself). Both extract from the same {@code K} and salt, so one HKDF-Extract
   * serves both expansions: the same bytes for one HMAC less.
   */
  private static byte[][] commitmentAndKey(byte[] oneTimeKey) {
    byte[] prk = Hkdf.extract(oneTimeKey, NO_SALT);
    return new byte[][] {Hkdf.expand(prk, COMMITMENT_LABEL, COMMITMENT_BYTES), Hkdf.expand(prk, COMMITTED_KEY_LABEL, KEY_BYTES)};
  }

  /** {@code salt ‖ ChaCha20-Poly1305(HKDF(secret, salt, info), nonce 0, plaintext, aad)}, with a random salt. */
  public byte[] encrypt(byte[] plaintext, byte[] aad) {
    return encryptKeepingKey(plaintext, aad).ciphertext();
  }

  /** A ciphertext and its one-time key ({@link #keyOf} of it), derived once. */
  public record Sealed(byte[] ciphertext, byte[] key) {}

  /** As {@link #encrypt}, also handing back the one-time key, which the caller would otherwise derive again. */
  public Sealed encryptKeepingKey(byte[] plaintext, byte[] aad) {
    return encryptWithSalt(NO_PREFIX, freshSalt(), plaintext, aad);
  }

  /**
   * {@code prefix ‖} {@link #encrypt}{@code (plaintext, aad)}, in one array: for a caller that puts a version byte
   * in front (the prefix is not authenticated here: bind it with the associated data if it matters).
   */
  public byte[] encryptAfter(byte[] prefix, byte[] plaintext, byte[] aad) {
    return encryptWithSalt(prefix, freshSalt(), plaintext, aad).ciphertext();
  }

  private static byte[] freshSalt() {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return salt;
  }

  /** The one-time key of a ciphertext made by {@link #encrypt}: what a second party needs to open it alone. */
  public byte[] keyOf(byte[] ciphertext) {
    if (ciphertext.length < overhead()) {
      throw new IllegalArgumentException("Not a ciphertext of this class: too short");
    }
    return Hkdf.sha256(secret, Arrays.copyOf(ciphertext, SALT_BYTES), info, KEY_BYTES);
  }

  /** Opens what {@link #encrypt} made with the same secret, info and {@code aad}. */
  public byte[] decrypt(byte[] ciphertext, byte[] aad) throws OpenFailedException {
    if (ciphertext.length < overhead()) {
      throw new OpenFailedException("it is too short to be a ciphertext");
    }
    return open(keyOf(ciphertext), ciphertext, aad);
  }

  /**
   * Opens a ciphertext of this instance's kind given its one-time key (see {@link #keyOf}), as someone who
   * holds the key but not the secret does. A committing instance first checks the key's commitment.
   */
  public byte[] open(byte[] oneTimeKey, byte[] ciphertext, byte[] aad) throws OpenFailedException {
    if (!committing) {
      return openWithKey(oneTimeKey, ciphertext, aad);
    }
    if (ciphertext.length < COMMITTING_OVERHEAD || oneTimeKey.length != KEY_BYTES) {
      throw new OpenFailedException("it is too short to be a ciphertext");
    }
    byte[] stored = Arrays.copyOfRange(ciphertext, SALT_BYTES, SALT_BYTES + COMMITMENT_BYTES);
    byte[][] derived = commitmentAndKey(oneTimeKey);
    if (!java.security.MessageDigest.isEqual(stored, derived[0])) {
      throw new OpenFailedException("it is committed to another key");
    }
    int at = SALT_BYTES + COMMITMENT_BYTES;
    return chacha(false, derived[1], ZERO_NONCE, aad, ciphertext, at, ciphertext.length - at);
  }

  /** Opens a non-committing ciphertext of this class given its one-time key (see {@link #keyOf}). */
  public static byte[] openWithKey(byte[] oneTimeKey, byte[] ciphertext, byte[] aad) throws OpenFailedException {
    if (ciphertext.length < OVERHEAD || oneTimeKey.length != KEY_BYTES) {
      throw new OpenFailedException("it is too short to be a ciphertext");
    }
    return chacha(false, oneTimeKey, aad, ciphertext, SALT_BYTES, ciphertext.length - SALT_BYTES);
  }

  /**
   * Encrypts a one-time key ({@code key}, 32 bytes) under {@code ChaCha20(HKDF(secret, salt, info), nonce 0)}
   * (RFC 8439 §2.4, the JDK's), where the salt is the one {@code companion} drew, a committing ciphertext
   * this key opens: 32 bytes out, no salt and no tag. Not authenticated on its own, by design: the only use
   * is the sender's copy of a message key inside a signed page, and the key it gives back is accepted only
   * if the companion's commitment matches it ({@link #open}) and it is the receivers' key, so a changed
   * value opens nothing. Each salt is fresh, so each keystream is used once.
   */
  public byte[] wrapKeyUnderSaltOf(byte[] companion, byte[] key) {
    if (committing || key.length != KEY_BYTES || companion.length < SALT_BYTES) {
      throw new IllegalArgumentException("Only a plain instance wraps a 32-byte key under another ciphertext's salt");
    }
    return keystreamXor(companion, key);
  }

  /** The key {@link #wrapKeyUnderSaltOf} wrapped, to be checked by the caller before it is trusted. */
  public byte[] unwrapKeyUnderSaltOf(byte[] companion, byte[] wrapped) {
    if (committing || wrapped.length != KEY_BYTES || companion.length < SALT_BYTES) {
      throw new IllegalArgumentException("Not a wrapped key of this class");
    }
    return keystreamXor(companion, wrapped);
  }

  private byte[] keystreamXor(byte[] companion, byte[] input) {
    byte[] key = Hkdf.sha256(secret, Arrays.copyOf(companion, SALT_BYTES), info, KEY_BYTES);
    try {
      return initialised(CHACHA_STREAM, Cipher.ENCRYPT_MODE, key, new javax.crypto.spec.ChaCha20ParameterSpec(ZERO_NONCE, 0))
          .doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20 is part of every Java runtime since 11", e);
    }
  }

  /** Only for reproducible test vectors: a caller-chosen salt must never repeat with the same secret. */
  public byte[] encryptWithSaltForTestVectorsOnly(byte[] salt, byte[] plaintext, byte[] aad) {
    return encryptWithSalt(NO_PREFIX, salt, plaintext, aad).ciphertext();
  }

  /** {@code prefix ‖ salt ‖ [commitment ‖] ciphertext ‖ tag}, written into one array, and the one-time key. */
  private Sealed encryptWithSalt(byte[] prefix, byte[] salt, byte[] plaintext, byte[] aad) {
    byte[] key = Hkdf.sha256(secret, salt, info, KEY_BYTES);
    byte[][] derived = committing ? commitmentAndKey(key) : null;
    byte[] out = new byte[prefix.length + overhead() + plaintext.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(salt, 0, out, prefix.length, SALT_BYTES);
    int at = prefix.length + SALT_BYTES;
    if (committing) {
      System.arraycopy(derived[0], 0, out, at, COMMITMENT_BYTES);
      at += COMMITMENT_BYTES;
    }
    try {
      aeadWithAad(Cipher.ENCRYPT_MODE, committing ? derived[1] : key, ZERO_NONCE, aad).doFinal(plaintext, 0, plaintext.length,
          out, at);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 refused to encrypt", e); // cannot happen: the room is exact
    }
    return new Sealed(out, key);
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
      return aeadWithAad(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, key, nonce, aad).doFinal(input, off, len);
    } catch (AEADBadTagException e) {
      throw new OpenFailedException("it does not authenticate");
    } catch (GeneralSecurityException e) {
      if (!encrypt && e instanceof javax.crypto.BadPaddingException) {
        throw new OpenFailedException("it does not authenticate");
      }
      throw new IllegalStateException("ChaCha20-Poly1305 is part of every Java runtime since 11", e);
    }
  }

  /** This thread's ChaCha20-Poly1305, initialised, the associated data given: ready for the text. */
  private static Cipher aeadWithAad(int mode, byte[] key, byte[] nonce, byte[] aad) throws GeneralSecurityException {
    Cipher cipher = initialised(CHACHA, mode, key, new IvParameterSpec(nonce));
    if (aad != null && aad.length > 0) {
      cipher.updateAAD(aad);
    }
    return cipher;
  }

  /** A cipher per thread for each transformation: getInstance looks the algorithm up among the providers each call. */
  private static final ThreadLocal<Cipher> CHACHA = ThreadLocal.withInitial(() -> newCipher("ChaCha20-Poly1305"));
  private static final ThreadLocal<Cipher> CHACHA_STREAM = ThreadLocal.withInitial(() -> newCipher("ChaCha20"));

  private static Cipher newCipher(String transformation) {
    try {
      return Cipher.getInstance(transformation);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(transformation + " is part of every Java runtime since 11", e);
    }
  }

  /**
   * This thread's cipher of {@code kept}'s kind, initialised. The JDK's refuses to be initialised again with the
   * key and nonce it had (opening the same value twice in a row is normal): then a new one, kept.
   */
  private static Cipher initialised(ThreadLocal<Cipher> kept, int mode, byte[] key,
      java.security.spec.AlgorithmParameterSpec parameters) throws GeneralSecurityException {
    SecretKeySpec spec = new SecretKeySpec(key, "ChaCha20");
    Cipher cipher = kept.get();
    try {
      cipher.init(mode, spec, parameters);
    } catch (java.security.InvalidKeyException | java.security.InvalidAlgorithmParameterException sameKeyAndNonce) {
      cipher = newCipher(cipher.getAlgorithm());
      cipher.init(mode, spec, parameters);
      kept.set(cipher);
    }
    return cipher;
  }

  /** A ciphertext that does not open: altered, moved, or made with another secret. */
  public static final class OpenFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    public OpenFailedException(String message) {
      super(message);
    }
  }
}
