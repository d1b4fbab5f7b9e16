package org.reschat.core.internal.device;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.reschat.core.DeviceException;
import org.reschat.core.DeviceJoin;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * The new device's side of linking (protocol §15.5): it draws its own keys and a one-time X25519 pair, posts
 * its request on the code's board sealed to device 0's one-time key, and waits for the welcome, which only it
 * can open (its key comes from X25519 of its one-time secret and device 0's). It then checks that the
 * identity's device list certifies exactly its keys under the number the welcome gives, and reads the state.
 */
public final class Joining implements DeviceJoin {
  /** How long after the code's end the new device still looks for a welcome device 0 wrote in time. */
  static final long GRACE_SECONDS = 60;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KvStore store;
  private final LinkCode code;
  private final Clock clock;
  private final byte[] signingSeed;
  private final byte[] agreementSecret;
  private final byte[] requestSecret;
  private final PublicCard deviceKeys;
  private final byte[] check;

  private Joining(KvStore store, LinkCode code, Clock clock, byte[] signingSeed, byte[] agreementSecret,
      byte[] requestSecret, PublicCard deviceKeys, byte[] check) {
    this.store = store;
    this.code = code;
    this.clock = clock;
    this.signingSeed = signingSeed;
    this.agreementSecret = agreementSecret;
    this.requestSecret = requestSecret;
    this.deviceKeys = deviceKeys;
    this.check = check;
  }

  /** See {@link DeviceJoin#start}. */
  public static DeviceJoin start(KvStore store, String text, String name, Clock clock) throws DeviceException, KvException {
    LinkCode code = LinkCode.parse(text).orElseThrow(() -> new DeviceException(DeviceException.Reason.INVALID_CODE,
        "That is not a link code (one starts with \"" + LinkCode.PREFIX + "\" and is " + LinkCode.TEXT_LENGTH
            + " characters long): copy it again from your first device."));
    if (clock.instant().getEpochSecond() > code.expires()) {
      throw new DeviceException(DeviceException.Reason.EXPIRED, "That link code's 10 minutes are over; make a new one"
          + " on your first device (reschat device link).");
    }
    String n = name == null ? "" : name.strip();
    byte[] nameBytes = n.getBytes(StandardCharsets.UTF_8);
    if (n.isEmpty() || n.length() > 64 || nameBytes.length > LedgerDevices.MAX_NAME_BYTES) {
      throw new IllegalArgumentException("A device's name is 1 to 64 characters");
    }
    byte[] signingSeed = new byte[32];
    byte[] agreementSecret = new byte[32];
    byte[] requestSecret = new byte[32];
    RANDOM.nextBytes(signingSeed);
    RANDOM.nextBytes(agreementSecret);
    RANDOM.nextBytes(requestSecret);
    byte[] dk = new Ed25519PrivateKeyParameters(signingSeed, 0).generatePublicKey().getEncoded();
    byte[] dx = new X25519PrivateKeyParameters(agreementSecret, 0).generatePublicKey().getEncoded();
    byte[] nPub = new X25519PrivateKeyParameters(requestSecret, 0).generatePublicKey().getEncoded();
    PublicCard keys;
    try {
      keys = PublicCard.of(dk, dx);
    } catch (org.reschat.core.InvalidCardException e) {
      throw new IllegalStateException("Freshly drawn device keys were refused", e);
    }
    byte[] payload = ByteBuffer.allocate(32 * 3 + 1 + nameBytes.length).put(nPub).put(dk).put(dx)
        .put((byte) nameBytes.length).put(nameBytes).array();
    try {
      new Board(code.boardSecret(), LinkCode.boardLabel()).post(store, key -> Hpke.standard().seal(code.offerKey(),
          LedgerDevices.REQUEST_INFO, key.getBytes(StandardCharsets.UTF_8), payload));
    } catch (Board.FullException e) {
      throw new DeviceException(DeviceException.Reason.DAMAGED, "The request could not be posted (other writers kept"
          + " replacing it); make a new code and try again.");
    }
    return new Joining(store, code, clock, signingSeed, agreementSecret, requestSecret, keys,
        LinkCode.check(code.offerKey(), nPub, dk, dx));
  }

  @Override
  public String check() {
    return LinkCode.checkText(check);
  }

  @Override
  public Instant expires() {
    return Instant.ofEpochSecond(code.expires());
  }

  @Override
  public Optional<DeviceJoin.Joined> poll() throws DeviceException, KvException {
    Optional<String> value = store.get(code.welcomeKey());
    if (value.isEmpty()) {
      if (clock.instant().getEpochSecond() > code.expires() + GRACE_SECONDS) {
        throw new DeviceException(DeviceException.Reason.EXPIRED, "Your first device did not answer within the code's"
            + " 10 minutes; make a new code there and try again.");
      }
      return Optional.empty();
    }
    byte[] shared = new byte[32];
    if (!X25519.calculateAgreement(requestSecret, 0, code.offerKey(), 0, shared, 0)) {
      throw damaged("the code's key is weak");
    }
    byte[] raw = Base64Url.decode(value.get()).filter(b -> b.length > 1 && b[0] == LedgerDevices.VALUE_VERSION)
        .orElseThrow(() -> damaged("what is there is not a welcome"));
    byte[] header;
    try {
      header = new OneTimeKeyAead(code.welcomeSecret(shared, check), LedgerDevices.WELCOME_LABEL)
          .decrypt(Arrays.copyOfRange(raw, 1, raw.length), code.welcomeKey().getBytes(StandardCharsets.UTF_8));
    } catch (OneTimeKeyAead.OpenFailedException e) {
      throw new DeviceException(DeviceException.Reason.NOT_THIS_DEVICE, "Your first device answered another request"
          + " than this device's: someone else used the code. Nothing was linked here; make a new code.");
    } finally {
      Arrays.fill(shared, (byte) 0);
    }
    Welcome w = Welcome.decode(header).orElseThrow(() -> damaged("the welcome does not parse"));
    byte[] keys = new byte[Identity.DEVICE_KEY_BYTES];
    System.arraycopy(w.keys(), 0, keys, 0, 64);
    System.arraycopy(signingSeed, 0, keys, 64, 32);
    System.arraycopy(agreementSecret, 0, keys, 96, 32);
    Identity identity;
    try {
      identity = Identity.linkedDevice(w.card(), w.device(), keys);
    } catch (IllegalArgumentException e) {
      throw damaged("the keys handed over are not the identity's");
    } finally {
      Arrays.fill(keys, (byte) 0);
    }
    // The identity's list must certify exactly this device's keys under that number (only the identity signs it).
    DeviceList entry = store.get(DeviceLog.key(w.card(), w.list())).flatMap(v -> DeviceLog.open(w.card(), w.list(), v))
        .filter(e -> Arrays.equals(e.hash(), w.hash()))
        .orElseThrow(() -> damaged("the identity's list of devices does not hold the entry the welcome names"));
    boolean named = entry.devices().stream().anyMatch(d -> d.number() == w.device() && d.keys().equals(deviceKeys));
    if (!named) {
      throw damaged("the identity's list of devices does not name this device");
    }
    LinkBundle.Content content = LinkBundle.decode(LinkBundle.read(store, w.bundle()))
        .orElseThrow(() -> damaged("the identity's state does not parse"));
    return Optional.of(new Joined(identity, w.name(), content, entry, clock.millis()));
  }

  private static DeviceException damaged(String what) {
    return new DeviceException(DeviceException.Reason.DAMAGED, "The link cannot finish: " + what + ".");
  }

  /** What linking handed this device. */
  private record Joined(Identity identity, String name, LinkBundle.Content content, DeviceList entry, long now)
      implements DeviceJoin.Joined {
    @Override
    public byte[] applicationState() {
      return content.app();
    }

    @Override
    public void importInto(LocalState state) throws LocalStateException {
      for (java.util.Map.Entry<String, String> g : content.groups().entrySet()) {
        state.saveGroup(g.getKey(), g.getValue());
      }
      for (LinkBundle.Mark m : content.delivered()) {
        state.saveDelivered(m.feed(), new LocalState.Position(m.page(), m.slot()));
      }
      OwnDevice own = new OwnDevice(identity, state);
      for (java.util.Map.Entry<Integer, String> n : content.names().entrySet()) {
        own.name(n.getKey(), n.getValue());
      }
      SelfChannel.keepEpochs(identity, state, content.selfEpochs()); // the self channel's current epoch (§15.6)
      new org.reschat.core.internal.conversation.PairEpochs(identity, state).imported(content.pairs()); // §3.1
      DeviceBook.keep(state, entry, now);
    }
  }
}
