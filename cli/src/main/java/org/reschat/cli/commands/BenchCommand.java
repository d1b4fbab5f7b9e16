package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import java.util.Map;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.cli.bench.Bench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure this machine and the configured store.",
        "Prints the cost of sending, opening and loading pages, the bytes written to the ledger and",
        "the store's round trip (medians over repeated runs). Writes test data under throwaway",
        "identities and reschat.bench.* keys."})
public final class BenchCommand extends BaseCommand {
  @Option(names = "--rounds", paramLabel = "N", defaultValue = "15", description = "Repetitions per timing (default ${DEFAULT-VALUE}).")
  int rounds;

  BenchCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    if (rounds < 3 || rounds > 1000) {
      throw new org.reschat.cli.CliException(ExitCodes.USAGE, "--rounds must be from 3 to 1000.");
    }
    Map<String, Number> figures = new Bench(session.store(), rounds, step -> out.note("bench: " + step + "…")).run();
    if (out.json()) {
      JsonObject o = new JsonObject();
      figures.forEach(o::addProperty);
      out.json(o);
    } else {
      out.line("store: " + session.store().describe());
      figures.forEach((k, v) -> out.line(String.format("%-30s %s", k, v)));
    }
    return ExitCodes.OK;
  }
}
