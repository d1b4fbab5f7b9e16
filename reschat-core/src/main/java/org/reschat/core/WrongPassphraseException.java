package org.reschat.core;

/** The passphrase does not open the identity file (or the file's sealed part was altered). */
public class WrongPassphraseException extends ReschatException {
  private static final long serialVersionUID = 1L;

  public WrongPassphraseException(String message) {
    super(message);
  }

  public WrongPassphraseException(String message, Throwable cause) {
    super(message, cause);
  }
}
