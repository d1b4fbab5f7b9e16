package org.reschat.core;

/** An identity file that cannot be read: not JSON, an unknown format or version, or a bad field. */
public class IdentityFileException extends ReschatException {
  private static final long serialVersionUID = 1L;

  public IdentityFileException(String message) {
    super(message);
  }

  public IdentityFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
