package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;

/** A whole profile backed up and restored (issue 20): friends, nicknames, groups, channels and where reading was. */
class ProfileBackupTest {
  static final String BACKUP_PASSPHRASE = "violet harbour kettle onions";
  @TempDir Path dir;
  CliHarness cli;
  Path passphraseFile;
  Path backup;

  @BeforeEach
  void aliceWithFriendsAGroupAndAChannel() throws Exception {
    cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    String carol = cli.init("carol");
    CliHarness.check(cli.as("alice", "friend", "add", "caroline", carol));
    CliHarness.check(cli.as("alice", "group", "create", "trip", "--member", "bob"));
    CliHarness.check(cli.as("bob", "receive"));
    String channel = CliHarness.check(cli.as("bob", "channel", "create", "news")).out().strip();
    CliHarness.check(cli.as("bob", "channel", "post", "news", "first post"));
    CliHarness.check(cli.as("alice", "channel", "follow", channel));
    CliHarness.check(cli.as("bob", "send", "alice", "a secret before the backup"));
    CliHarness.check(cli.as("bob", "send", "trip", "trip talk before the backup"));
    CliHarness.check(cli.as("alice", "receive"));
    passphraseFile = Files.writeString(dir.resolve("backup-passphrase"), BACKUP_PASSPHRASE + "\n");
    backup = dir.resolve("alice.backup");
  }

  private Result backUp(String... more) {
    String[] args = new String[] {"profile", "backup", backup.toString(), "--new-passphrase-file",
        passphraseFile.toString(), "--argon2-memory", "19456"};
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return cli.as("alice", all);
  }

  @Test
  void aRestoredProfileHasEverythingAndReadsOnWhereItWas() throws Exception {
    Result made = CliHarness.check(backUp());
    assertThat(made.err()).contains("2 friend(s), 1 group(s)");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup))).isEqualTo("rw-------");
    String sealed = Files.readString(backup);
    // Encrypted, names and cards included. The ciphertext is random base64url: a short name ("bob") is in it
    // by chance in about a third of runs, so names are looked for around it; a card's "rc2:" cannot be in it.
    String ciphertext = com.google.gson.JsonParser.parseString(sealed).getAsJsonObject().get("ciphertext").getAsString();
    assertThat(ciphertext).matches("[A-Za-z0-9_-]+");
    assertThat(sealed.replace(ciphertext, "")).doesNotContain("caroline", "bob", "trip", "rc2:");
    assertThat(sealed).doesNotContain("rc2:");

    CliHarness.check(cli.as("bob", "send", "alice", "after the backup"));
    cli.env.put("RESCHAT_PASSPHRASE", BACKUP_PASSPHRASE);
    Result restored = CliHarness.check(cli.as("alice-again", "profile", "restore", backup.toString()));
    assertThat(restored.err()).contains("Restored the profile of", "2 friend(s)");
    assertThat(CliHarness.check(cli.as("alice-again", "whoami")).out()).contains("passphrase:  yes");
    assertThat(CliHarness.check(cli.as("alice-again", "friend", "list")).out()).contains("bob", "caroline");
    assertThat(CliHarness.check(cli.as("alice-again", "group", "list")).out()).contains("trip");
    assertThat(CliHarness.check(cli.as("alice-again", "channel", "list")).out()).contains("#news", "following");
    // The outbox logs too: what is queued, and the newest verified own pages until a log is compacted.
    assertThat(outboxLogs("alice-again")).isNotEmpty().isEqualTo(outboxLogs("alice"));
    // And what each device of a chat has shown it reads (protocol §4.7, PAIR_READS), as the original held it: the
    // restored profile decides version 4 or 3 as the original would.
    assertThat(readsRecords("alice-again")).isNotEmpty().isEqualTo(readsRecords("alice"));
    // Reading goes on where it was: only what came after the backup is new.
    Result news = CliHarness.check(cli.as("alice-again", "receive"));
    assertThat(news.out()).contains("bob: after the backup").doesNotContain("before the backup");
    assertThat(CliHarness.check(cli.as("alice-again", "history", "trip")).out()).contains("trip talk before the backup");
    CliHarness.check(cli.as("alice-again", "send", "bob", "back from a backup"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice: back from a backup");
  }

  /** A profile's records of which devices read which page versions ({@code reads-*}), by name. */
  private java.util.Map<String, String> readsRecords(String who) throws Exception {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> files = Files.list(dir.resolve(who).resolve("state/devices"))) {
      for (Path p : (Iterable<Path>) files.filter(p -> p.getFileName().toString().startsWith("reads-"))::iterator) {
        out.put(p.getFileName().toString(), Files.readString(p));
      }
    }
    return out;
  }

  /** A profile's outbox logs, by name, as hex. */
  private java.util.Map<String, String> outboxLogs(String who) throws Exception {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> files = Files.list(dir.resolve(who).resolve("state/outbox"))) {
      for (Path p : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".log"))::iterator) {
        out.put(p.getFileName().toString(), java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
      }
    }
    return out;
  }

  @Test
  void neitherTheBackupFileNorAProfileIsEverReplacedAndAWrongPassphraseWritesNothing() throws Exception {
    Files.writeString(backup, "something else");
    Result refused = backUp();
    assertThat(refused.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains(backup + " exists; add --force");
    assertThat(Files.readString(backup)).isEqualTo("something else");
    CliHarness.check(backUp("--force"));

    cli.env.put("RESCHAT_PASSPHRASE", BACKUP_PASSPHRASE);
    Result over = cli.as("bob", "profile", "restore", backup.toString());
    assertThat(over.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(over.err()).contains("already holds a profile", "never replaces one");
    assertThat(CliHarness.check(cli.as("bob", "friend", "list")).out()).doesNotContain("caroline");

    cli.env.put("RESCHAT_PASSPHRASE", "not the backup passphrase");
    Result wrong = cli.as("alice-again", "profile", "restore", backup.toString());
    assertThat(wrong.code()).isEqualTo(ExitCodes.SECURITY);
    assertThat(wrong.err().lines()).hasSize(1);
    assertThat(dir.resolve("alice-again")).doesNotExist();
    try (var leftovers = Files.list(dir)) {
      assertThat(leftovers).noneMatch(p -> p.getFileName().toString().startsWith(".reschat-restore-"));
    }

    Files.writeString(backup, Files.readString(backup).replace("\"ciphertext\":\"", "\"ciphertext\":\"AAAA"));
    cli.env.put("RESCHAT_PASSPHRASE", BACKUP_PASSPHRASE);
    Result altered = cli.as("alice-again", "profile", "restore", backup.toString());
    assertThat(altered.code()).isEqualTo(ExitCodes.SECURITY);
    assertThat(dir.resolve("alice-again")).doesNotExist();
  }
}
