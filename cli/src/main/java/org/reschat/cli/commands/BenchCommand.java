package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.StoreOptions;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.cli.bench.Bench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure this machine and a temporary ledger.",
        "Prints the cost of sending, opening and loading pages, the bytes written to the ledger and the store's "
            + "round trip (medians over repeated runs). --real-store measures the configured store instead: it "
            + "writes hundreds of throwaway versions (reschat.bench.* keys and throwaway identities) that stay there."})
public final class BenchCommand extends BaseCommand {
  @Option(names = "--rounds", paramLabel = "N", defaultValue = "15", description = "Repetitions per timing (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--real-store", description = "Measure the configured store; its ledger keeps the test data for good.")
  boolean realStore;

  BenchCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    if (rounds < 3 || rounds > 1000) {
      throw new org.reschat.cli.CliException(ExitCodes.USAGE, "--rounds must be from 3 to 1000.");
    }
    if (realStore) {
      session.allowAnyStore(); // measuring a store is no use of it by this profile
      out.warn("bench writes hundreds of throwaway versions to " + session.store().describe()
          + "; they stay on that ledger for good.");
      return report(out, session.store(), session.store().describe());
    }
    // A ledger people share must not fill with test data because someone wanted to see a figure.
    Path tmp = Files.createTempDirectory("reschat-bench-");
    try (KvStore store = KvStores.open("embedded:" + tmp.resolve("ledger.db"), StoreOptions.builder().build())) {
      return report(out, store, store.describe() + " (temporary; --real-store measures " + session.storeSpec() + ")");
    } finally {
      try (java.util.stream.Stream<Path> files = Files.walk(tmp)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private int report(Output out, KvStore store, String description) throws Exception {
    Map<String, Number> figures = new Bench(store, rounds, step -> out.note("bench: " + step + "…")).run();
    if (out.json()) {
      JsonObject o = org.reschat.cli.Json.object("bench");
      figures.forEach(o::addProperty);
      out.json(o);
    } else {
      out.line("store: " + description);
      figures.forEach((k, v) -> out.line(String.format("%-30s %s", k, v)));
    }
    return ExitCodes.OK;
  }
}
