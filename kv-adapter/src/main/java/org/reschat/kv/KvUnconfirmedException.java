package org.reschat.kv;

/** A write was accepted but a read-back did not show it within the confirm timeout; it may still appear later. */
public final class KvUnconfirmedException extends KvException {
  private static final long serialVersionUID = 1L;

  public KvUnconfirmedException(String message) {
    super(message, null);
  }

  public KvUnconfirmedException(String message, Throwable cause) {
    super(message, cause);
  }
}
