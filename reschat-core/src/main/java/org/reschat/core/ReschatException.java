package org.reschat.core;

/**
 * Base of the chat core's own failures. Each subclass names one kind of problem; its message is one
 * sentence for people. Store failures are {@link org.reschat.kv.KvException}s and are not wrapped.
 */
public abstract class ReschatException extends Exception {
  private static final long serialVersionUID = 1L;

  protected ReschatException(String message) {
    super(message);
  }

  protected ReschatException(String message, Throwable cause) {
    super(message, cause);
  }
}
