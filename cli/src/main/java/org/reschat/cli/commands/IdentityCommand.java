package org.reschat.cli.commands;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.CommandGroup;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.IdentityCreation;
import org.reschat.cli.Session;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import org.reschat.localdb.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "identity", mixinStandardHelpOptions = true,
    description = "Back up your identity (your keys) and restore it on another computer.",
    subcommands = {IdentityCommand.Export.class, IdentityCommand.Import.class})
public final class IdentityCommand extends CommandGroup {

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Write an encrypted backup of your keys to FILE.",
          "The backup (mode 0600) is an identity file sealed with a backup passphrase (Argon2id, AES-256-GCM), "
              + "typed twice or read from --new-passphrase-file. Friends and groups are not in it: "
              + "'reschat profile backup' saves those too."})
  static final class Export extends BaseCommand {
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

    Export(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      if (Files.exists(file) && !force) {
        throw new CliException(ExitCodes.USAGE, file + " exists; add --force to replace it.");
      }
      String current = session.profile().readIdentity();
      Identity identity = session.identity();
      char[] backup = session.otherNewPassphrase(newFile, "Backup passphrase: ", allowWeak);
      String sealed = IdentityCreation.file(identity, IdentityFile.name(current).orElse(null), backup, argon2MemoryKiB);
      AtomicFiles.write(file.toAbsolutePath(), sealed.getBytes(StandardCharsets.UTF_8));
      session.output().note("Wrote the encrypted backup of your keys to " + file + ". Restore it with "
          + "'reschat identity import " + file + "'; it opens with the backup passphrase.");
      return ExitCodes.OK;
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = {"Restore keys from a backup made by 'identity export'.",
          "Into a profile that has none. The backup passphrase (prompt, RESCHAT_PASSPHRASE or --passphrase-file) "
              + "then protects them; change it with 'reschat passphrase change'."})
  static final class Import extends BaseCommand {
    @Parameters(paramLabel = "FILE", description = "The backup 'identity export' wrote.")
    Path file;

    Import(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      session.profile().checkNoIdentity(); // before asking for a passphrase that would only be thrown away
      String backup;
      try {
        backup = Files.readString(file, StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new CliException(ExitCodes.USAGE, "The backup " + file + " cannot be read ("
            + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()) + ").");
      }
      if (!IdentityFile.needsPassphrase(backup)) {
        throw new CliException(ExitCodes.USAGE, file + " is not an encrypted backup; 'reschat identity export' makes one.");
      }
      char[] passphrase = session.passphrase("Backup passphrase: ", false);
      try {
        IdentityFile.open(backup, passphrase); // the right passphrase and an intact file, before it is installed
      } finally {
        java.util.Arrays.fill(passphrase, '\0');
      }
      session.profile().createIdentity(backup);
      org.reschat.cli.ProfileStore.record(session.profile(), session.storeSpec());
      session.output().note("Restored the identity " + IdentityFile.card(backup).fingerprintText() + " into "
          + session.profile().directory() + ". Add your friends again with 'reschat friend add' (a backup made by"
          + " 'reschat profile backup' brings them, and your groups, back with 'reschat profile restore').");
      return ExitCodes.OK;
    }
  }
}
