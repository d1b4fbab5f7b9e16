package org.reschat.core.identity;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.reschat.core.InvalidCardException;
import org.reschat.core.internal.crypto.Hkdf;

/**
 * One person's private keys: Ed25519 to sign their pages, X25519 to agree conversation secrets, and a
 * self seed, a third secret that only key derivation sees (what seals the sender's copy of each message
 * and the local group state). Each key has one use: the X25519 secret goes only into X25519, so no
 * derivation rests on a key that is also used for key agreement. The keys never leave this object except
 * through {@link #exportPrivateKeysUnencrypted()}, whose name says what it does. Immutable and thread-safe.
 *
 * <p>Identities made before the self seed existed (64 bytes of keys, identity file version 1) derive it
 * once from their X25519 secret, under a label of its own, and keep it in the identity file from then on
 * ({@link IdentityFile}); every device of the identity derives the same seed, so they still read each
 * other's copies. What such identities sealed before is opened with {@link #legacySelfSecret}.
 */
public final class Identity {
  /** Bytes of {@link #exportPrivateKeysUnencrypted()}: Ed25519 seed, X25519 secret, self seed. */
  public static final int PRIVATE_KEY_BYTES = 96;
  /** Bytes of the keys of an identity from before the self seed (Ed25519 seed, X25519 secret). */
  public static final int LEGACY_PRIVATE_KEY_BYTES = 64;
  private static final byte[] LEGACY_SELF_SALT = utf8("reschat/v2 self");
  private static final byte[] SEED_FROM_LEGACY = utf8("reschat/v3 self seed");
  private static final byte[] SELF_SALT = utf8("reschat/v3 self");
  private final byte[] signingSeed;
  private final byte[] encryptionSecret;
  private final byte[] selfSeed;
  private final PublicCard card;

  private Identity(byte[] signingSeed, byte[] encryptionSecret, byte[] selfSeed) {
    this.signingSeed = signingSeed;
    this.encryptionSecret = encryptionSecret;
    this.selfSeed = selfSeed;
    byte[] edPub = new Ed25519PrivateKeyParameters(signingSeed, 0).generatePublicKey().getEncoded();
    byte[] xPub = new X25519PrivateKeyParameters(encryptionSecret, 0).generatePublicKey().getEncoded();
    try {
      this.card = PublicCard.of(edPub, xPub);
    } catch (InvalidCardException e) {
      throw new IllegalStateException("A freshly derived key pair was rejected", e);
    }
  }

  /** New random keys: the three secrets are drawn independently. */
  public static Identity generate(SecureRandom random) {
    byte[] seed = new byte[32];
    byte[] secret = new byte[32];
    byte[] self = new byte[32];
    random.nextBytes(seed);
    random.nextBytes(secret);
    random.nextBytes(self);
    return new Identity(seed, secret, self);
  }

  /**
   * Rebuilds an identity from the 96 bytes {@link #exportPrivateKeysUnencrypted()} returned (the Ed25519
   * seed, the X25519 secret, the self seed), or from the 64 bytes of an identity made before the self seed
   * (whose seed is then derived, the same on every device: {@link #legacySelfSecret} of a label of its own).
   */
  public static Identity importPrivateKeys(byte[] privateKeys) {
    if (privateKeys.length == LEGACY_PRIVATE_KEY_BYTES) {
      byte[] secret = Arrays.copyOfRange(privateKeys, 32, 64);
      return new Identity(Arrays.copyOfRange(privateKeys, 0, 32), secret,
          Hkdf.sha256(secret, LEGACY_SELF_SALT, SEED_FROM_LEGACY, 32)); // derived once, then kept in the file
    }
    if (privateKeys.length != PRIVATE_KEY_BYTES) {
      throw new IllegalArgumentException("Private keys are " + PRIVATE_KEY_BYTES + " (or, from before the self seed, "
          + LEGACY_PRIVATE_KEY_BYTES + ") bytes, not " + privateKeys.length);
    }
    return new Identity(Arrays.copyOfRange(privateKeys, 0, 32), Arrays.copyOfRange(privateKeys, 32, 64),
        Arrays.copyOfRange(privateKeys, 64, 96));
  }

  /**
   * The 96 private-key bytes in the clear. Whoever holds them can read every message sent to this person
   * and sign pages in their name: seal them (see {@link IdentityFile}) before they touch a disk.
   */
  public byte[] exportPrivateKeysUnencrypted() {
    byte[] out = Arrays.copyOf(signingSeed, PRIVATE_KEY_BYTES);
    System.arraycopy(encryptionSecret, 0, out, 32, 32);
    System.arraycopy(selfSeed, 0, out, 64, 32);
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
   * message kept for its sender, and the local group state. It comes from the self seed alone (never from
   * a key used for signing or key agreement), which the identity file holds, so restoring the identity
   * restores it.
   */
  public byte[] selfSecret(byte[] context) {
    return Hkdf.sha256(selfSeed, SELF_SALT, context, 32);
  }

  /**
   * The secret {@link #selfSecret} was before the self seed: HKDF of the X25519 secret. Only to open what
   * was sealed that way (sender copies in pages of version 2, group state written before); nothing new is
   * ever sealed under it.
   */
  public byte[] legacySelfSecret(byte[] context) {
    return Hkdf.sha256(encryptionSecret, LEGACY_SELF_SALT, context, 32);
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
   * @throws org.reschat.core.internal.crypto.Hpke.OpenFailedException when it was not sealed to this card with this
   *     info and aad, or was altered
   */
  public byte[] openSealed(byte[] info, byte[] aad, byte[] sealed) throws org.reschat.core.internal.crypto.Hpke.OpenFailedException {
    return org.reschat.core.internal.crypto.Hpke.open(encryptionSecret, card.encryptionKey(), info, aad, sealed);
  }

  @Override
  public String toString() {
    return "Identity[" + card + "]"; // never the private keys
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
