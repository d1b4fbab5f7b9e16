package org.reschat.core.internal.device;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.kv.KvKeys;

/**
 * A one-time link code (protocol §15.5): {@code "rcl1:" ‖ b64u(S[16] ‖ e_pub[32] ‖ u32 expires)}. {@code S} names
 * the board the new device posts its request on and the key of the welcome; {@code e_pub} is the X25519 key
 * device 0 made for this code alone, which the request is sealed to; {@code expires} is in Unix seconds.
 * Immutable.
 */
public record LinkCode(byte[] secret, byte[] offerKey, long expires) {
  public static final String PREFIX = "rcl1:";
  static final int SECRET_BYTES = 16;
  /** Length of a code's text. */
  public static final int TEXT_LENGTH = PREFIX.length() + Base64Url.encodedLength(SECRET_BYTES + 32 + 4);
  private static final byte[] BOARD_LABEL = utf8("reschat/v3 device link board");
  private static final byte[] WELCOME_LABEL = utf8("reschat/v3 device link welcome");
  private static final byte[] CHECK_LABEL = utf8("reschat/v3 device link check\0");
  private static final byte[] PROBE = new byte[32];

  static {
    Arrays.fill(PROBE, (byte) 0x5A);
  }

  public LinkCode {
    secret = secret.clone();
    offerKey = offerKey.clone();
    if (secret.length != SECRET_BYTES || offerKey.length != 32 || expires < 0 || expires > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("Not a link code");
    }
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public byte[] offerKey() {
    return offerKey.clone();
  }

  /** The code as one line. */
  public String text() {
    return PREFIX + Base64Url.encode(ByteBuffer.allocate(SECRET_BYTES + 32 + 4).put(secret).put(offerKey)
        .putInt((int) expires).array());
  }

  /**
   * The code {@code text} spells (whitespace anywhere ignored, as a wrapped copy has it), if it is exactly one:
   * the prefix, the length, canonical base64url, and an offer key that is a canonical X25519 key of prime order.
   */
  public static Optional<LinkCode> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String code = text.replaceAll("\\s+", "");
    if (!code.startsWith(PREFIX) || code.length() != TEXT_LENGTH) {
      return Optional.empty();
    }
    Optional<byte[]> raw = Base64Url.decode(code.substring(PREFIX.length()));
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(raw.get());
    byte[] s = new byte[SECRET_BYTES];
    byte[] e = new byte[32];
    in.get(s).get(e);
    long expires = in.getInt() & 0xFFFFFFFFL;
    byte[] out = new byte[32];
    if ((e[31] & 0x80) != 0 || !X25519.calculateAgreement(PROBE, 0, e, 0, out, 0)) {
      return Optional.empty();
    }
    return Optional.of(new LinkCode(s, e, expires));
  }

  /** The secret of the board the request goes on (a board of protocol §13). */
  byte[] boardSecret() {
    return Hkdf.sha256(secret, new byte[0], BOARD_LABEL, 32);
  }

  /** The board's label. */
  static String boardLabel() {
    return "reschat/v3 device link board";
  }

  /** Where device 0 writes the welcome. */
  String welcomeKey() {
    return KvKeys.requireValid("rc2." + Base64Url.encode(Hkdf.sha256(secret, new byte[0], WELCOME_LABEL, 16)));
  }

  /**
   * The check both screens show (protocol §15.5): the first 5 bytes of SHA-256 over the offer key and what the
   * request holds, as two groups of 5 digits.
   */
  static byte[] check(byte[] offerKey, byte[] requestKey, byte[] deviceSigning, byte[] deviceAgreement) {
    return Arrays.copyOf(Sha.sha256(CHECK_LABEL, offerKey, requestKey, deviceSigning, deviceAgreement), 5);
  }

  /** {@link #check} as people read it: {@code 01234 56789}. */
  static String checkText(byte[] check) {
    long v = 0;
    for (byte b : check) {
      v = (v << 8) | (b & 0xFF);
    }
    String digits = String.format("%010d", v % 10_000_000_000L);
    return digits.substring(0, 5) + " " + digits.substring(5);
  }

  /** The key that seals the welcome: from X25519 of the offer's key pair and the request's, and the check. */
  byte[] welcomeSecret(byte[] sharedX25519, byte[] check) {
    byte[] info = ByteBuffer.allocate(WELCOME_LABEL.length + check.length).put(WELCOME_LABEL).put(check).array();
    return Hkdf.sha256(sharedX25519, secret, info, 32);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LinkCode c && Arrays.equals(c.secret, secret) && Arrays.equals(c.offerKey, offerKey)
        && c.expires == expires;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(secret);
  }

  @Override
  public String toString() {
    return "LinkCode[expires " + expires + "]"; // never the secret
  }
}
