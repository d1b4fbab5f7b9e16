package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;

/** A profile remembers its store (issue 20): no silent switch to the default, no false alarm on a new one. */
class StoreMemoryTest {
  @TempDir Path dir;
  CliHarness cli;
  Path ledger;

  @BeforeEach
  void aliceAndBobOnTheirOwnLedger() {
    cli = new CliHarness(dir);
    ledger = dir.resolve("team-ledger.db");
    cli.env.put("RESCHAT_STORE", "embedded:" + ledger);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "on the team ledger"));
  }

  @Test
  void forgettingTheStoreSettingUsesTheProfilesStoreNotTheDefault() {
    cli.env.remove("RESCHAT_STORE"); // a new terminal without the variable
    Result sent = cli.as("alice", "send", "bob", "still on it");
    assertThat(sent.code()).as(sent.toString()).isZero();
    assertThat(sent.err()).doesNotContain("note:", "new, empty ledger");
    Result got = cli.as("bob", "receive");
    assertThat(got.code()).as(got.toString()).isZero();
    assertThat(got.out()).contains("on the team ledger", "still on it");
    assertThat(got.err()).doesNotContain("security", "rollback");
    assertThat(dir.resolve("data/reschat/ledger.db")).as("the default ledger").doesNotExist();
    assertThat(CliHarness.check(cli.as("alice", "whoami")).out())
        .contains("store:       embedded:" + ledger + "  (from this profile's store.json)");
    assertThat(CliHarness.check(cli.as("alice", "config")).out()).contains("embedded:" + ledger);
  }

  @Test
  void aStoreTheProfileNeverUsedIsRefusedWithTheWayToMoveAndNothingWrittenThere() {
    Path typo = dir.resolve("team-ledgr.db");
    Result r = cli.as("alice", "--store", "embedded:" + typo, "receive");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("This profile has never used embedded:" + typo + " (from option --store)",
        "its conversations are on embedded:" + ledger, "store migrate").doesNotContain("security", "missing");
    assertThat(typo).doesNotExist();
    // An existing ledger the profile never used is refused the same way, before anything is read or written.
    Path other = dir.resolve("other.db");
    CliHarness.check(cli.run("--home", dir.resolve("carol").toString(), "--store", "embedded:" + other, "init",
        "--no-passphrase"));
    CliHarness.check(cli.run("--home", dir.resolve("carol").toString(), "--store", "embedded:" + other, "channel",
        "create", "x"));
    assertThat(cli.as("alice", "--store", "embedded:" + other, "send", "bob", "x").code()).isEqualTo(ExitCodes.USAGE);
    // A store probe and a move are what another store is for.
    CliHarness.check(cli.as("alice", "--store", "embedded:" + other, "store", "check"));
  }

  @Test
  void afterAMoveTheNewStoreIsTheProfilesAndUsingTheOldOneSaysSoInOneLine() {
    Path moved = dir.resolve("moved.db");
    Result migrated = CliHarness.check(cli.as("alice", "--store", "embedded:" + moved, "store", "migrate"));
    assertThat(migrated.err()).contains("It is this profile's store from now on");
    cli.env.remove("RESCHAT_STORE");
    assertThat(CliHarness.check(cli.as("alice", "--json", "whoami")).out()).contains("\"store\":\"embedded:" + moved + "\"");
    CliHarness.check(cli.as("alice", "send", "bob", "from the new place"));
    Result old = cli.as("alice", "--store", "embedded:" + ledger, "history", "bob");
    assertThat(old.err().lines().filter(l -> l.startsWith("note:"))).containsExactly("note: this profile's store is "
        + "embedded:" + moved + "; this command uses embedded:" + ledger + " (from option --store), which it used before.");
    assertThat(old.out()).contains("on the team ledger");
    String store = JsonParser.parseString(CliHarness.check(cli.as("alice", "--json", "whoami")).out())
        .getAsJsonObject().get("store").getAsString();
    assertThat(store).as("a look at the old store moves nothing").isEqualTo("embedded:" + moved);
  }
}
