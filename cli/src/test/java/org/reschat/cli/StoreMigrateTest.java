package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving to another store: without {@code store migrate} a profile refuses a store it never used (which has
 * none of its verified pages: every reader would see "missing"); after it, everything is there, no alarm.
 */
@org.junit.jupiter.api.Tag("slow") // end to end across stores: left out by mvn -Pfast
class StoreMigrateTest {
  @TempDir
  Path dir;

  @Test
  void aMovedProfileCopiesWhatItVerifiedAndNobodySeesMissingPages() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "before the move"));
    CliHarness.check(cli.as("bob", "send", "alice", "me too"));
    CliHarness.check(cli.as("alice", "receive"));
    CliHarness.check(cli.as("alice", "group", "create", "pair", "--member", "bob"));
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("bob", "send", "pair", "in the group"));
    CliHarness.check(cli.as("alice", "receive"));

    cli.env.put("RESCHAT_STORE", "embedded:" + dir.resolve("new-ledger.db"));
    // A store the profile never used is no ledger that lost its pages: no alarm, nothing written, the way out.
    CliHarness.Result before = cli.as("alice", "history", "bob");
    assertThat(before.code()).as(before.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(before.err()).contains("has never used", "store migrate").doesNotContain("security", "missing");
    assertThat(dir.resolve("new-ledger.db")).doesNotExist();

    CliHarness.Result moved = CliHarness.check(cli.as("alice", "store", "migrate"));
    assertThat(moved.err()).contains("Copied");
    CliHarness.Result after = CliHarness.check(cli.as("alice", "history", "bob"));
    assertThat(after.out()).contains("before the move", "me too");
    assertThat(after.err()).doesNotContain("security warning");
    assertThat(CliHarness.check(cli.as("alice", "history", "pair")).out()).contains("in the group");
    // Bob, moving too, finds his own and Alice's pages there: his migrate has nothing left to copy.
    assertThat(CliHarness.check(cli.as("bob", "store", "migrate")).err()).contains("Copied 0 page(s)");
    CliHarness.Result bob = CliHarness.check(cli.as("bob", "history", "alice"));
    assertThat(bob.out()).contains("before the move", "me too");
    assertThat(bob.err()).doesNotContain("security warning");
  }
}
