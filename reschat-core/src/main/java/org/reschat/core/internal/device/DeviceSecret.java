package org.reschat.core.internal.device;

import java.util.Optional;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.spi.LocalState;

/**
 * This device's X25519 device secret ({@code DX}, protocol §15.1), what opens what is sealed to this device alone:
 * a linked device's is in its identity file, device 0's in its own record (made at its first link).
 */
public final class DeviceSecret {
  private DeviceSecret() {}

  /** Empty on device 0 before its first link, or restored from the keys alone (§15.11). */
  public static Optional<byte[]> of(Identity me, LocalState state) throws LocalStateException {
    Optional<byte[]> linked = Secrets.of(me).deviceAgreementSecret();
    return linked.isPresent() ? linked : new OwnDevice(me, state).load().agreementSecret();
  }
}
