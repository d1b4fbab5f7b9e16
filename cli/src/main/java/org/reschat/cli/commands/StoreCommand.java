package org.reschat.cli.commands;

import org.reschat.cli.text.SafeText;
import com.google.gson.JsonObject;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CommandGroup;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.kv.KvStore;
import org.reschat.kv.StoreHealth;
import picocli.CommandLine.Command;

@Command(name = "store", mixinStandardHelpOptions = true, description = "Inspect the store, or move to another.",
    subcommands = {StoreCommand.Check.class, StoreCommand.Migrate.class})
public final class StoreCommand extends CommandGroup {

  @Command(name = "migrate", mixinStandardHelpOptions = true,
      description = {"Move this profile to the store given.",
          "Copies every page it has verified there: your pages and your friends' and groups', sealed and signed "
              + "as they were, so readers on the new store find the history instead of 'missing' pages. Pages the "
              + "store already holds are left alone. The profile then uses that store when none is given."})
  static final class Migrate extends BaseCommand {
    Migrate(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      session.allowAnyStore(); // moving to a store this profile has not used is what migrate is for
      org.reschat.core.ChatClient client = session.client();
      int pages = 0;
      int conversations = 0;
      for (org.reschat.localdb.Friend f : session.profile().friends().list()) {
        pages += client.copyVerifiedPages(org.reschat.core.ChatId.direct(f.card()));
        conversations++;
      }
      for (org.reschat.core.GroupInfo g : client.groups().list()) {
        pages += client.copyVerifiedPages(g.id());
        conversations++;
      }
      org.reschat.cli.ProfileStore.record(session.profile(), session.storeSpec()); // its store from now on
      if (out.json()) {
        JsonObject o = Json.object("migrated");
        o.addProperty("store", session.store().describe());
        o.addProperty("conversations", conversations);
        o.addProperty("pages", pages);
        out.json(o);
      } else {
        out.note("Copied " + pages + " page(s) of " + conversations + " conversation(s) to "
            + SafeText.line(session.store().describe()) + "; friends who move too find them there. It is this"
            + " profile's store from now on, also when none is given.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Probe the configured store.", "Shows each endpoint's health and round-trip time. Exits 5 if none answers."})
  static final class Check extends BaseCommand {
    Check(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      session.allowAnyStore(); // a probe reads nothing of the profile's
      KvStore store = session.store();
      StoreHealth health = store.health();
      if (out.json()) {
        JsonObject o = Json.object("store");
        o.addProperty("store", health.store());
        o.addProperty("spec", session.storeSpec());
        o.addProperty("source", session.storeSource());
        o.addProperty("reachable", health.reachable());
        out.json(o);
      } else {
        out.line(health.store() + "  (from " + session.storeSource() + ")");
      }
      for (StoreHealth.Endpoint e : health.endpoints()) {
        if (out.json()) {
          JsonObject o = Json.object("endpoint");
          o.addProperty("name", e.name());
          o.addProperty("ok", e.ok());
          o.addProperty("rtt_ms", e.roundTrip().map(d -> d.toNanos() / 1e6).orElse(null));
          o.addProperty("detail", e.detail());
          out.json(o);
        } else {
          out.line(String.format("  %-4s %s  %s%s", e.ok() ? "ok" : "DOWN", e.name(),
              e.roundTrip().map(d -> String.format("%.1f ms, ", d.toNanos() / 1e6)).orElse(""), SafeText.line(e.detail())));
        }
      }
      if (!health.reachable()) {
        out.warn("no endpoint of the store answered; messages will queue until it does.");
        return ExitCodes.STORE;
      }
      return ExitCodes.OK;
    }
  }
}
