package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 item 7 through the command line: another local user who owns (or may write) a profile directory
 * replaces {@code friends.json} so that "bob" is their card, marked verified. The message to "bob" must not
 * reach them: the command stops with one sentence (exit 7) and sends nothing.
 */
class ForeignProfileTest {
  private static final int MALLORY = 4242;
  @TempDir Path dir;

  /** Alice's friends file rewritten so "bob" is Mallory's card, verified. */
  private void mallorySwapsBob(CliHarness cli, String malloryCard) throws Exception {
    String fingerprint = CliHarness.check(cli.as("mallory", "whoami", "--json")).out()
        .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1");
    Path friends = dir.resolve("alice").resolve("friends.json");
    Files.delete(friends);
    Files.writeString(friends, "{\"schema\": 1, \"friends\": [{\"nickname\": \"bob\", \"card\": \"" + malloryCard
        + "\", \"fingerprint\": \"" + fingerprint + "\", \"verified\": true, \"added\": \"2026-11-22T10:00:00Z\"}]}\n");
  }

  @Test
  void aFriendsFileAnotherUserWroteIsRefusedAndBobsMessageReachesNobody() throws Exception {
    assumeThat((Integer) Files.getAttribute(dir, "unix:uid")).as("only root can give a file to another user").isZero();
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    String malloryCard = cli.init("mallory");
    CliHarness.check(cli.as("mallory", "friend", "add", "alice",
        cli.cardOf("alice")));
    mallorySwapsBob(cli, malloryCard);
    Files.setAttribute(dir.resolve("alice").resolve("friends.json"), "unix:uid", MALLORY, LinkOption.NOFOLLOW_LINKS);

    CliHarness.Result r = cli.as("alice", "send", "bob", "the launch code is 1234");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.LOCAL);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).contains("belongs to another user (uid " + MALLORY + ")").doesNotContain("Exception");
    assertThat(cli.as("mallory", "history", "alice").out()).doesNotContain("launch code");
  }

  @Test
  void aProfileDirectoryOthersMayWriteIsRefusedInOneSentence() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    Files.setPosixFilePermissions(dir.resolve("alice"), PosixFilePermissions.fromString("rwxrwxrwx"));

    CliHarness.Result r = cli.as("alice", "send", "bob", "hello");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.LOCAL);
    assertThat(r.err().strip()).isEqualTo("reschat: The profile directory " + dir.resolve("alice") + " may be written by"
        + " other users (mode 0777), so anyone could have changed what it holds; ResChat does not use it. Check its files,"
        + " then run 'chmod 700 " + dir.resolve("alice") + "'.");
    assertThat(CliHarness.check(cli.as("bob", "history", "alice")).out()).doesNotContain("hello");
  }
}
