package org.reschat.kv;

import java.io.IOException;

/**
 * Base of every store failure. The subclass says what happened; the message is one sentence for people.
 * See {@link KvStore} for what each kind means.
 */
public abstract class KvException extends IOException {
  private static final long serialVersionUID = 1L;

  protected KvException(String message, Throwable cause) {
    super(message, cause);
  }
}
