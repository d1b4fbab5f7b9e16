package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nicknames are one word, and the errors say the rule. */
class NicknameRulesTest {
  @TempDir Path dir;

  @Test
  void aNicknameWithASpaceIsRefusedWithTheRule() {
    CliHarness cli = new CliHarness(dir);
    cli.init("alice");
    String bob = cli.init("bob");
    CliHarness.Result r = cli.as("alice", "friend", "add", "bad nick", bob);
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("reschat: \"bad nick\" is not a nickname: a nickname is one word of up to 32 letters, "
        + "digits, emoji, '.', '_' and '-', not starting with '-'.\n");
  }

  @Test
  void aNicknameStartingWithADashIsExplained() {
    CliHarness cli = new CliHarness(dir);
    cli.init("alice");
    String bob = cli.init("bob");
    CliHarness.Result r = cli.as("alice", "friend", "add", "-carol", bob);
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("reschat: \"-carol\" cannot be a nickname: one that starts with '-' or '/' looks "
        + "like an option or a chat command.\n");
  }
}
