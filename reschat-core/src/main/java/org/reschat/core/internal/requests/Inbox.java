package org.reschat.core.internal.requests;

import org.reschat.core.internal.identity.Secrets;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.Optional;
import org.reschat.core.InvalidCardException;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.crypto.Padding;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * A person's inbox for message requests: one {@link Board} per calendar month (UTC), whose secret anyone
 * holding their card derives. A request is the sender's card sealed to the owner's card with HPKE, so the
 * ledger sees neither who asks nor, without the owner's card, whose inbox it is. A new board each month
 * bounds what a flood can take away: one month's board, never the inbox.
 */
public final class Inbox {
  private static final byte[] SALT = "reschat/v2 inbox".getBytes(StandardCharsets.UTF_8);
  private static final byte[] INFO = "reschat/v2 message request".getBytes(StandardCharsets.UTF_8);
  /**
   * What a request's HPKE plaintext is padded to (the card, then {@code 0x80 0…}): its ledger value is then
   * exactly as long as the commonest page, a first page holding one message of up to 31 bytes
   * ({@code MessageRequestsTimingTest} checks it), so a request does not stand out by its length.
   */
  static final int PADDED = 256;

  private Inbox() {}

  /** {@code owner}'s board for {@code month}: secret = HKDF(card bytes, "reschat/v2 inbox", "YYYY-MM"). */
  public static Board board(PublicCard owner, YearMonth month) {
    byte[] secret = Hkdf.sha256(owner.bytes(), SALT, month.toString().getBytes(StandardCharsets.UTF_8), 32);
    return new Board(secret, "reschat/v2 inbox board");
  }

  /** A request from {@code from} to {@code to}, for the slot at {@code key}. */
  public static byte[] seal(PublicCard to, PublicCard from, String key) {
    return Hpke.standard().seal(to.encryptionKey(), INFO, key.getBytes(StandardCharsets.UTF_8), plaintext(from));
  }

  /** What a request from {@code from} seals: the card's 64 bytes, then {@code 0x80} and zeros to {@link #PADDED}. */
  public static byte[] plaintext(PublicCard from) {
    byte[] padded = Arrays.copyOf(from.bytes(), PADDED);
    padded[64] = (byte) 0x80;
    return padded;
  }

  /** The card a request at {@code key} carries; empty when it is junk or was sealed to someone else. */
  public static Optional<PublicCard> open(Identity me, String key, byte[] sealed) {
    try {
      byte[] opened = Secrets.of(me).openSealed(INFO, key.getBytes(StandardCharsets.UTF_8), sealed);
      // 64 bytes: a client from before requests were padded; PADDED: the card, padded.
      byte[] card = opened.length == 64 ? opened
          : opened.length == PADDED ? Padding.unpad(opened).orElse(new byte[0]) : new byte[0];
      if (card.length != 64) {
        return Optional.empty();
      }
      return Optional.of(PublicCard.of(Arrays.copyOf(card, 32), Arrays.copyOfRange(card, 32, 64)));
    } catch (Hpke.OpenFailedException | InvalidCardException e) {
      return Optional.empty();
    }
  }
}
