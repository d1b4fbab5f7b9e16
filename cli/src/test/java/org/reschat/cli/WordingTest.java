package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors a newcomer met, each one sentence that names what it is about. */
class WordingTest {
  @TempDir Path dir;

  @Test
  void aPortOutOfRangeIsNamed() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.Result r = cli.as("alice", "--store", "resilientdb:http://127.0.0.1:99999", "send", "bob", "x");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("reschat: In \"http://127.0.0.1:99999\", 99999 is not a port number (1 to 65535)");
  }

  @Test
  void exclusiveOptionsAreSaidPlainly() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.Result r = cli.as("alice", "history", "bob", "--pages", "2", "--all");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("reschat: --pages N and --all cannot be used together; give only one of them.\n");
  }

  @Test
  void aDamagedIdentityFileIsNamed() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    Path file = dir.resolve("alice/identity.json");
    Files.writeString(file, "[]");
    for (String[] args : new String[][] {{"whoami"}, {"send", "bob", "x"}}) {
      CliHarness.Result r = cli.as("alice", args);
      assertThat(r.code()).isEqualTo(ExitCodes.LOCAL);
      assertThat(r.err()).isEqualTo("reschat: The identity file " + file + " is damaged: it is not a JSON object.\n");
    }
  }

  /** A damaged outbox log stops a send in one sentence naming it, exit 7, and is left as it is (it may hold messages). */
  @Test
  void aDamagedOutboxLogIsNamedAndLeftAsItIs() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "one"));
    Path log;
    try (java.util.stream.Stream<Path> files = Files.list(dir.resolve("alice/state/outbox"))) {
      log = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    }
    byte[] damaged = Files.readAllBytes(log);
    damaged[0] = 'X';
    Files.write(log, damaged);
    CliHarness.Result r = cli.as("alice", "send", "bob", "two");
    assertThat(r.code()).isEqualTo(ExitCodes.LOCAL);
    assertThat(r.err()).isEqualTo("reschat: The outbox log " + log + " is damaged (it does not start as an outbox log)."
        + " ResChat has not changed it. It may hold messages not yet on the ledger: keep a copy, then move it aside to go"
        + " on without them.\n");
    assertThat(Files.readAllBytes(log)).isEqualTo(damaged);
  }
}
