package org.reschat.core.identity;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.reschat.core.InvalidCardException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.internal.identity.CheckedCards;

/**
 * Someone's public identity, pasted as one line: {@code rc2:} + base64url(Ed25519 public key ‖ X25519
 * public key ‖ 4-byte checksum). The Ed25519 key verifies their pages; the X25519 key agrees a
 * conversation secret with them. The checksum ({@code SHA-256("reschat/v2 card" ‖ keys)[0..4)}) catches
 * typos: a card with one character changed is refused instead of naming a key nobody holds. Each key pair
 * has exactly one card: the unused top bit of the X25519 key must be zero and the Ed25519 key canonical.
 * Whitespace inside a pasted card (a wrapped copy) is ignored. Immutable.
 */
public final class PublicCard {
  public static final String PREFIX = "rc2:";
  private static final int CHECK_BYTES = 4;
  private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");
  private static final byte[] CHECK_LABEL = "reschat/v2 card".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  /** Length of a card's text: the prefix and 91 base64url characters. */
  public static final int TEXT_LENGTH = PREFIX.length() + Base64Url.encodedLength(64 + CHECK_BYTES);

  // Any scalar works: clamping multiplies by the cofactor, so every low-order point maps to zero.
  private static final byte[] PROBE_SCALAR = new byte[32];

  static {
    Arrays.fill(PROBE_SCALAR, (byte) 0x5A);
  }

  private final byte[] signingKey;
  private final byte[] encryptionKey;
  /** SHA-256 of the keys, computed at first use (a group's send and receive ask for every member's several times). */
  private volatile byte[] fingerprint;
  /** {@link #hashCode}, computed at first use (0: not yet; a card is a key of many maps and sets). */
  private int hash;

  private PublicCard(byte[] signingKey, byte[] encryptionKey) {
    this.signingKey = signingKey;
    this.encryptionKey = encryptionKey;
  }

  /** Builds a card from raw keys, checking both as {@link #parse} does. */
  public static PublicCard of(byte[] ed25519Public, byte[] x25519Public) throws InvalidCardException {
    if (ed25519Public.length != 32 || x25519Public.length != 32) {
      throw new InvalidCardException("A card holds two 32-byte keys.");
    }
    byte[] signing = ed25519Public.clone();
    byte[] encryption = x25519Public.clone();
    CheckedCards.checkOnce(signing, encryption, () -> check(signing, encryption));
    return new PublicCard(signing, encryption);
  }

  private static void check(byte[] ed25519Public, byte[] x25519Public) throws InvalidCardException {
    if (!Ed25519.validatePublicKeyFull(ed25519Public, 0)) {
      throw new InvalidCardException("The card's signing key is not a valid Ed25519 public key.");
    }
    if ((x25519Public[31] & 0x80) != 0) {
      // RFC 7748 ignores this bit, so two spellings would name one key: only the one with it clear is a card.
      throw new InvalidCardException("The card's encryption key is not in canonical form.");
    }
    byte[] out = new byte[32];
    if (!X25519.calculateAgreement(PROBE_SCALAR, 0, x25519Public, 0, out, 0)) {
      throw new InvalidCardException("The card's encryption key is a weak X25519 key (low order).");
    }
  }

  /** Parses {@code rc2:…}; whitespace anywhere in it is ignored. */
  public static PublicCard parse(String text) throws InvalidCardException {
    if (text == null) {
      throw new InvalidCardException("No card given.");
    }
    String card = WHITESPACE.matcher(text).replaceAll(""); // compiled once: String.replaceAll compiles at every call
    if (card.startsWith("rc1:")) {
      throw new InvalidCardException("This is a card of ResChat's first protocol, which is no longer spoken; ask for a new card (rc2:…).");
    }
    if (!card.startsWith(PREFIX)) {
      throw new InvalidCardException("A ResChat card starts with \"rc2:\"; this one does not.");
    }
    if (card.length() != TEXT_LENGTH) {
      throw new InvalidCardException("A ResChat card is " + TEXT_LENGTH + " characters long; this one has "
          + card.length() + ": was it cut off when copied?");
    }
    byte[] all = Base64Url.decode(card.substring(PREFIX.length()))
        .orElseThrow(() -> new InvalidCardException("The card has characters that are not base64url (A-Z a-z 0-9 - _)."));
    byte[] keys = Arrays.copyOf(all, 64);
    if (!Arrays.equals(checksum(keys), Arrays.copyOfRange(all, 64, 64 + CHECK_BYTES))) {
      throw new InvalidCardException("The card's checksum does not match: a character was changed or lost when it was copied.");
    }
    return of(Arrays.copyOfRange(keys, 0, 32), Arrays.copyOfRange(keys, 32, 64));
  }

  private static byte[] checksum(byte[] keys) {
    return Arrays.copyOf(Sha.sha256(CHECK_LABEL, keys), CHECK_BYTES);
  }

  public byte[] signingKey() {
    return signingKey.clone();
  }

  public byte[] encryptionKey() {
    return encryptionKey.clone();
  }

  /** The 64 key bytes, Ed25519 first. */
  public byte[] bytes() {
    byte[] out = Arrays.copyOf(signingKey, 64);
    System.arraycopy(encryptionKey, 0, out, 32, 32);
    return out;
  }

  /** SHA-256 of the 64 key bytes. */
  public byte[] fingerprint() {
    byte[] f = fingerprint;
    if (f == null) {
      f = Sha.sha256(bytes()); // two threads may both compute it: the same bytes
      fingerprint = f;
    }
    return f.clone();
  }

  /** The fingerprint in hex, in groups of four: {@code 3f9a 01c2 …}. */
  public String fingerprintText() {
    String hex = HexFormat.of().formatHex(fingerprint());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < hex.length(); i += 4) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(hex, i, i + 4);
    }
    return sb.toString();
  }

  /** Whether the Ed25519 signature is valid for {@code message} under this card's signing key. */
  public boolean verify(byte[] message, byte[] signature) {
    return signature.length == 64 && Ed25519.verify(signature, 0, signingKey, 0, message, 0, message.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicCard other && Arrays.equals(signingKey, other.signingKey)
        && Arrays.equals(encryptionKey, other.encryptionKey);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = Arrays.hashCode(signingKey) * 31 + Arrays.hashCode(encryptionKey); // racy but idempotent, as String's
      hash = h;
    }
    return h;
  }

  /** The card as one line: {@code rc2:…}. */
  @Override
  public String toString() {
    byte[] keys = bytes();
    byte[] all = Arrays.copyOf(keys, 64 + CHECK_BYTES);
    System.arraycopy(checksum(keys), 0, all, 64, CHECK_BYTES);
    return PREFIX + Base64Url.encode(all);
  }
}
