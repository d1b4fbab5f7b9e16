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

  @Test
  void whoamiWhereNoProfileCanBeMadeNamesTheDirectoryInTheWay() throws Exception {
    CliHarness cli = new CliHarness(dir);
    Path locked = java.nio.file.Files.createDirectory(dir.resolve("locked"));
    java.nio.file.Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
    Path blocker = java.nio.file.Files.isWritable(locked) ? Path.of("/proc/1") : locked; // root writes anywhere else
    org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.isWritable(blocker),
        "no directory this user cannot write to try it with");
    CliHarness.Result r = cli.run("--home", blocker.resolve("x/y/z").toString(), "whoami");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.LOCAL);
    assertThat(r.err()).isEqualTo("reschat: There is no profile in " + blocker.resolve("x/y/z") + ", and none can be"
        + " made there: " + blocker + " is not writable by this user; choose another --home (or RESCHAT_HOME).\n");

    Path file = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "a file");
    CliHarness.Result underAFile = cli.run("--home", file.resolve("profile").toString(), "whoami");
    assertThat(underAFile.code()).isEqualTo(ExitCodes.LOCAL);
    assertThat(underAFile.err()).contains(file + " is a file, not a directory").doesNotContain("Could not create");
  }
}
