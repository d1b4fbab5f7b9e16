package org.reschat.core.internal.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvKeys;

/**
 * A link to ask to join a group: {@code rcg1:} + b64u(board[16] ‖ box public key[32]). The board secret
 * names where requests are posted; the box is an X25519 key pair whose private half only the group's
 * admins hold (an SSB-style P.O. box): requests are sealed to it, and the welcome to an approved requester
 * is sealed under the X25519 secret of the box and the requester, so only a holder of the link's private
 * half could have written it. A new link (and revoking the old) is a new board and box.
 *
 * @param boxSecret the box's private key; empty on the requester's side, who only holds the link
 * @param denied fingerprints (hex) of requesters an admin denied
 */
public record JoinLink(byte[] board, byte[] boxPublic, Optional<byte[]> boxSecret, boolean revoked, List<String> denied) {
  public static final String PREFIX = "rcg1:";
  private static final byte[] WELCOME_LABEL = "reschat/v2 join welcome".getBytes(StandardCharsets.UTF_8);

  public JoinLink {
    board = board.clone();
    boxPublic = boxPublic.clone();
    boxSecret = boxSecret.map(byte[]::clone);
    denied = List.copyOf(denied);
  }

  /** A new link with a fresh board and box. */
  static JoinLink create(SecureRandom random) {
    byte[] board = new byte[16];
    random.nextBytes(board);
    byte[] secret = new byte[32];
    X25519.generatePrivateKey(random, secret);
    byte[] pub = new byte[32];
    X25519.generatePublicKey(secret, 0, pub, 0);
    return new JoinLink(board, pub, Optional.of(secret), false, List.of());
  }

  /** Parses a link as a requester holds it. */
  public static Optional<JoinLink> parse(String text) {
    String t = text == null ? "" : text.replaceAll("\\s+", "");
    if (!t.startsWith(PREFIX)) {
      return Optional.empty();
    }
    return Base64Url.decode(t.substring(PREFIX.length())).filter(b -> b.length == 48)
        .map(b -> new JoinLink(Arrays.copyOf(b, 16), Arrays.copyOfRange(b, 16, 48), Optional.empty(), false, List.of()));
  }

  @Override
  public String toString() {
    byte[] all = Arrays.copyOf(board, 48);
    System.arraycopy(boxPublic, 0, all, 16, 32);
    return PREFIX + Base64Url.encode(all);
  }

  /** Where requests are posted. */
  public Board requests() {
    return new Board(board, "reschat/v2 join board");
  }

  /** Where the welcome for {@code requester} is written. */
  public String welcomeKey(PublicCard requester) {
    byte[] info = ByteBuffer.allocate(WELCOME_LABEL.length + 32).put(WELCOME_LABEL).put(requester.fingerprint()).array();
    return KvKeys.requireValid("rc2." + Base64Url.encode(Hkdf.sha256(board, new byte[0], info, 16)));
  }

  /** Seals welcomes to one requester: a key only the box's holders and that requester derive. */
  static OneTimeKeyAead welcomes(byte[] rawSharedSecret, byte[] board) {
    return new OneTimeKeyAead(Hkdf.sha256(rawSharedSecret, board, WELCOME_LABEL, 32), WELCOME_LABEL);
  }

  JoinLink revoke() {
    return new JoinLink(board, boxPublic, boxSecret, true, denied);
  }

  JoinLink deny(PublicCard requester) {
    List<String> d = new java.util.ArrayList<>(denied);
    d.add(Epoch.hex(requester));
    return new JoinLink(board, boxPublic, boxSecret, revoked, d);
  }

  boolean sameBoard(JoinLink other) {
    return Arrays.equals(board, other.board);
  }
}
