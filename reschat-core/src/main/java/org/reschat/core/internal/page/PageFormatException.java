package org.reschat.core.internal.page;

import org.reschat.core.ReschatException;

/** Bytes that are not a well-formed v2 page or envelope. The {@link Reason} tells what kind of malformation. */
public final class PageFormatException extends ReschatException {
  private static final long serialVersionUID = 1L;

  /** What is wrong. */
  public enum Reason {
    TOO_LARGE,
    NOT_AN_ENVELOPE,
    UNSUPPORTED_VERSION,
    DOES_NOT_OPEN,
    TRUNCATED,
    BAD_FIELD,
    NO_SLOTS,
    TOO_MANY_SLOTS,
    BAD_SLOT,
    TRAILING_DATA
  }

  private final Reason reason;

  public PageFormatException(Reason reason, String detail) {
    super("Not a valid page: " + detail + ".");
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
