package org.reschat.core;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * The new device's side of linking (protocol §15.5): {@link #start} posts its request with the code device 0
 * showed, {@link #check()} is what to compare with device 0's screen, and {@link #poll} returns the identity and
 * its state once device 0 approved.
 */
public interface DeviceJoin {

  /**
   * Posts this device's request to be linked, with keys drawn for it.
   *
   * @param name what to call this device on the others (1 to 64 characters)
   * @throws DeviceException {@code INVALID_CODE}, or {@code EXPIRED} when the code's 10 minutes are over by this clock
   */
  static DeviceJoin start(KvStore store, String code, String name, Clock clock) throws DeviceException, KvException {
    return org.reschat.core.internal.device.Joining.start(store, code, name, clock);
  }

  /** Ten digits to compare with what device 0 shows. */
  String check();

  /** When the code stops working. */
  Instant expires();

  /**
   * The identity and its state once device 0 approved this device; empty while it has not.
   *
   * @throws DeviceException {@code NOT_THIS_DEVICE} when device 0 approved another request, {@code EXPIRED} when
   *     the code's time is over with no answer, {@code DAMAGED} when what the ledger holds does not check
   */
  Optional<Joined> poll() throws DeviceException, KvException;

  /** What linking handed this device. */
  interface Joined {
    /** This device's keys: the identity's card, a linked device's keys. Write it with {@code IdentityFile}. */
    Identity identity();

    /** The name device 0 linked it under (this device's). */
    String name();

    /** What device 0's application handed over (friends, nicknames, channels), as it gave it. */
    byte[] applicationState();

    /** Puts the engine's share of the state (groups with their keys, read positions) into {@code state}. */
    void importInto(LocalState state) throws LocalStateException;
  }
}
