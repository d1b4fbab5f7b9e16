package org.reschat.core.identity;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.reschat.core.InvalidCardException;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.identity.KeyMaterial;
import org.reschat.core.internal.identity.Secrets;

/**
 * One person's private keys: Ed25519 to sign their pages, X25519 to agree conversation secrets, and a
 * self seed, a third secret that only key derivation sees (what seals the sender's copy of each message
 * and the local group state). Each key has one use: the X25519 secret goes only into X25519, so no
 * derivation rests on a key that is also used for key agreement. This class has no method that uses or
 * hands out the keys: the engine reaches them through an internal accessor, and they leave only sealed, in
 * an {@link IdentityFile}. Immutable and thread-safe.
 *
 * <p>Identities made before the self seed existed (64 bytes of keys, identity file version 1) derive it
 * once from their X25519 secret, under a label of its own, and keep it in the identity file from then on
 * ({@link IdentityFile}); every device of the identity derives the same seed, so they still read each
 * other's copies.
 */
public final class Identity {
  /** Bytes of the private keys an {@link IdentityFile} keeps: Ed25519 seed, X25519 secret, self seed. */
  public static final int PRIVATE_KEY_BYTES = 96;
  /** Bytes of the keys of an identity from before the self seed (Ed25519 seed, X25519 secret). */
  public static final int LEGACY_PRIVATE_KEY_BYTES = 64;
  private static final byte[] LEGACY_SELF_SALT = "reschat/v2 self".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SEED_FROM_LEGACY = "reschat/v3 self seed".getBytes(StandardCharsets.UTF_8);

  static {
    Secrets.install(id -> id.keys);
  }

  private final KeyMaterial keys;
  private final PublicCard card;

  private Identity(KeyMaterial keys, PublicCard card) {
    this.keys = keys;
    this.card = card;
  }

  private Identity(byte[] signingSeed, byte[] encryptionSecret, byte[] selfSeed) {
    byte[] edPub = new Ed25519PrivateKeyParameters(signingSeed, 0).generatePublicKey().getEncoded();
    byte[] xPub = new X25519PrivateKeyParameters(encryptionSecret, 0).generatePublicKey().getEncoded();
    this.keys = new KeyMaterial(signingSeed, encryptionSecret, selfSeed, xPub);
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
   * Rebuilds an identity from its 96 private-key bytes (the Ed25519 seed, the X25519 secret, the self
   * seed), or from the 64 bytes of an identity made before the self seed (whose seed is then derived, the
   * same on every device).
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

  /** Bytes of a linked device's keys: X25519 secret, self seed, device Ed25519 seed, device X25519 secret. */
  public static final int DEVICE_KEY_BYTES = 128;

  /**
   * A linked device of the identity {@code card} (protocol §15.1): it holds the identity's X25519 secret and
   * self seed, so it reads and writes the identity's chats, and keys of its own (an Ed25519 key that signs its
   * pages, an X25519 device key), but not the identity's signing key, which stays on device 0.
   *
   * @param number its number in the identity's device list, from 1
   * @param privateKeys {@link #DEVICE_KEY_BYTES} bytes: X25519 secret, self seed, device Ed25519 seed, device X25519 secret
   * @throws IllegalArgumentException when the X25519 secret is not the card's
   */
  public static Identity linkedDevice(PublicCard card, int number, byte[] privateKeys) {
    if (privateKeys.length != DEVICE_KEY_BYTES) {
      throw new IllegalArgumentException("A linked device's keys are " + DEVICE_KEY_BYTES + " bytes, not " + privateKeys.length);
    }
    byte[] secret = Arrays.copyOfRange(privateKeys, 0, 32);
    byte[] xPub = new X25519PrivateKeyParameters(secret, 0).generatePublicKey().getEncoded();
    if (!Arrays.equals(xPub, card.encryptionKey())) {
      throw new IllegalArgumentException("The X25519 secret is not that of the card " + card);
    }
    return new Identity(new KeyMaterial(number, Arrays.copyOfRange(privateKeys, 64, 96),
        Arrays.copyOfRange(privateKeys, 96, 128), secret, Arrays.copyOfRange(privateKeys, 32, 64), xPub), card);
  }

  /** Which device of its identity this is: 0 for the identity's own keys, from 1 for a linked device. */
  public int deviceNumber() {
    return keys.deviceNumber();
  }

  /**
   * Whether this holds the identity's signing key (device 0): what linking and revoking devices, signed group
   * statements, channel posts and directory records need. A linked device does not.
   */
  public boolean holdsIdentityKey() {
    return keys.holdsIdentityKey();
  }

  /**
   * The private-key bytes in the clear, for {@link IdentityFile} to seal: the one way keys leave an
   * identity is an identity file (or backup), sealed under a passphrase unless its maker chose none.
   */
  byte[] exportPrivateKeysUnencrypted() {
    return keys.holdsIdentityKey() ? keys.export() : keys.exportDevice();
  }

  public PublicCard card() {
    return card;
  }

  @Override
  public String toString() {
    return "Identity[" + card + (deviceNumber() == 0 ? "" : ", device " + deviceNumber()) + "]"; // never the private keys
  }
}
