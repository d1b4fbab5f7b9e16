package org.reschat.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Session;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Where an encrypted backup goes and the passphrase that seals it: 'identity export' and 'profile backup'. */
final class BackupTarget {
  @Parameters(paramLabel = "FILE", description = "Where to write the backup.")
  Path file;

  @Option(names = "--new-passphrase-file", paramLabel = "FILE", description = "Read the backup passphrase from FILE.")
  Path newFile;

  @Option(names = "--force", description = "Replace FILE if it exists.")
  boolean force;

  @Option(names = "--allow-weak-passphrase", description = "Use a backup passphrase even if it is easy to guess.")
  boolean allowWeak;

  @Option(names = "--argon2-memory", hidden = true, defaultValue = "65536", description = "Argon2id memory in KiB (tests).")
  int argon2MemoryKiB;

  /** Refuses to replace FILE without --force, before any passphrase is asked for. */
  void checkReplace() throws CliException {
    if (Files.exists(file) && !force) {
      throw new CliException(ExitCodes.USAGE, file + " exists; add --force to replace it, or choose another name.");
    }
  }

  /** The new backup passphrase, typed twice or read from --new-passphrase-file; the caller wipes it. */
  char[] passphrase(Session session) throws Exception {
    return session.otherNewPassphrase(newFile, "Backup passphrase: ", allowWeak);
  }
}
