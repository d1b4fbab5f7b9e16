package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everything ResChat creates for a person is theirs alone: files 0600, directories 0700. */
class PermissionsTest {
  @TempDir Path dir;

  @Test
  void everyFileOfAFreshProfileIs0600AndEveryDirectory0700() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.env.remove("RESCHAT_STORE"); // the default: a ledger beside the profiles, under $XDG_DATA_HOME/reschat
    CliHarness.check(cli.run("store", "check")); // the store first, before any profile made its directory
    cli.env.put("RESCHAT_PASSPHRASE", PassphraseStrengthTest.STRONG);
    CliHarness.check(cli.run("--home", dir.resolve("data/reschat/alice").toString(), "init", "--argon2-memory", "19456"));
    cli.env.remove("RESCHAT_PASSPHRASE");
    String bobCard = CliHarness.check(cli.run("--home", dir.resolve("data/reschat/bob").toString(), "init",
        "--no-passphrase")).out().strip();
    cli.env.put("RESCHAT_PASSPHRASE", PassphraseStrengthTest.STRONG);
    String alice = dir.resolve("data/reschat/alice").toString();
    CliHarness.check(cli.run("--home", alice, "friend", "add", "bob", bobCard));
    CliHarness.check(cli.run("--home", alice, "friend", "verify", "bob", "--mark"));
    CliHarness.check(cli.run("--home", alice, "send", "bob", "hello"));
    CliHarness.check(cli.run("--home", alice, "receive"));
    CliHarness.check(cli.run("--home", alice, "history", "bob"));
    CliHarness.check(cli.run("--home", alice, "export", "bob", "--format", "md", "-o", alice + "/export/chat.md"));
    CliHarness.check(cli.run("--home", alice, "friend", "rename", "bob", "robert"));

    Path root = dir.resolve("data/reschat");
    List<String> wrong;
    try (Stream<Path> all = Files.walk(root)) {
      wrong = all.filter(p -> !mode(p).equals(Files.isDirectory(p) ? "rwx------" : "rw-------"))
          .map(p -> root.relativize(p) + " " + mode(p)).collect(Collectors.toList());
    }
    assertThat(wrong).as("files not 0600 or directories not 0700 under " + root).isEmpty();
    try (Stream<Path> all = Files.walk(root)) {
      assertThat(all.map(p -> p.getFileName().toString()))
          .contains("identity.json", "friends.json", "friends.json.lock", "ledger.db", "chat.md", "state");
    }
  }

  private static String mode(Path p) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
