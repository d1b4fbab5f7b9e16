package org.reschat.localdb;

import org.reschat.core.ReschatException;

/** A request the profile refuses: the {@link Kind} says why; the message is one sentence for people. */
public final class ProfileException extends ReschatException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Kind {
    INVALID_NICKNAME,
    DUPLICATE_NICKNAME,
    DUPLICATE_CARD,
    OWN_CARD,
    UNKNOWN_FRIEND,
    NO_IDENTITY,
    IDENTITY_EXISTS
  }

  private final Kind kind;

  public ProfileException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
