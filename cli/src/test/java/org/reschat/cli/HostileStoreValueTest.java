package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ledger value far larger than any page, read by a client with little memory: the store measures it
 * before reading it, so the client reports a typed problem instead of running out of memory.
 */
class HostileStoreValueTest {
  @TempDir Path dir;

  /** 100 MB, the case; 300 MB, more than the whole heap, which reading it first could never survive. */
  @ParameterizedTest
  @ValueSource(ints = {100, 300})
  void aHugeValueUnderAJvmOf256MegabytesIsATypedError(int megabytes) throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("bob", "send", "alice", "hello"));
    // Whoever can write the ledger file puts a huge value under the key of Bob's page (SQLite builds it).
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"));
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO kv_versions(key, value, written_at_ms) "
          + "SELECT key, hex(zeroblob(" + megabytes * 500_000 + ")), 0 FROM kv_versions ORDER BY seq DESC LIMIT 1");
    }
    Path log = dir.resolve("history.log");
    Process p = ChildProcesses.start(List.of("-Xmx256m"), cli.env, log, null,
        "--home", dir.resolve("alice").toString(), "history", "bob");
    try {
      assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("finished").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(p.exitValue()).as(output).isEqualTo(ExitCodes.SECURITY);
    assertThat(output).contains("security warning (bob, their page 1, corrupt)")
        .doesNotContain("OutOfMemoryError", "Exception", "\tat ");
  }
}
