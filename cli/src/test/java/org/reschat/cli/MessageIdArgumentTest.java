package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A message id is random base64url, so one in 64 starts with "-": {@code react}, {@code edit} and
 * {@code delete} take it as the id, not as an unknown option ("Unknown option '-KXoAb3Gr3A:1:0'").
 */
class MessageIdArgumentTest {
  @TempDir Path dir;

  @Test
  void anIdThatStartsWithADashIsTheIdForEveryCommandThatTakesOne() {
    String id = "-KXoAb3Gr3A:1:0";
    for (String[] args : new String[][] {{"react", "bob", id, "👍"}, {"edit", "bob", id, "new", "text"},
        {"delete", "bob", id}, {"download", "bob", id}}) {
      CommandLine.ParseResult parsed = Cli.commandLine(CliContext.builder().build()).parseArgs(args);
      String value = parsed.subcommand().matchedPositional(1).getValue();
      assertThat(value).as(args[0]).isEqualTo(id);
    }
  }

  /** A card wrapped over lines arrives as several words; a piece that starts with "-" is still part of it. */
  @Test
  void aWrappedCardWhosePieceStartsWithADashIsOneCard() {
    CommandLine.ParseResult parsed = Cli.commandLine(CliContext.builder().build())
        .parseArgs("friend", "add", "bob", "rc2:abc", "-k4FwnG_C3z");
    java.util.List<String> card = parsed.subcommand().subcommand().matchedPositional(1).getValue();
    assertThat(card).containsExactly("rc2:abc", "-k4FwnG_C3z");
  }

  @Test
  void aMistypedOptionIsStillAnErrorAndAnUnknownIdSaysSo() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.Result r = cli.as("alice", "react", "bob", "-KXoAb3Gr3A:1:0", "👍");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).doesNotContain("Unknown option").endsWith("reschat: This chat has no message -KXoAb3Gr3A:1:0 "
        + "that this profile holds; 'reschat history' shows the ids.\n");
    CliHarness.Result typo = cli.as("alice", "react", "bob", "-KXoAb3Gr3A:1:0", "👍", "--remve");
    assertThat(typo.code()).as(typo.toString()).isEqualTo(ExitCodes.USAGE);
  }
}
