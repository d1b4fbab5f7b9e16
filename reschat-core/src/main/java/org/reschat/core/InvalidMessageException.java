package org.reschat.core;

/** A message that cannot be sent as given: empty, over the size limit, or not valid Unicode text. */
public class InvalidMessageException extends ReschatException {
  private static final long serialVersionUID = 1L;

  public InvalidMessageException(String message) {
    super(message);
  }

  public InvalidMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
