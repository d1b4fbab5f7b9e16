package org.reschat.core;

/** Local state (friends, cursors, cached pages, outbox) cannot be read or written: a corrupt file, a full disk, a lock held elsewhere. */
public class LocalStateException extends ReschatException {
  private static final long serialVersionUID = 1L;

  public LocalStateException(String message) {
    super(message);
  }

  public LocalStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
