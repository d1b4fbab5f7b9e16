package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code send} checks its input before it asks for anything or sends anything. */
class SendChecksTest {
  @TempDir Path dir;
  CliHarness cli;

  @BeforeEach
  void friends() {
    cli = new CliHarness(dir);
    cli.friends("alice", "bob");
  }

  @Test
  void anOversizeLineInTheMiddleOfLinesSendsNothing() {
    cli.stdin = "first\n\n" + "x".repeat(20 * 1024) + "\nafter\n";
    CliHarness.Result r = cli.as("alice", "send", "--lines", "bob");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("Line 3:", "20480 bytes", "Nothing was sent.");
    assertThat(cli.as("bob", "receive").out()).isEmpty();
    assertThat(cli.as("alice", "history", "bob").out()).isEmpty();
  }

  @Test
  void anOversizeMessageIsRefusedBeforeThePassphraseIsAsked() {
    String good = "violet harbour kettle onions";
    cli.env.put("RESCHAT_PASSPHRASE", good);
    CliHarness.check(cli.as("carol", "init", "--argon2-memory=19456"));
    cli.env.remove("RESCHAT_PASSPHRASE");
    CliHarness.check(cli.as("carol", "friend", "add", "bob", cli.as("bob", "whoami", "--json").out()
        .replaceAll("(?s).*\"card\":\"([^\"]+)\".*", "$1")));
    int[] asked = {0};
    cli.interactive = true;
    cli.prompt = p -> {
      asked[0]++;
      return good.toCharArray();
    };
    CliHarness.Result r = cli.as("carol", "send", "bob", "y".repeat(17 * 1024));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(asked[0]).isZero();
  }
}
