package org.reschat.core;

/** A device operation that cannot be done (protocol §15): one sentence, and why. */
public final class DeviceException extends ReschatException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason {
    /** Only device 0, which holds the identity's signing key, may do this. */
    NOT_DEVICE_ZERO,
    /** Not a link code (mistyped, cut off, another kind of code). */
    INVALID_CODE,
    /** The link code's 10 minutes are over. */
    EXPIRED,
    /** The link code was used already (or its link refused). */
    SPENT,
    /** Device 0 answered another request than this device's (someone else used the code). */
    NOT_THIS_DEVICE,
    /** The identity has as many devices as a list holds. */
    TOO_MANY,
    /** No such device. */
    NO_SUCH_DEVICE,
    /** This device was revoked: nobody shows what it writes. */
    REVOKED,
    /** What the ledger holds for this link does not check. */
    DAMAGED
  }

  private final Reason reason;

  public DeviceException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
