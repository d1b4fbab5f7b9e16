package org.reschat.core.internal.requests;

import org.reschat.core.internal.identity.Secrets;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.reschat.core.InvalidCardException;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.crypto.Padding;
import org.reschat.core.internal.device.DeviceList;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * A person's inbox for message requests: one {@link Board} per calendar month (UTC), whose secret anyone
 * holding their card derives. A request is the sender's card sealed to the owner's card with HPKE, so the
 * ledger sees neither who asks nor, without the owner's card, whose inbox it is; to a person who revoked a
 * device, it is sealed to each remaining device's own key instead ({@link #sealToDevices}), which the revoked
 * device, holding the identity's secret, cannot open. A new board each month
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
  private static final byte[] DEVICE_INFO = "reschat/v3 device message request".getBytes(StandardCharsets.UTF_8);
  /**
   * Seals a request to devices holds, whatever the number of devices: the most a device list names
   * ({@link DeviceList#MAX_DEVICES}), the rest sealed to throwaway keys, so the value does not tell how many.
   */
  static final int DEVICE_SEALS = DeviceList.MAX_DEVICES;
  /** The card padded (§1.2) to this: 16 seals of 114 bytes make a value exactly as long as a page padded to 1,792. */
  private static final int DEVICE_PADDED = 66;
  private static final int DEVICE_SEAL = DEVICE_PADDED + Hpke.OVERHEAD;
  /** The length of a request sealed to devices (protocol §13). */
  static final int DEVICE_REQUEST = DEVICE_SEALS * DEVICE_SEAL;

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

  /**
   * A request from {@code from} for the slot at {@code key}, sealed to each of {@code deviceKeys} (X25519 device
   * keys, at most {@link #DEVICE_SEALS}) instead of the identity key: a revoked device, which holds the identity's
   * secret but no other device's, opens none of it. The seals are in random order, the unused ones sealed to
   * throwaway keys (real seals, so nothing tells them apart) drawn from {@code random}, which must be a secure
   * source outside test vectors: a throwaway key recomputed opens a seal holding the card.
   */
  public static byte[] sealToDevices(List<byte[]> deviceKeys, PublicCard from, String key, Hpke hpke,
      RandomGenerator random) {
    if (deviceKeys.isEmpty() || deviceKeys.size() > DEVICE_SEALS) {
      throw new IllegalArgumentException("a request is sealed to 1 to " + DEVICE_SEALS + " devices");
    }
    List<byte[]> keys = new ArrayList<>(deviceKeys);
    while (keys.size() < DEVICE_SEALS) {
      byte[] throwaway = new byte[32];
      random.nextBytes(throwaway);
      keys.add(new X25519PrivateKeyParameters(throwaway, 0).generatePublicKey().getEncoded());
    }
    for (int i = keys.size() - 1; i > 0; i--) { // Fisher-Yates: which seal is whose says nothing
      Collections.swap(keys, i, random.nextInt(i + 1));
    }
    byte[] card = Arrays.copyOf(from.bytes(), DEVICE_PADDED);
    card[64] = (byte) 0x80;
    byte[] out = new byte[DEVICE_REQUEST];
    for (int i = 0; i < DEVICE_SEALS; i++) {
      byte[] seal = hpke.seal(keys.get(i), DEVICE_INFO, key.getBytes(StandardCharsets.UTF_8), card);
      System.arraycopy(seal, 0, out, i * DEVICE_SEAL, DEVICE_SEAL);
    }
    return out;
  }

  /** What a request from {@code from} seals: the card's 64 bytes, then {@code 0x80} and zeros to {@link #PADDED}. */
  public static byte[] plaintext(PublicCard from) {
    byte[] padded = Arrays.copyOf(from.bytes(), PADDED);
    padded[64] = (byte) 0x80;
    return padded;
  }

  /**
   * The card a request at {@code key} carries, for a device whose X25519 device secret is {@code deviceSecret}
   * (none: device 0 before its first link, or restored from the keys alone): a request sealed to devices opens
   * with that secret only (at most {@link #DEVICE_SEALS} tries), any other with the identity's. Empty when it is
   * junk or was sealed to someone else.
   */
  public static Optional<PublicCard> open(Identity me, Optional<byte[]> deviceSecret, String key, byte[] sealed) {
    if (sealed.length != DEVICE_REQUEST) {
      return open(me, key, sealed);
    }
    if (deviceSecret.isEmpty()) {
      return Optional.empty();
    }
    byte[] pub = new X25519PrivateKeyParameters(deviceSecret.get(), 0).generatePublicKey().getEncoded();
    for (int i = 0; i < DEVICE_SEALS; i++) {
      try {
        byte[] opened = Hpke.open(deviceSecret.get(), pub, DEVICE_INFO, key.getBytes(StandardCharsets.UTF_8),
            Arrays.copyOfRange(sealed, i * DEVICE_SEAL, (i + 1) * DEVICE_SEAL));
        return card(Padding.unpad(opened).orElse(new byte[0]));
      } catch (Hpke.OpenFailedException e) {
        // sealed to another device, or junk: try the next seal
      }
    }
    return Optional.empty();
  }

  /** The card a request at {@code key} sealed to the identity key carries; empty when junk or someone else's. */
  public static Optional<PublicCard> open(Identity me, String key, byte[] sealed) {
    try {
      byte[] opened = Secrets.of(me).openSealed(INFO, key.getBytes(StandardCharsets.UTF_8), sealed);
      // 64 bytes: a client from before requests were padded; PADDED: the card, padded.
      byte[] card = opened.length == 64 ? opened
          : opened.length == PADDED ? Padding.unpad(opened).orElse(new byte[0]) : new byte[0];
      return card(card);
    } catch (Hpke.OpenFailedException e) {
      return Optional.empty();
    }
  }

  private static Optional<PublicCard> card(byte[] card) {
    if (card.length != 64) {
      return Optional.empty();
    }
    try {
      return Optional.of(PublicCard.of(Arrays.copyOf(card, 32), Arrays.copyOfRange(card, 32, 64)));
    } catch (InvalidCardException e) {
      return Optional.empty();
    }
  }
}
