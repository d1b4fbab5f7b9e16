package org.reschat.kv;

/** The store did not answer within the configured timeout. */
public final class KvTimeoutException extends KvException {
  private static final long serialVersionUID = 1L;

  public KvTimeoutException(String message) {
    super(message, null);
  }

  public KvTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
