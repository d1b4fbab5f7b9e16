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
 * Every admin of the group holds the links any admin made ({@link LinkSharing}, {@code GROUP_LINK}).
 *
 * @param boxSecret the box's private key; empty on the requester's side, who only holds the link, and for an
 *     admin until another admin's client has sealed it to them
 * @param denied fingerprints (hex) of requesters an admin denied, at most {@link Board#SLOTS}
 * @param maker the admin who made it; empty for a link kept before links were shared (this member made it)
 * @param holders fingerprints (hex) of the admins this member knows to hold the box's private key: those it
 *     was sealed to, its maker, the admins who wrote of it
 */
public record JoinLink(byte[] board, byte[] boxPublic, Optional<byte[]> boxSecret, boolean revoked, List<String> denied,
    Optional<PublicCard> maker, List<String> holders) {
  public static final String PREFIX = "rcg1:";
  private static final byte[] WELCOME_LABEL = "reschat/v2 join welcome".getBytes(StandardCharsets.UTF_8);

  public JoinLink {
    board = board.clone();
    boxPublic = boxPublic.clone();
    boxSecret = boxSecret.map(byte[]::clone);
    denied = List.copyOf(denied);
    holders = List.copyOf(holders);
  }

  // Copies out, as in: a group's state is shared by every caller once opened (OpenedGroups).
  @Override
  public byte[] board() {
    return board.clone();
  }

  @Override
  public byte[] boxPublic() {
    return boxPublic.clone();
  }

  @Override
  public Optional<byte[]> boxSecret() {
    return boxSecret.map(byte[]::clone);
  }

  /**
   * A new link with a fresh board and box, made by {@code maker}; held by nobody else yet (its box is sealed
   * to every admin, the maker's other devices included: {@link LinkSharing}).
   */
  static JoinLink create(SecureRandom random, PublicCard maker) {
    byte[] board = new byte[16];
    random.nextBytes(board);
    byte[] secret = new byte[32];
    X25519.generatePrivateKey(random, secret);
    return new JoinLink(board, publicOf(secret), Optional.of(secret), false, List.of(), Optional.of(maker), List.of());
  }

  /** The X25519 public key of a box's private key. */
  static byte[] publicOf(byte[] secret) {
    byte[] pub = new byte[32];
    X25519.generatePublicKey(secret, 0, pub, 0);
    return pub;
  }

  /** Parses a link as a requester holds it. */
  public static Optional<JoinLink> parse(String text) {
    String t = text == null ? "" : text.replaceAll("\\s+", "");
    if (!t.startsWith(PREFIX)) {
      return Optional.empty();
    }
    return Base64Url.decode(t.substring(PREFIX.length())).filter(b -> b.length == 48)
        .map(b -> new JoinLink(Arrays.copyOf(b, 16), Arrays.copyOfRange(b, 16, 48), Optional.empty(), false, List.of(),
            Optional.empty(), List.of()));
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
    return new JoinLink(board, boxPublic, boxSecret, true, denied, maker, holders);
  }

  JoinLink deny(PublicCard requester) {
    return merged(new JoinLink(board, boxPublic, Optional.empty(), false, List.of(Epoch.hex(requester)), maker,
        List.of()));
  }

  /** The same link, made by {@code maker} (who holds it): for a link kept before links were shared. */
  JoinLink madeBy(PublicCard maker) {
    return merged(new JoinLink(board, boxPublic, Optional.empty(), false, List.of(), Optional.of(maker),
        List.of(Epoch.hex(maker))));
  }

  /** The same link known to be held by {@code more} admins too (fingerprint hex). */
  JoinLink heldBy(java.util.Collection<String> more) {
    return merged(new JoinLink(board, boxPublic, Optional.empty(), false, List.of(), maker, List.copyOf(more)));
  }

  /**
   * What this member and {@code other} know of the same link, together: every fact only grows (revoked stays
   * revoked, a denial stays), so two admins who read each other's ops in any order, or again, agree.
   */
  JoinLink merged(JoinLink other) {
    if (!sameBoard(other)) {
      throw new IllegalArgumentException("Only the same link merges");
    }
    return new JoinLink(board, boxPublic, boxSecret.or(other::boxSecret), revoked || other.revoked,
        union(denied, other.denied), maker.or(other::maker), union(holders, other.holders));
  }

  private static List<String> union(List<String> a, List<String> b) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>(a);
    for (String x : b) {
      if (out.size() >= Board.SLOTS) {
        break; // bounded: what a hostile admin adds past it is dropped, not kept
      }
      out.add(x);
    }
    return List.copyOf(out);
  }

  boolean sameBoard(JoinLink other) {
    return Arrays.equals(board, other.board);
  }
}
