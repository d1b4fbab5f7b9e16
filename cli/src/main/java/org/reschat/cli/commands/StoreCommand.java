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

@Command(name = "store", mixinStandardHelpOptions = true, description = "Inspect the store.",
    subcommands = StoreCommand.Check.class)
public final class StoreCommand extends CommandGroup {

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Probe the configured store.", "Shows each endpoint's health and round-trip time. Exits 5 if none answers."})
  static final class Check extends BaseCommand {
    Check(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      KvStore store = session.store();
      StoreHealth health = store.health();
      if (out.json()) {
        JsonObject o = Json.object("store");
        o.addProperty("store", health.store());
        o.addProperty("spec", session.settings().store());
        o.addProperty("source", session.settings().sourceOf(org.reschat.config.Setting.STORE));
        o.addProperty("reachable", health.reachable());
        out.json(o);
      } else {
        out.line(health.store() + "  (from " + session.settings().sourceOf(org.reschat.config.Setting.STORE) + ")");
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
