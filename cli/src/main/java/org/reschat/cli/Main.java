package org.reschat.cli;

/** The {@code reschat} program. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(Cli.run(CliContext.system(), args));
  }
}
