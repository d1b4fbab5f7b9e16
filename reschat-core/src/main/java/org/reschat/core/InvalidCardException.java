package org.reschat.core;

/** A public card that is not a well-formed ResChat card (rc1:…), or holds an unusable key. */
public class InvalidCardException extends ReschatException {
  private static final long serialVersionUID = 1L;

  public InvalidCardException(String message) {
    super(message);
  }

  public InvalidCardException(String message, Throwable cause) {
    super(message, cause);
  }
}
