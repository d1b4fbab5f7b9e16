package org.reschat.core.identity;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.reschat.core.InvalidCardException;
import org.reschat.core.crypto.Hkdf;

/**
 * One person's private keys: Ed25519 to sign their pages, X25519 to agree conversation secrets. The keys
 * never leave this object except through {@link #exportPrivateKeysUnencrypted()}, whose name says what it
 * does. Immutable and thread-safe.
 */
public final class Identity {
  private static final byte[] SELF_SALT = "reschat/v2 self".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private final byte[] signingSeed;
  private final byte[] encryptionSecret;
  private final PublicCard card;

  private Identity(byte[] signingSeed, byte[] encryptionSecret) {
    this.signingSeed = signingSeed;
    this.encryptionSecret = encryptionSecret;
    byte[] edPub = new Ed25519PrivateKeyParameters(signingSeed, 0).generatePublicKey().getEncoded();
    byte[] xPub = new X25519PrivateKeyParameters(encryptionSecret, 0).generatePublicKey().getEncoded();
    try {
      this.card = PublicCard.of(edPub, xPub);
    } catch (InvalidCardException e) {
      throw new IllegalStateException("A freshly derived key pair was rejected", e);
    }
  }

  /** New random keys. */
  public static Identity generate(SecureRandom random) {
    byte[] seed = new byte[32];
    byte[] secret = new byte[32];
    random.nextBytes(seed);
    random.nextBytes(secret);
    return new Identity(seed, secret);
  }

  /**
   * Rebuilds an identity from the 64 bytes {@link #exportPrivateKeysUnencrypted()} returned: the Ed25519
   * seed, then the X25519 secret.
   */
  public static Identity importPrivateKeys(byte[] privateKeys) {
    if (privateKeys.length != 64) {
      throw new IllegalArgumentException("Private keys are 64 bytes, not " + privateKeys.length);
    }
    return new Identity(Arrays.copyOfRange(privateKeys, 0, 32), Arrays.copyOfRange(privateKeys, 32, 64));
  }

  /**
   * The 64 private-key bytes in the clear. Whoever holds them can read every message sent to this person
   * and sign pages in their name: seal them (see {@link IdentityFile}) before they touch a disk.
   */
  public byte[] exportPrivateKeysUnencrypted() {
    byte[] out = Arrays.copyOf(signingSeed, 64);
    System.arraycopy(encryptionSecret, 0, out, 32, 32);
    return out;
  }

  public PublicCard card() {
    return card;
  }

  /** An Ed25519 signature of {@code message}. */
  public byte[] sign(byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, new Ed25519PrivateKeyParameters(signingSeed, 0));
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /**
   * A 32-byte secret only this identity can derive, for {@code context}: what seals the copy of each
   * message kept for its sender. It depends on the private key alone, so restoring the identity restores it.
   */
  public byte[] selfSecret(byte[] context) {
    return Hkdf.sha256(encryptionSecret, SELF_SALT, context, 32);
  }

  /**
   * The raw X25519 shared secret with {@code other}; only key derivation should see it (see
   * {@code Conversation}). The card's key was checked not to be low-order, so the result is never zero.
   */
  public byte[] rawSharedSecretWith(PublicCard other) {
    byte[] out = new byte[32];
    if (!X25519.calculateAgreement(encryptionSecret, 0, other.encryptionKey(), 0, out, 0)) {
      throw new IllegalStateException("X25519 agreement with a checked card failed");
    }
    return out;
  }

  /**
   * The raw X25519 secret shared with the holder of the private half of {@code x25519Public} (a group's
   * join box, say); empty when that key is low-order. Only key derivation should see it.
   */
  public java.util.Optional<byte[]> agree(byte[] x25519Public) {
    byte[] out = new byte[32];
    return X25519.calculateAgreement(encryptionSecret, 0, x25519Public, 0, out, 0)
        ? java.util.Optional.of(out) : java.util.Optional.empty();
  }

  /**
   * Opens what was sealed to this identity's card with HPKE (RFC 9180, base mode, see {@code Hpke}).
   *
   * @throws org.reschat.core.crypto.Hpke.OpenFailedException when it was not sealed to this card with this
   *     info and aad, or was altered
   */
  public byte[] openSealed(byte[] info, byte[] aad, byte[] sealed) throws org.reschat.core.crypto.Hpke.OpenFailedException {
    return org.reschat.core.crypto.Hpke.open(encryptionSecret, card.encryptionKey(), info, aad, sealed);
  }

  @Override
  public String toString() {
    return "Identity[" + card + "]"; // never the private keys
  }
}
