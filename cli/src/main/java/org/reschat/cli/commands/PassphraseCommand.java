package org.reschat.cli.commands;

import java.nio.file.Path;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CommandGroup;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.IdentityCreation;
import org.reschat.cli.Session;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "passphrase", mixinStandardHelpOptions = true,
    description = "Change the passphrase that protects your keys.",
    subcommands = {PassphraseCommand.Change.class})
public final class PassphraseCommand extends CommandGroup {

  @Command(name = "change", mixinStandardHelpOptions = true,
      description = {"Seal your keys under a new passphrase.",
          "The current one comes from the prompt, RESCHAT_PASSPHRASE or --passphrase-file; the new one is typed "
              + "twice, or read from --new-passphrase-file. Your card and conversations stay as they are."})
  static final class Change extends BaseCommand {
    @Option(names = "--new-passphrase-file", paramLabel = "FILE", description = "Read the new passphrase from FILE's first line.")
    Path newFile;

    @Option(names = "--no-passphrase", description = {"Remove the passphrase (keys protected", "only by the file's mode, 0600)."})
    boolean none;

    @Option(names = "--allow-weak-passphrase", description = "Use a new passphrase even if it is easy to guess.")
    boolean allowWeak;

    @Option(names = "--argon2-memory", hidden = true, defaultValue = "65536", description = "Argon2id memory in KiB (tests).")
    int argon2MemoryKiB;

    Change(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      String before = session.profile().readIdentity();
      Identity identity = session.identity(); // proves the current passphrase first
      char[] chosen = none ? null : session.otherNewPassphrase(newFile, "New passphrase: ", allowWeak);
      String name = IdentityFile.name(before).orElse(null);
      session.profile().replaceIdentity(before, IdentityCreation.file(identity, name, chosen, argon2MemoryKiB));
      session.output().note(none ? "The passphrase is removed; your keys are protected only by the file's mode (0600)."
          : "The passphrase is changed. The old one no longer opens " + session.profile().identityFile() + ".");
      return ExitCodes.OK;
    }
  }
}
