package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A card wrapped by a terminal or a mail program still adds the friend. */
class WrappedCardTest {
  @TempDir Path dir;

  @Test
  void aCardSplitIntoSeveralWordsOrLinesIsOneCard() {
    CliHarness cli = new CliHarness(dir);
    cli.init("alice");
    String bob = cli.init("bob");
    String carol = cli.init("carol");
    CliHarness.Result split = cli.as("alice", "friend", "add", "bob", bob.substring(0, 30), bob.substring(30));
    assertThat(split.code()).as(split.toString()).isZero();
    CliHarness.Result wrapped = cli.as("alice", "friend", "add", "carol", carol.substring(0, 40) + "\n  " + carol.substring(40));
    assertThat(wrapped.code()).as(wrapped.toString()).isZero();
    assertThat(cli.as("alice", "friend", "list").out()).contains(bob, carol);
  }
}
