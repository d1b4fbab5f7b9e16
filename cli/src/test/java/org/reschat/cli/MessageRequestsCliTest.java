package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages from someone who is not a friend: shown as a request with their fingerprint, accepted or ignored. */
class MessageRequestsCliTest {
  @TempDir
  Path dir;

  private String fingerprintStart(CliHarness cli, String who) {
    String fp = CliHarness.check(cli.as(who, "whoami", "--json")).out()
        .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1");
    return fp.replace(" ", "").substring(0, 8);
  }

  @Test
  void aStrangersMessageIsARequestThatAcceptMakesAFriendsChat() throws Exception {
    CliHarness cli = new CliHarness(dir);
    String aliceCard = cli.init("alice");
    cli.init("bob");
    CliHarness.check(cli.as("bob", "friend", "add", "alice", aliceCard)); // one-sided: Alice does not know Bob
    CliHarness.check(cli.as("bob", "send", "alice", "hi Alice, Bob from the meetup"));
    String bob = fingerprintStart(cli, "bob");

    CliHarness.Result received = CliHarness.check(cli.as("alice", "receive"));
    assertThat(received.out()).contains("Message request from " + bob, "hi Alice, Bob from the meetup",
        "reschat requests accept " + bob);
    assertThat(CliHarness.check(cli.as("alice", "receive")).out()).as("announced once").isEmpty();

    CliHarness.Result listed = CliHarness.check(cli.as("alice", "requests"));
    assertThat(listed.out()).contains(bob, "hi Alice, Bob from the meetup");

    CliHarness.Result accepted = cli.as("alice", "requests", "accept", bob, "bob");
    assertThat(accepted.code()).as(accepted.toString()).isZero();
    assertThat(accepted.err()).contains("friend verify bob");
    assertThat(CliHarness.check(cli.as("alice", "history", "bob")).out()).contains("hi Alice, Bob from the meetup");
    assertThat(CliHarness.check(cli.as("alice", "requests")).err()).contains("No message requests.");
    CliHarness.check(cli.as("alice", "send", "bob", "welcome"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("welcome");
  }

  @Test
  void anIgnoredRequestStaysHiddenAndBadNamesAreClearErrors() throws Exception {
    CliHarness cli = new CliHarness(dir);
    String aliceCard = cli.init("alice");
    cli.init("mallory");
    CliHarness.check(cli.as("mallory", "friend", "add", "alice", aliceCard));
    CliHarness.check(cli.as("mallory", "send", "alice", "buy cheap watches"));
    String mallory = fingerprintStart(cli, "mallory");

    CliHarness.Result tooShort = cli.as("alice", "requests", "ignore", "ab");
    assertThat(tooShort.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(tooShort.err()).contains("at least 4 digits").doesNotContain("Exception");
    CliHarness.Result badNick = cli.as("alice", "requests", "accept", mallory, "-x");
    assertThat(badNick.code()).as(badNick.toString()).isEqualTo(ExitCodes.USAGE);

    CliHarness.check(cli.as("alice", "requests", "ignore", mallory));
    CliHarness.check(cli.as("mallory", "send", "alice", "buy more watches"));
    assertThat(CliHarness.check(cli.as("alice", "requests")).out()).isEmpty();
    assertThat(CliHarness.check(cli.as("alice", "receive")).out()).isEmpty();
  }

  @Test
  void requestsAreJsonWithJson() throws Exception {
    CliHarness cli = new CliHarness(dir);
    String aliceCard = cli.init("alice");
    cli.init("bob");
    CliHarness.check(cli.as("bob", "friend", "add", "alice", aliceCard));
    CliHarness.check(cli.as("bob", "send", "alice", "hi"));

    String json = CliHarness.check(cli.as("alice", "requests", "--json")).out();
    assertThat(json).startsWith("{\"type\":\"message_request\"").contains("\"card\":\"rc2:", "\"text\":\"hi\"");
  }
}
