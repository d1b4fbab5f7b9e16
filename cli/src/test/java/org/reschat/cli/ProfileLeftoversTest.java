package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command that fails on a profile it just created leaves no empty directory behind. */
class ProfileLeftoversTest {
  @TempDir Path dir;

  @Test
  void whoamiOnANewDirectoryLeavesNothing() {
    CliHarness cli = new CliHarness(dir);
    CliHarness.Result r = cli.as("nobody", "whoami");
    assertThat(r.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(dir.resolve("nobody")).doesNotExist();
  }

  @Test
  void aFailedInitLeavesNothingAndASuccessfulOneKeepsItsProfile() {
    CliHarness cli = new CliHarness(dir);
    cli.env.put("RESCHAT_PASSPHRASE", "sekret"); // weak, and no terminal to confirm it
    CliHarness.Result r = cli.as("alice", "init");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(dir.resolve("alice")).doesNotExist();
    cli.env.remove("RESCHAT_PASSPHRASE");
    cli.init("alice");
    assertThat(dir.resolve("alice/identity.json")).exists();
  }
}
