package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code receive} says so on a terminal when nothing came, and that {@code --follow} is waiting. */
class ReceiveNotesTest {
  @TempDir Path dir;

  @Test
  void nothingNewIsSaidOnATerminalOnly() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    cli.interactive = true;
    CliHarness.Result r = cli.as("bob", "receive");
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("No new messages.");
    cli.interactive = false;
    assertThat(cli.as("bob", "receive").err()).isEmpty(); // scripts keep their quiet stderr
  }

  @Test
  void followSaysItIsWaiting() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    cli.interactive = true;
    CliHarness.Result r = cli.as("bob", "receive", "--follow", "--polls", "2", "--interval", "200ms");
    assertThat(r.code()).isZero();
    assertThat(r.err()).contains("Waiting for new messages… (Ctrl-C stops)").doesNotContain("No new messages.");
  }
}
