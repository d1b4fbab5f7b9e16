package org.reschat.kv;

/** The store refused the request as malformed (an HTTP 4xx from ResilientDB, or a value over the store's size limit). */
public final class KvRejectedException extends KvException {
  private static final long serialVersionUID = 1L;

  public KvRejectedException(String message) {
    super(message, null);
  }

  public KvRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
