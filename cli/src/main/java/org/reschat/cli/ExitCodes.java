package org.reschat.cli;

/** The exit codes, one table for every command (also in the README and the {@code --help} footer). */
public final class ExitCodes {
  /** It worked. */
  public static final int OK = 0;
  /** Something unexpected: a bug. Run with -v and report it. */
  public static final int INTERNAL = 1;
  /** Usage or bad input: unknown option, invalid card, empty message, bad setting. */
  public static final int USAGE = 2;
  /** Not found: unknown friend, no identity yet. */
  public static final int NOT_FOUND = 3;
  /** Security: wrong passphrase, or tampering found on the store (the verified history was still shown). */
  public static final int SECURITY = 4;
  /** The store is unreachable or failing. */
  public static final int STORE = 5;
  /** The message is queued in the outbox, not yet confirmed by the store. */
  public static final int QUEUED = 6;
  /**
   * Local files unusable: a damaged file, a full disk, a lock held elsewhere, a change asked of a read-only
   * profile, an embedded ledger file that cannot be created or written.
   */
  public static final int LOCAL = 7;

  /** Ctrl-C: the shell's 128 + SIGINT. A message being sent is then sent, kept in the outbox, or not sent: one sentence says which. */
  public static final int INTERRUPTED = 130;

  static final String TABLE = "Exit codes:%n"
      + "    0  ok%n"
      + "    1  unexpected error (a bug; run with -v and report it)%n"
      + "    2  usage or bad input%n"
      + "    3  not found (unknown friend, no identity yet)%n"
      + "    4  security: wrong passphrase, or tampering found on the store%n"
      + "    5  store unreachable or failing%n"
      + "    6  message queued, not yet confirmed by the store%n"
      + "    7  local files unusable: damaged, disk full, locked, or read-only profile%n"
      + "  130  interrupted (Ctrl-C); a message being sent is sent, kept in the outbox, or not sent: it says which";

  private ExitCodes() {}
}
