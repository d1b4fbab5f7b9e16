package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages from someone who is not a friend: shown as a request with their fingerprint, accepted or ignored. */
class MessageRequestsCliTest {
  @TempDir
  Path dir;

  @Test
  void aStrangersMessageIsARequestThatAcceptMakesAFriendsChat() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.strangerWrites("bob", "alice", "hi Alice, Bob from the meetup"); // one-sided: Alice does not know Bob
    String bob = cli.fingerprintStart("bob");

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
    cli.strangerWrites("mallory", "alice", "buy cheap watches");
    String mallory = cli.fingerprintStart("mallory");

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
    cli.strangerWrites("bob", "alice", "hi");

    String json = CliHarness.check(cli.as("alice", "requests", "--json")).out();
    assertThat(json).startsWith("{\"type\":\"message_request\"").contains("\"card\":\"rc2:", "\"text\":\"hi\"");
  }

  @Test
  void aRequestThatCouldNotBePostedIsSaidOnceInOneSentence() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.strangerWrites("bob", "alice", "hi");
    // What the core records when Alice's inbox kept refusing Bob's request (MessageRequestsTimingTest makes
    // it happen on a hostile store): his next command says so, once.
    java.nio.file.Path record = dir.resolve("bob").resolve("state").resolve("requests.json");
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(record))
        .getAsJsonObject();
    com.google.gson.JsonArray notPosted = new com.google.gson.JsonArray();
    notPosted.add(cli.cardOf("alice"));
    o.add("not_posted", notPosted);
    java.nio.file.Files.writeString(record, o.toString());

    CliHarness.Result sent = CliHarness.check(cli.as("bob", "send", "alice", "are you there?"));
    assertThat(sent.err()).contains("Sent to alice.", "your message request to alice could not be posted");
    assertThat(sent.err().lines().filter(l -> l.contains("could not be posted"))).hasSize(1);
    assertThat(CliHarness.check(cli.as("bob", "receive")).err()).doesNotContain("could not be posted");
  }

  @Test
  void aQueuedRequestIsPostedByALaterSendToAnyone() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("bob", "carol");
    CliHarness.check(cli.as("carol", "send", "bob", "hi Bob"));
    CliHarness.check(cli.as("bob", "receive")); // Bob holds a page of Carol's: no request ever goes to her
    String alice = cli.init("alice");
    CliHarness.check(cli.as("bob", "friend", "add", "alice", alice));
    CliHarness.check(cli.as("bob", "send", "alice", "hi Alice, Bob here")); // queues the request, posts nothing
    assertThat(CliHarness.check(cli.as("alice", "requests")).out()).isEmpty();

    java.time.Clock now = cli.clock;
    cli.clock = java.time.Clock.offset(now, org.reschat.core.internal.requests.MessageRequests.MAX_DELAY.plusMinutes(1));
    CliHarness.check(cli.as("bob", "send", "carol", "see you")); // a later command, to someone else
    cli.clock = now;
    assertThat(CliHarness.check(cli.as("alice", "requests")).out()).contains("hi Alice, Bob here");
  }
}
