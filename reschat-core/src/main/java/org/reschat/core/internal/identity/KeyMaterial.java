package org.reschat.core.internal.identity;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.Hpke;

/**
 * What an {@link org.reschat.core.identity.Identity} can do with its private keys: sign, agree, open what
 * was sealed to it, and derive the secrets only it derives. Internal: reached only through
 * {@link Secrets#of}, never from the API, so an application holding an identity has no method that hands
 * out raw key material. Immutable and thread-safe.
 *
 * <p>On a linked device (protocol §15.1) there is no identity key: {@link #sign} (the identity's signature:
 * device lists, group statements, channel posts, directory records) fails, and {@link #signPage} signs with the
 * device's own Ed25519 key. On device 0 both are the identity key.
 */
public final class KeyMaterial {
  private static final byte[] LEGACY_SELF_SALT = utf8("reschat/v2 self");
  private static final byte[] SELF_SALT = utf8("reschat/v3 self");

  private final Ed25519PrivateKeyParameters signing; // kept whole: rebuilding it per signature recomputes the public key
  private final byte[] encryptionSecret;
  private final byte[] selfSeed;
  private final byte[] encryptionPublic;
  /** A linked device's number and keys; null on device 0. */
  private final Device device;

  /** A linked device's own keys: its number, its Ed25519 key (signs its pages) and its X25519 device secret. */
  private record Device(int number, Ed25519PrivateKeyParameters signing, byte[] agreementSecret) {}

  public KeyMaterial(byte[] signingSeed, byte[] encryptionSecret, byte[] selfSeed, byte[] encryptionPublic) {
    this.signing = new Ed25519PrivateKeyParameters(signingSeed, 0);
    this.encryptionSecret = encryptionSecret.clone();
    this.selfSeed = selfSeed.clone();
    this.encryptionPublic = encryptionPublic.clone();
    this.device = null;
  }

  /** The keys of linked device {@code number}: the identity's X25519 secret and self seed, and its own two keys. */
  public KeyMaterial(int number, byte[] deviceSigningSeed, byte[] deviceAgreementSecret, byte[] encryptionSecret,
      byte[] selfSeed, byte[] encryptionPublic) {
    if (number < 1) {
      throw new IllegalArgumentException("A linked device has a number from 1");
    }
    this.signing = null;
    this.encryptionSecret = encryptionSecret.clone();
    this.selfSeed = selfSeed.clone();
    this.encryptionPublic = encryptionPublic.clone();
    this.device = new Device(number, new Ed25519PrivateKeyParameters(deviceSigningSeed, 0), deviceAgreementSecret.clone());
  }

  /**
   * The identity's Ed25519 signature of {@code message}.
   *
   * @throws IllegalStateException on a linked device, which does not hold the identity key
   */
  public byte[] sign(byte[] message) {
    if (signing == null) {
      throw new IllegalStateException("This device is linked (device " + device.number() + "): only your first device"
          + " holds the identity's signing key, so do this there.");
    }
    return sign(signing, message);
  }

  /** A signature of a page of this device's own feed: the device's key on a linked device, the identity key on device 0. */
  public byte[] signPage(byte[] message) {
    return sign(device == null ? signing : device.signing(), message);
  }

  /** Signatures made since start: a count for tests (how often a path signs), never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong SIGNED = new java.util.concurrent.atomic.AtomicLong();

  /** Signatures this process has made so far. */
  public static long signatures() {
    return SIGNED.get();
  }

  private static byte[] sign(Ed25519PrivateKeyParameters key, byte[] message) {
    SIGNED.incrementAndGet();
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /** Whether these are the identity's keys (device 0), which sign for the identity. */
  public boolean holdsIdentityKey() {
    return signing != null;
  }

  /** This device's number: 0 for the identity's own keys. */
  public int deviceNumber() {
    return device == null ? 0 : device.number();
  }

  /** The Ed25519 public key that signs this device's pages (on device 0, the card's). */
  public byte[] pageSigningKey() {
    return (device == null ? signing : device.signing()).generatePublicKey().getEncoded();
  }

  /**
   * A 32-byte secret only this identity can derive, for {@code context}: what seals the copy of each
   * message kept for its sender, and the local group state. It comes from the self seed alone (never from
   * a key used for signing or key agreement).
   */
  public byte[] selfSecret(byte[] context) {
    return Hkdf.sha256(selfSeed, SELF_SALT, context, 32);
  }

  /**
   * The secret {@link #selfSecret} was before the self seed: HKDF of the X25519 secret. Only to open what
   * was sealed that way; nothing new is ever sealed under it.
   */
  public byte[] legacySelfSecret(byte[] context) {
    return Hkdf.sha256(encryptionSecret, LEGACY_SELF_SALT, context, 32);
  }

  /** The raw X25519 shared secret with {@code other}, for key derivation only; never zero (cards are checked). */
  public byte[] rawSharedSecretWith(PublicCard other) {
    byte[] out = new byte[32];
    if (!X25519.calculateAgreement(encryptionSecret, 0, other.encryptionKey(), 0, out, 0)) {
      throw new IllegalStateException("X25519 agreement with a checked card failed");
    }
    return out;
  }

  /** The raw X25519 secret shared with the holder of {@code x25519Public}; empty when that key is low-order. */
  public Optional<byte[]> agree(byte[] x25519Public) {
    byte[] out = new byte[32];
    return X25519.calculateAgreement(encryptionSecret, 0, x25519Public, 0, out, 0) ? Optional.of(out) : Optional.empty();
  }

  /** Opens what was sealed to this identity's card with HPKE (RFC 9180, base mode). */
  public byte[] openSealed(byte[] info, byte[] aad, byte[] sealed) throws Hpke.OpenFailedException {
    return Hpke.open(encryptionSecret, encryptionPublic, info, aad, sealed);
  }

  /**
   * The private keys as {@code Identity} exports them: Ed25519 seed, X25519 secret, self seed.
   *
   * @throws IllegalStateException on a linked device (its keys are written as a device's, protocol §15.9)
   */
  public byte[] export() {
    if (signing == null) {
      throw new IllegalStateException("A linked device's keys are not an identity's");
    }
    byte[] out = Arrays.copyOf(signing.getEncoded(), 96);
    System.arraycopy(encryptionSecret, 0, out, 32, 32);
    System.arraycopy(selfSeed, 0, out, 64, 32);
    return out;
  }

  /**
   * A linked device's keys as its identity file keeps them ({@code Identity.DEVICE_KEY_BYTES}): X25519 secret,
   * self seed, device Ed25519 seed, device X25519 secret.
   *
   * @throws IllegalStateException on device 0
   */
  public byte[] exportDevice() {
    if (device == null) {
      throw new IllegalStateException("Device 0's keys are the identity's");
    }
    byte[] out = Arrays.copyOf(encryptionSecret, 128);
    System.arraycopy(selfSeed, 0, out, 32, 32);
    System.arraycopy(device.signing().getEncoded(), 0, out, 64, 32);
    System.arraycopy(device.agreementSecret(), 0, out, 96, 32);
    return out;
  }

  /** The identity's X25519 secret and self seed (64 bytes): what device 0 hands a device it links (protocol §15.5). */
  public byte[] shareWithDevice() {
    byte[] out = Arrays.copyOf(encryptionSecret, 64);
    System.arraycopy(selfSeed, 0, out, 32, 32);
    return out;
  }

  /** A linked device's X25519 device secret: what opens a new self epoch sealed to it (protocol §15.6). */
  public Optional<byte[]> deviceAgreementSecret() {
    return device == null ? Optional.empty() : Optional.of(device.agreementSecret().clone());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
