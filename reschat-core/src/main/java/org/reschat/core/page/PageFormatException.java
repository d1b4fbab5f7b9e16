package org.reschat.core.page;

import org.reschat.core.ReschatException;

/** A value that is not a well-formed v1 page. The {@link Reason} tells what kind of malformation. */
public final class PageFormatException extends ReschatException {
  private static final long serialVersionUID = 1L;

  /** What is wrong. */
  public enum Reason {
    TOO_LARGE,
    NOT_JSON,
    UNSUPPORTED_VERSION,
    UNKNOWN_FIELD,
    DUPLICATE_FIELD,
    MISSING_FIELD,
    BAD_FIELD,
    NO_SLOTS,
    TOO_MANY_SLOTS,
    BAD_SLOT
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
