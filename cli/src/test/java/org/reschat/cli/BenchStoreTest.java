package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench} measures a temporary ledger unless told to write to the real one. */
@org.junit.jupiter.api.Tag("slow") // runs the bench: left out by mvn -Pfast
class BenchStoreTest {
  @TempDir Path dir;

  @Test
  void benchLeavesTheConfiguredLedgerAloneByDefault() {
    CliHarness cli = new CliHarness(dir);
    Path ledger = dir.resolve("ledger.db");
    CliHarness.Result r = cli.run("bench", "--rounds", "3");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("(temporary; --real-store measures embedded:" + ledger + ")");
    assertThat(ledger).doesNotExist();
  }

  @Test
  void theRealStoreIsMeasuredOnlyWithTheOptionAndAWarning() {
    CliHarness cli = new CliHarness(dir);
    CliHarness.Result r = cli.run("--store", "memory:", "bench", "--rounds", "3", "--real-store");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).contains("warning: bench writes hundreds of throwaway versions to", "they stay on that ledger for good.");
    assertThat(r.out()).doesNotContain("temporary");
  }
}
