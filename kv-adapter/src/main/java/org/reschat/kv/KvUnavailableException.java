package org.reschat.kv;

/** No endpoint or local file could serve the request: refused connections, server errors on every endpoint, or a closed store. */
public final class KvUnavailableException extends KvException {
  private static final long serialVersionUID = 1L;

  public KvUnavailableException(String message) {
    super(message, null);
  }

  public KvUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
