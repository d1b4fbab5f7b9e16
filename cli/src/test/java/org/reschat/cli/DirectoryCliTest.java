package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;

/** The directory at the terminal: publish, lookup, adding a friend from it, two claimants, unpublish. */
class DirectoryCliTest {
  @TempDir
  Path dir;

  private static String fingerprint(CliHarness cli, String who) {
    return JsonParser.parseString(CliHarness.check(cli.as(who, "--json", "whoami")).out()).getAsJsonObject()
        .get("fingerprint").getAsString();
  }

  @Test
  void aPublishedCardIsFoundAndAddedAndTwoClaimantsAreNeverPickedSilently() throws Exception {
    CliHarness cli = new CliHarness(dir);
    String aliceCard = cli.init("alice");
    cli.init("bob");
    cli.init("mallory");
    Result published = CliHarness.check(cli.as("alice", "directory", "publish", "--name", "Alice"));
    assertThat(published.err()).contains("It is public");

    Result lookup = CliHarness.check(cli.as("bob", "directory", "lookup", "alice"));
    assertThat(lookup.out()).contains(fingerprint(cli, "alice"), aliceCard);
    assertThat(lookup.err()).contains("Names are hints", "safety number");
    CliHarness.check(cli.as("bob", "friend", "add", "al", "--from-directory", "alice"));
    assertThat(CliHarness.check(cli.as("bob", "friend", "list")).out()).contains(aliceCard);

    // Mallory claims the same name: both are listed, and adding needs a fingerprint.
    CliHarness.check(cli.as("mallory", "directory", "publish", "--name", "alice"));
    Result two = CliHarness.check(cli.as("bob", "directory", "lookup", "alice"));
    assertThat(two.lines()).hasSize(2);
    assertThat(two.err()).contains("2 cards claim 'alice'; none is picked for you.");
    Result ambiguous = cli.as("bob", "friend", "add", "al2", "--from-directory", "alice");
    assertThat(ambiguous.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(ambiguous.err()).contains("2 cards claim 'alice'", fingerprint(cli, "mallory"));
    CliHarness.check(cli.as("bob", "friend", "remove", "al"));
    String prefix = fingerprint(cli, "alice").substring(0, 9);
    CliHarness.check(cli.as("bob", "friend", "add", "al2", "--from-directory", "alice", "--fingerprint", prefix));
    assertThat(CliHarness.check(cli.as("bob", "friend", "list")).out()).contains(aliceCard);

    CliHarness.check(cli.as("alice", "directory", "unpublish"));
    Result after = cli.as("bob", "directory", "lookup", "alice");
    assertThat(after.code()).isZero();
    assertThat(after.out()).doesNotContain(aliceCard);
    CliHarness.check(cli.as("mallory", "directory", "unpublish"));
    Result none = cli.as("bob", "directory", "lookup", "alice");
    assertThat(none.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(none.err()).contains("Nobody in the directory claims 'alice'.");
  }

  @Test
  void badInputIsOneSentence() {
    CliHarness cli = new CliHarness(dir);
    cli.init("bob");
    Result badName = cli.as("bob", "directory", "publish", "--name", "../x");
    assertThat(badName.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badName.err().lines()).hasSize(1);
    Result both = cli.as("bob", "friend", "add", "x", "rc2:abc", "--from-directory", "alice");
    assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.as("bob", "friend", "add", "x", "--from-directory", "alice", "--fingerprint", "zz").code())
        .isEqualTo(ExitCodes.USAGE);
  }
}
