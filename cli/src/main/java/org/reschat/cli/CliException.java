package org.reschat.cli;

/** A failure a command detects itself, with the exit code and the one sentence to show. */
public final class CliException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
