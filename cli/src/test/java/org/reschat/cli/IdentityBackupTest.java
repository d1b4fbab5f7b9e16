package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reschat passphrase change} and {@code reschat identity export}/{@code import}. */
class IdentityBackupTest {
  static final String OLD = "violet harbour kettle onions";
  static final String NEW = "granite pelican umbrella sonnet";
  static final String FAST = "--argon2-memory=19456";

  @TempDir Path dir;
  CliHarness cli;
  Path oldFile;
  Path newFile;

  @BeforeEach
  void protectedAliceAndBob() throws Exception {
    cli = new CliHarness(dir);
    oldFile = Files.writeString(dir.resolve("old.txt"), OLD + "\n");
    newFile = Files.writeString(dir.resolve("new.txt"), NEW + "\n");
    CliHarness.check(cli.as("alice", "--passphrase-file", oldFile.toString(), "init", "--name", "Alice", FAST));
    cli.friends("bob", "carol");
    String aliceCard = cli.as("alice", "whoami", "--json").out().replaceAll("(?s).*\"card\":\"([^\"]+)\".*", "$1");
    CliHarness.check(cli.as("bob", "friend", "add", "alice", aliceCard));
    CliHarness.check(cli.as("alice", "friend", "add", "bob", cli.as("bob", "whoami", "--json").out()
        .replaceAll("(?s).*\"card\":\"([^\"]+)\".*", "$1")));
  }

  @Test
  void changingThePassphraseKeepsTheKeysAndRetiresTheOldOne() {
    String cardBefore = cli.as("alice", "whoami").out();
    CliHarness.Result r = cli.as("alice", "--passphrase-file", oldFile.toString(), "passphrase", "change",
        "--new-passphrase-file", newFile.toString(), FAST);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).contains("The passphrase is changed");
    assertThat(cli.as("alice", "whoami").out()).isEqualTo(cardBefore);
    assertThat(cli.as("alice", "--passphrase-file", oldFile.toString(), "send", "bob", "x").code()).isEqualTo(ExitCodes.SECURITY);
    assertThat(cli.as("alice", "--passphrase-file", newFile.toString(), "send", "bob", "with the new one").code()).isZero();
    assertThat(cli.as("bob", "receive").out()).contains("with the new one");
  }

  @Test
  void aWrongCurrentPassphraseChangesNothing() throws Exception {
    String before = Files.readString(dir.resolve("alice/identity.json"));
    CliHarness.Result r = cli.as("alice", "--passphrase-file", newFile.toString(), "passphrase", "change",
        "--new-passphrase-file", newFile.toString(), FAST);
    assertThat(r.code()).isEqualTo(ExitCodes.SECURITY);
    assertThat(Files.readString(dir.resolve("alice/identity.json"))).isEqualTo(before);
  }

  @Test
  void theNewPassphraseIsTypedTwiceOnATerminal() {
    java.util.Deque<String> typed = new java.util.ArrayDeque<>(java.util.List.of(OLD, NEW, NEW + " typo"));
    cli.interactive = true;
    cli.prompt = p -> typed.poll().toCharArray();
    CliHarness.Result r = cli.as("alice", "passphrase", "change", FAST);
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("The two passphrases differ; nothing was changed.");
    cli.interactive = false;
    cli.prompt = null;
    assertThat(cli.as("alice", "--passphrase-file", oldFile.toString(), "send", "bob", "still old").code()).isZero();
  }

  @Test
  void anExportedBackupRestoresTheSameIdentityElsewhere() throws Exception {
    Path backup = dir.resolve("alice-backup.json");
    CliHarness.Result r = cli.as("alice", "--passphrase-file", oldFile.toString(), "identity", "export", backup.toString(),
        "--new-passphrase-file", newFile.toString(), FAST);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(Files.getPosixFilePermissions(backup)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(backup)).doesNotContain("\"secret").contains("argon2");
    // Exporting again does not silently replace the backup.
    assertThat(cli.as("alice", "--passphrase-file", oldFile.toString(), "identity", "export", backup.toString(),
        "--new-passphrase-file", newFile.toString(), FAST).code()).isEqualTo(ExitCodes.USAGE);

    assertThat(cli.as("restored", "--passphrase-file", oldFile.toString(), "identity", "import", backup.toString()).code())
        .isEqualTo(ExitCodes.SECURITY);
    assertThat(dir.resolve("restored/identity.json")).doesNotExist();
    CliHarness.Result in = cli.as("restored", "--passphrase-file", newFile.toString(), "identity", "import", backup.toString());
    assertThat(in.code()).as(in.toString()).isZero();
    assertThat(cli.as("restored", "whoami", "--json").out().replaceAll("(?s).*\"card\":\"([^\"]+)\".*", "$1"))
        .isEqualTo(cli.as("alice", "whoami", "--json").out().replaceAll("(?s).*\"card\":\"([^\"]+)\".*", "$1"));
    // The restored keys carry on the conversation: bob gets what they send, after what alice sent.
    CliHarness.check(cli.as("alice", "--passphrase-file", oldFile.toString(), "send", "bob", "from the old computer"));
    CliHarness.check(cli.as("restored", "friend", "add", "bob", cli.as("bob", "whoami", "--json").out()
        .replaceAll("(?s).*\"card\":\"([^\"]+)\".*", "$1")));
    CliHarness.Result sent = cli.as("restored", "--passphrase-file", newFile.toString(), "send", "bob", "from the new one");
    assertThat(sent.code()).as(sent.toString()).isZero();
    CliHarness.Result got = cli.as("bob", "receive");
    assertThat(got.code()).as(got.toString()).isZero();
    assertThat(got.out()).contains("from the old computer", "from the new one");
    // An identity is never replaced by an import.
    assertThat(cli.as("alice", "--passphrase-file", newFile.toString(), "identity", "import", backup.toString()).code())
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void anUnprotectedIdentityFileIsNotABackup() throws Exception {
    CliHarness.Result r = cli.as("fresh", "identity", "import", dir.resolve("bob/identity.json").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("is not an encrypted backup");
  }
}
