package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ledger value far larger than any page, read by a client with little memory: the store measures it
 * before reading it, so the client reports a typed problem instead of running out of memory.
 */
@org.junit.jupiter.api.Tag("slow") // a child JVM reading huge values: left out by mvn -Pfast
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
    org.reschat.core.identity.Identity bob = org.reschat.core.identity.IdentityFile.open(
        Files.readString(dir.resolve("bob/identity.json")), new char[0]);
    org.reschat.core.identity.Identity alice = org.reschat.core.identity.IdentityFile.open(
        Files.readString(dir.resolve("alice/identity.json")), new char[0]);
    org.reschat.core.internal.conversation.Conversation c = org.reschat.core.internal.conversation.Conversation.pair(bob, alice.card());
    String key = c.pageKey(c.myFeed(), 1);
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"));
        java.sql.PreparedStatement s = db.prepareStatement("INSERT INTO kv_versions(key, value, written_at_ms) "
            + "VALUES (?, hex(zeroblob(" + megabytes * 500_000 + ")), 0)")) {
      s.setString(1, key);
      s.execute();
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
