package org.reschat.cli;

/**
 * The one sentence and exit code every command gives for a failure ({@link Errors}), for front ends that are
 * not a command run: the web client shows the same sentence the terminal prints.
 */
public final class ErrorText {
  private ErrorText() {}

  public static int exitCode(Throwable e) {
    return Errors.exitCode(e);
  }

  public static String sentence(Throwable e) {
    return Errors.sentence(e);
  }
}
