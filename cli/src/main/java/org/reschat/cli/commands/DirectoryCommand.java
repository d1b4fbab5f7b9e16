package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.CommandGroup;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.directory.Claimant;
import org.reschat.core.directory.Directory;
import org.reschat.core.directory.Lookup;
import org.reschat.core.identity.PublicCard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "directory", mixinStandardHelpOptions = true,
    description = {"The opt-in directory of cards on the ledger.",
        "Publishing shows your card (and a name, if you give one) to anyone; nothing else about you. Names are "
            + "hints that anyone can claim too: the safety number ('reschat friend verify') is the trust."},
    subcommands = {DirectoryCommand.Publish.class, DirectoryCommand.LookupName.class, DirectoryCommand.Unpublish.class})
public final class DirectoryCommand extends CommandGroup {
  static final String HINT = "Names are hints: anyone can claim any name. Compare the safety number with the person"
      + " ('reschat friend verify NICK') before you trust a card.";

  static Directory directory(Session session) throws Exception {
    return new Directory(session.store(), session.context().clock());
  }

  @Command(name = "publish", mixinStandardHelpOptions = true,
      description = "Publish your card, and claim NAME if given (replacing a name claimed before).")
  static final class Publish extends BaseCommand {
    @Option(names = "--name", paramLabel = "NAME", description = "1 to 32 letters, digits, '.', '_' or '-'.")
    String name;

    Publish(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      if (name != null && org.reschat.core.directory.Names.normalise(name).isEmpty()) { // bad input before the store
        throw new org.reschat.core.InvalidMessageException("A directory name is 1 to 32 letters, digits, '.', '_' or '-'.");
      }
      directory(session).publish(session.identity(), Optional.ofNullable(name));
      PublicCard me = session.identity().card();
      Output out = session.output();
      if (out.json()) {
        JsonObject o = Json.object("directory_entry");
        o.addProperty("name", name == null ? null : org.reschat.core.directory.Names.normalise(name).orElse(null));
        o.addProperty("card", me.toString());
        o.addProperty("fingerprint", me.fingerprintText());
        out.json(o);
      } else {
        out.note("Published your card (fingerprint " + me.fingerprintText() + ")"
            + (name == null ? "" : " under the name '" + SafeText.line(name) + "'") + ". It is public: anyone can read it."
            + " 'reschat directory unpublish' withdraws it.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "lookup", mixinStandardHelpOptions = true,
      description = {"Every card claiming NAME, and when it was published.",
          "Exits 3 when nobody claims it."})
  static final class LookupName extends BaseCommand {
    @Parameters(paramLabel = "NAME", description = "The name to look up.")
    String name;

    LookupName(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Lookup found = directory(session).lookup(name);
      Output out = session.output();
      for (Claimant c : found.claimants()) {
        if (out.json()) {
          JsonObject o = Json.object("directory_entry");
          o.addProperty("name", c.name());
          o.addProperty("card", c.card().toString());
          o.addProperty("fingerprint", c.card().fingerprintText());
          o.addProperty("published", c.published().toString());
          out.json(o);
        } else {
          out.line(c.name() + "  " + c.card().fingerprintText() + "  " + out.time(c.published()) + "  " + c.card());
        }
      }
      if (!out.json()) {
        if (found.claimants().size() > 1) {
          out.warn(found.claimants().size() + " cards claim '" + found.name() + "'; none is picked for you."
              + " Ask the person for their fingerprint and use 'reschat friend add NICK --from-directory "
              + found.name() + " --fingerprint PREFIX'.");
        }
        if (found.junk() > 0) {
          out.note(found.junk() + " value(s) on the name's board were not valid claims and were ignored.");
        }
        out.note(HINT);
      }
      if (found.claimants().isEmpty()) {
        throw new CliException(ExitCodes.NOT_FOUND, "Nobody in the directory claims '" + found.name() + "'.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "unpublish", mixinStandardHelpOptions = true,
      description = {"Withdraw your card and name from the directory.",
          "Lookups stop returning them; what was on the ledger stays there, as everything on a ledger does."})
  static final class Unpublish extends BaseCommand {
    Unpublish(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      directory(session).unpublish(session.identity());
      session.output().note("Withdrawn from the directory.");
      return ExitCodes.OK;
    }
  }

  /**
   * The one card claiming {@code name} whose fingerprint starts with {@code prefix} (hex, spaces ignored);
   * with no prefix, the only claimant. Several matches are an error listing them: never a silent pick.
   */
  public static PublicCard pick(Session session, String name, String prefix) throws Exception {
    Lookup found = directory(session).lookup(name);
    String p = prefix == null ? "" : prefix.replace(" ", "").toLowerCase(Locale.ROOT);
    if (!p.matches("[0-9a-f]*")) {
      throw new CliException(ExitCodes.USAGE, "A fingerprint prefix is hexadecimal digits, e.g. 3619e750.");
    }
    List<Claimant> matches = found.claimants().stream()
        .filter(c -> HexFormat.of().formatHex(c.card().fingerprint()).startsWith(p)).toList();
    if (matches.isEmpty()) {
      throw new CliException(ExitCodes.NOT_FOUND, "No card in the directory claims '" + found.name() + "'"
          + (p.isEmpty() ? "." : " with a fingerprint starting " + p + "."));
    }
    if (matches.size() > 1) {
      StringBuilder list = new StringBuilder();
      matches.forEach(c -> list.append("\n  ").append(c.card().fingerprintText()));
      throw new CliException(ExitCodes.USAGE, matches.size() + " cards claim '" + found.name()
          + "'; give --fingerprint with enough of the right one:" + list);
    }
    return matches.get(0).card();
  }
}
