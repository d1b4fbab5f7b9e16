package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.IdentityCreation;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.core.identity.Identity;
import org.reschat.localdb.Profile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "init", mixinStandardHelpOptions = true,
    description = {"Create your identity and print your card.",
        "The card is the one line you give to friends. The private keys are sealed under a passphrase "
            + "(Argon2id, AES-256-GCM) unless --no-passphrase."})
public final class InitCommand extends BaseCommand {
  @Option(names = "--name", paramLabel = "NAME", description = "Your display name (kept in the profile).")
  String name;

  @Option(names = "--no-passphrase", description = {"Store the keys unencrypted (protected", "only by the file's mode, 0600)."})
  boolean noPassphrase;

  @Option(names = "--allow-weak-passphrase",
      description = "Use a passphrase even if it is estimated to be easy to guess (a terminal asks instead).")
  boolean allowWeak;

  @Option(names = "--argon2-memory", hidden = true, defaultValue = "65536",
      description = "Argon2id memory in KiB, 19456 (OWASP's minimum, used by tests for speed) to 65536.")
  int argon2MemoryKiB;

  InitCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    Profile profile = session.profile();
    profile.checkNoIdentity(); // before asking for a passphrase that would only be thrown away
    char[] passphrase = noPassphrase ? null : session.newPassphrase(allowWeak);
    Identity identity = IdentityCreation.create(profile, name, passphrase, argon2MemoryKiB);
    org.reschat.cli.ProfileStore.record(profile, session.storeSpec()); // the store it lives on, until a migrate
    if (out.json()) {
      JsonObject o = WhoamiCommand.identityJson(name, identity.card(), profile, session);
      o.addProperty("protected", !noPassphrase);
      out.json(o);
    } else {
      out.note("Created your identity in " + profile.directory() + (noPassphrase ? " (no passphrase)." : "."));
      out.note("Your card, to give to friends (they add it with 'reschat friend add NAME CARD'):");
      out.line(identity.card().toString());
      out.note("Fingerprint: " + identity.card().fingerprintText());
    }
    return ExitCodes.OK;
  }
}
