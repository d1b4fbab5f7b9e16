package org.reschat.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvException;

/**
 * Linked devices (protocol §15): the devices of this identity and of the people it reads, and linking a new
 * one. Linking is done on device 0 (the one holding the identity's signing key): {@link #offer} makes a one-time
 * code valid for 10 minutes, the new device uses it ({@link DeviceJoin}), {@link #request} finds its request and
 * the check both screens show, and {@link #approve} certifies it and hands it the identity's state.
 */
public interface Devices {

  /** This identity's devices, as the newest list this client verified names them (read when due). */
  List<DeviceInfo> mine() throws LocalStateException, KvException;

  /** {@code person}'s devices, as the newest list this client verified names them (read when due). */
  List<DeviceInfo> of(PublicCard person) throws LocalStateException, KvException;

  /**
   * A new one-time link code, valid for 10 minutes.
   *
   * @throws DeviceException {@code NOT_DEVICE_ZERO} on a linked device
   */
  LinkOffer offer() throws DeviceException;

  /**
   * The first request a new device posted with {@code offer}'s code, once there is one; the same one on every
   * later call.
   *
   * @throws DeviceException {@code EXPIRED} once the code's time is over, {@code SPENT} once it was used
   */
  Optional<LinkRequest> request(LinkOffer offer) throws DeviceException, KvException;

  /**
   * Certifies the requesting device (a new entry of the device list), hands it the identity's keys and state
   * (groups with their keys, read positions, and {@code applicationState}: friends, nicknames, channels, as the
   * application keeps them) and tells every conversation (protocol §15.4). The code is spent whatever happens.
   * Only after the person confirmed that the new device shows the same {@link LinkRequest#check()}.
   */
  DeviceInfo approve(LinkOffer offer, LinkRequest request, byte[] applicationState)
      throws DeviceException, LocalStateException, KvException;

  /** Spends the code without linking anything (the checks differed, or the person said no). */
  void deny(LinkOffer offer);

  /**
   * Revokes device {@code number} (protocol §15.7): a new entry of the list names it revoked, and every
   * conversation where its feed holds anything is told where that feed stops counting, so every reader ignores
   * what it writes after; the self channel and every direct chat get a new key it cannot derive (§3.1), and
   * each group gets one once all its members have taken theirs. What it already read it keeps, and it still
   * reads what is sent to friends whose clients have not taken the new key, and each group one of whose members has
   * not ({@link #notYetRekeyed}; a member who is not a friend gets it in the group).
   *
   * @throws DeviceException {@code NOT_DEVICE_ZERO} on a linked device, {@code NO_SUCH_DEVICE} for a number that
   *     is not a linked device certified now
   */
  DeviceInfo revoke(int number) throws DeviceException, LocalStateException, KvException;

  /**
   * The friends, and members of groups who are not friends, whose clients have not yet taken the newest key of the
   * pair with this person (protocol §3.1): until they do (at their next receive; a version without pair epochs must
   * update), this client writes to them under the old key, which a revoked device still derives, and no group they
   * are in gets a new key. Empty when no device was ever revoked.
   */
  List<PublicCard> notYetRekeyed() throws LocalStateException;

  /**
   * Whether this is a device 0 that lacks the self channel's later epochs (protocol §15.11): the newest list it
   * verified names a revoked device (each revocation starts a new epoch) and a device not revoked, but it holds
   * no epoch after epoch 0, as a copy restored from {@code identity export} alone (or a revocation whose
   * rotation failed) does. Its own changes still reach the other devices, which read every epoch they hold;
   * theirs do not reach it until it starts a new epoch for all: linking a device does, and so does {@link
   * #revoke} of a device revoked already. Reads nothing; false on a linked device.
   */
  boolean missesSelfEpochs() throws LocalStateException;

  /**
   * Fails when this device is revoked (as the newest list this client read says): what it would write, nobody
   * shows.
   */
  void requireNotRevoked() throws DeviceException, LocalStateException;

  /**
   * Tells this identity's other devices of a change the application keeps (protocol §15.6, the self channel):
   * {@code kind} names what changed (1-11 of {@code A-Z 0-9 _}, such as {@code FRIEND}), {@code body} the
   * change in the application's own format (at most 16 KiB), {@code summary} a few words for a person (may be
   * null). Sealed so only this identity's devices open it. Written only while the identity has linked devices
   * (as the newest list this client verified says; linking hands a new device the state as it is then).
   *
   * @return whether it was written (false: this identity has no other device)
   * @throws DeviceException {@code REVOKED} on a revoked device
   */
  boolean tellOtherDevices(String kind, byte[] body, String summary)
      throws InvalidMessageException, DeviceException, LocalStateException, KvException;

  /**
   * The changes this identity's other devices told ({@link #tellOtherDevices}) since the last call, in the
   * order every device merges them (a later change of the same thing comes later); each returned once. Empty,
   * reading nothing, while the identity has no linked device. A revoked device's changes after its cut are
   * not among them. The {@link Receiver} delivers these as {@link Event.FromOtherDevice} in each pass: an
   * application that receives applies them from there and does not call this (whoever reads first gets them).
   */
  List<SelfChange> fromOtherDevices() throws LocalStateException, KvException;

  /** One change another device of this identity told: its kind, its body, when it was written. */
  record SelfChange(String kind, byte[] body, Instant at) {
    public SelfChange {
      body = body.clone();
    }

    @Override
    public byte[] body() {
      return body.clone();
    }
  }

  /**
   * {@code person}'s devices as the newest list this profile verified names them, read from {@code state} alone:
   * no store, no keys (so no names, which are sealed). {@code self} and {@code thisDevice} say which one is this
   * device (pass this profile's card and device number).
   */
  static List<DeviceInfo> known(org.reschat.core.spi.LocalState state, PublicCard person, PublicCard self, int thisDevice)
      throws LocalStateException {
    return org.reschat.core.internal.device.LedgerDevices.known(state, person, self, thisDevice);
  }

  /** A one-time link code and what device 0 keeps of it (in memory only: nothing opens a request without it). */
  interface LinkOffer {
    /** The code to type or scan on the new device. */
    String code();

    Instant expires();
  }

  /** A new device's request to be linked. */
  interface LinkRequest {
    /** Ten digits both screens show; the person links only if they are the same. */
    String check();

    /** The name the new device gave itself. */
    String name();
  }
}
