package org.reschat.core;

/** A group operation that cannot be done: not a member any more, not allowed, no such member. One sentence. */
public final class GroupException extends ReschatException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason { REMOVED, LEFT, NOT_ALLOWED, NOT_A_MEMBER, ALREADY_A_MEMBER, MALFORMED }

  private final Reason reason;

  public GroupException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
