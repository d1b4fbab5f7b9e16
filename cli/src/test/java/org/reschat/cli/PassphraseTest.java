package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where passphrases come from, how many tries a person gets, and bad passphrase files. */
class PassphraseTest {
  static final String GOOD = "violet harbour kettle onions";

  @TempDir Path dir;
  CliHarness cli;

  @BeforeEach
  void protectedAlice() {
    cli = new CliHarness(dir);
    cli.env.put("RESCHAT_PASSPHRASE", GOOD);
    CliHarness.check(cli.as("alice", "init", "--name", "Alice"));
    cli.env.remove("RESCHAT_PASSPHRASE");
    CliHarness.check(cli.as("alice", "friend", "add", "bob", cli.init("bob")));
  }

  /** A terminal on which a person types {@code typed}, one per prompt; records the prompts. */
  private List<String> typing(String... typed) {
    Deque<String> answers = new ArrayDeque<>(List.of(typed));
    List<String> asked = new ArrayList<>();
    cli.interactive = true;
    cli.prompt = p -> {
      asked.add(p);
      String a = answers.poll();
      return a == null ? null : a.toCharArray();
    };
    return asked;
  }

  @Test
  void aPersonTypingGetsThreeTries() {
    List<String> asked = typing("wrong", "also wrong", GOOD);
    CliHarness.Result r = cli.as("alice", "send", "bob", "hi");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(asked).hasSize(3);
    assertThat(r.err()).contains("That passphrase is wrong; try again (2 tries left).", "(1 try left)");
  }

  @Test
  void threeWrongTriesAreExitFourAndNothingIsSent() {
    List<String> asked = typing("a", "b", "c", GOOD);
    CliHarness.Result r = cli.as("alice", "send", "bob", "hi");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.SECURITY);
    assertThat(asked).hasSize(3);
    assertThat(r.err()).contains("passphrase is wrong");
    cli.interactive = false;
    assertThat(cli.as("bob", "receive").out()).isEmpty();
  }

  @Test
  void aWrongPassphraseFromTheEnvironmentIsNotRetried() {
    List<String> asked = typing(GOOD);
    cli.env.put("RESCHAT_PASSPHRASE", "wrong");
    CliHarness.Result r = cli.as("alice", "send", "bob", "hi");
    assertThat(r.code()).isEqualTo(ExitCodes.SECURITY);
    assertThat(asked).isEmpty();
  }

  @Test
  void thePassphraseFileOptionBeatsTheEnvironment() throws Exception {
    Path file = dir.resolve("pass.txt");
    Files.writeString(file, GOOD + "\n");
    cli.env.put("RESCHAT_PASSPHRASE", "wrong");
    CliHarness.Result r = cli.as("alice", "--passphrase-file", file.toString(), "send", "bob", "hi");
    assertThat(r.code()).as(r.toString()).isZero();
  }

  @Test
  void aDirectoryAsPassphraseFileIsBadInputInOneSentence() {
    CliHarness.Result r = cli.as("alice", "-v", "--passphrase-file", dir.toString(), "send", "bob", "hi");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("reschat: The passphrase file " + dir + " is a directory;")
        .doesNotContain("Unexpected", "run again with -v");
  }
}
