package org.reschat.core.internal.crypto;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;

/**
 * Single-shot HPKE (RFC 9180) in base mode with the suite DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * ChaCha20-Poly1305, from Bouncy Castle. A sealed message is {@code enc ‖ ciphertext}: 32 bytes of
 * encapsulated key, then the AEAD output with its 16-byte tag.
 *
 * <p>Every seal uses a fresh ephemeral key, so nonces never repeat and are never exposed. Thread-safe.
 */
public final class Hpke {
  /** Bytes a seal adds to the plaintext: the encapsulated key and the AEAD tag. */
  public static final int OVERHEAD = 32 + 16;

  static final short KEM = HPKE.kem_X25519_SHA256;
  static final short KDF = HPKE.kdf_HKDF_SHA256;
  static final short AEAD = HPKE.aead_CHACHA20_POLY1305;
  private static final int ENC_LENGTH = 32;

  private static final Hpke STANDARD = new Hpke(HPKE::generatePrivateKey);

  private final Function<HPKE, AsymmetricCipherKeyPair> ephemerals;

  Hpke(Function<HPKE, AsymmetricCipherKeyPair> ephemerals) {
    this.ephemerals = ephemerals;
  }

  /** Seals with fresh random ephemeral keys. Use this one. */
  public static Hpke standard() {
    return STANDARD;
  }

  /**
   * Seals with ephemeral keys derived from {@code seed}, so the output is reproducible. Only for
   * publishing test vectors: reusing a seed across real messages would reuse ephemeral keys.
   */
  public static Hpke withDeterministicEphemeralsForTestVectorsOnly(byte[] seed) {
    byte[] copy = seed.clone();
    AtomicLong counter = new AtomicLong();
    return new Hpke(hpke -> hpke.deriveKeyPair(
        Sha.sha256(copy, ByteBuffer.allocate(8).putLong(counter.getAndIncrement()).array())));
  }

  /** Seals {@code plaintext} to the X25519 public key {@code recipient}, binding {@code info} and {@code aad}. */
  public byte[] seal(byte[] recipient, byte[] info, byte[] aad, byte[] plaintext) {
    HPKE hpke = suite();
    AsymmetricKeyParameter pkR = hpke.deserializePublicKey(recipient);
    HPKEContextWithEncapsulation context = hpke.setupBaseS(pkR, info, ephemerals.apply(hpke));
    byte[] ciphertext;
    try {
      ciphertext = context.seal(aad, plaintext);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 refused to encrypt", e); // cannot happen when sealing
    }
    byte[] enc = context.getEncapsulation();
    byte[] out = Arrays.copyOf(enc, enc.length + ciphertext.length);
    System.arraycopy(ciphertext, 0, out, enc.length, ciphertext.length);
    return out;
  }

  /**
   * Opens a sealed message with the recipient's X25519 key pair.
   *
   * @throws OpenFailedException when it was not sealed to this key with this info and aad, or was altered
   */
  public static byte[] open(byte[] privateKey, byte[] publicKey, byte[] info, byte[] aad, byte[] sealed)
      throws OpenFailedException {
    if (sealed.length < OVERHEAD) {
      throw new OpenFailedException("sealed message too short");
    }
    HPKE hpke = suite();
    try {
      AsymmetricCipherKeyPair kpR = hpke.deserializePrivateKey(privateKey, publicKey);
      byte[] enc = Arrays.copyOfRange(sealed, 0, ENC_LENGTH);
      HPKEContext context = hpke.setupBaseR(enc, kpR, info);
      return context.open(aad, Arrays.copyOfRange(sealed, ENC_LENGTH, sealed.length));
    } catch (InvalidCipherTextException e) {
      throw new OpenFailedException("authentication failed");
    } catch (RuntimeException e) {
      // A low-order encapsulated key makes the X25519 agreement fail inside Bouncy Castle.
      throw new OpenFailedException("unusable encapsulated key");
    }
  }

  static HPKE suite() {
    return new HPKE(HPKE.mode_base, KEM, KDF, AEAD);
  }

  /** A sealed message that does not open. */
  public static final class OpenFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    public OpenFailedException(String message) {
      super(message);
    }
  }
}
