package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths in store specs and settings: a directory, {@code ~}, a new ledger file. */
class StorePathsTest {
  @TempDir Path dir;

  @Test
  void aDirectoryAsEmbeddedStoreIsBadInput() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.Result r = cli.as("alice", "--store", "embedded:" + dir, "send", "bob", "hi");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("is a directory; the embedded store is a file, as in embedded:" + dir.resolve("ledger.db"));
  }

  /** Issue 20: an embedded ledger that cannot be created is a local problem (exit 7), said in one sentence. */
  @Test
  void anEmbeddedLedgerThatCannotBeCreatedIsALocalProblem() throws Exception {
    CliHarness cli = new CliHarness(dir);
    Path blocker = dir.resolve("blocker");
    Files.writeString(blocker, "a file where a directory should be");
    // a new profile (one that has used a store is refused another before it is opened: ProfileStore)
    String store = "embedded:" + blocker.resolve("ledger.db");
    CliHarness.check(cli.as("alice", "--store", store, "init", "--name", "alice", "--no-passphrase"));
    CliHarness.Result r = cli.as("alice", "--store", store, "receive");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.LOCAL);
    assertThat(r.err()).isEqualTo("reschat: Cannot create the directory " + blocker
        + " for the store file: a file is in the way where a directory is needed.\n");
  }

  @Test
  void tildeInTheConfigFileIsTheHomeDirectory() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.env.remove("RESCHAT_STORE");
    Path config = dir.resolve("config/reschat/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "{\"home\": \"~/me\", \"store\": \"embedded:~/chat/ledger.db\"}");
    CliHarness.check(cli.run("init", "--no-passphrase"));
    CliHarness.Result who = cli.run("whoami");
    assertThat(who.out()).contains(dir.resolve("home/me").toString(), dir.resolve("home/chat/ledger.db").toString());
    assertThat(dir.resolve("home/me/identity.json")).exists();
  }

  @Test
  void aNewLedgerFileIsAnnouncedOnce() {
    CliHarness cli = new CliHarness(dir);
    Path typo = dir.resolve("ledgr.db");
    cli.env.put("RESCHAT_STORE", "embedded:" + typo); // the profiles are made on it: it is their store
    cli.friends("alice", "bob");
    CliHarness.Result first = cli.as("alice", "--store", "embedded:" + typo, "receive");
    assertThat(first.err()).contains("Created a new, empty ledger at " + typo + " (from option --store)");
    CliHarness.Result second = cli.as("alice", "--store", "embedded:" + typo, "receive");
    assertThat(second.err()).doesNotContain("Created a new");
  }
}
