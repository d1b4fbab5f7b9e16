package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;

/**
 * Groups as people use them (issue 20): who is named how, join requests and their names, and a join that
 * completes without being asked for twice. Alice is friends with Bob and Carol, who are not each other's.
 */
class GroupEverydayTest {
  @TempDir
  Path dir;
  CliHarness cli;

  @BeforeEach
  void aliceBobAndCarol() {
    cli = new CliHarness(dir);
    cli.groupOfHostsFriends("trip", "alice", "bob", "carol");
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("carol", "receive"));
  }

  private String shortFingerprint(String who) {
    return CliHarness.check(cli.as(who, "whoami", "--json")).out()
        .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f]{4} [0-9a-f]{4}).*", "$1");
  }

  @Test
  void aGroupsNotesSayYouForTheReaderAndANicknameForAFriend() {
    CliHarness.check(cli.as("alice", "group", "admin", "trip", "bob"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("* alice made you an admin")
        .doesNotContain(shortFingerprint("bob"));
    assertThat(CliHarness.check(cli.as("alice", "history", "trip")).out()).contains("* me made bob an admin");
    // Bob is no friend of Carol's: she sees the start of his fingerprint, as everywhere else.
    assertThat(CliHarness.check(cli.as("carol", "receive")).out())
        .contains("* alice made " + shortFingerprint("bob") + " an admin");
  }

  @Test
  void removingByAFingerprintPrefixSaysWhoWasRemoved() {
    String prefix = shortFingerprint("carol").replace(" ", "").substring(0, 5);
    Result removed = CliHarness.check(cli.as("alice", "group", "remove", "trip", prefix));
    assertThat(removed.err()).contains("Removed carol from \"trip\"").doesNotContain(prefix);
    Result made = CliHarness.check(cli.as("alice", "group", "admin", "trip", shortFingerprint("bob").substring(0, 4)));
    assertThat(made.err()).contains("Made bob an admin of \"trip\".");
    assertThat(CliHarness.check(cli.as("alice", "group", "admin", "trip", "me", "--revoke")).err())
        .contains("You are no longer an admin of \"trip\".");
  }

  @Test
  void aSecondAdminSeesAndAnswersTheRequestsOfTheFirstsLink() {
    assertThat(CliHarness.check(cli.as("alice", "group", "requests", "trip")).err())
        .contains("\"trip\" has no open link, so nobody can ask to join; 'reschat group link trip' makes one.");
    CliHarness.check(cli.as("alice", "group", "admin", "trip", "bob"));
    CliHarness.check(cli.as("bob", "receive"));
    String link = CliHarness.check(cli.as("alice", "group", "link", "trip")).out().strip();
    cli.init("erin");
    CliHarness.check(cli.as("erin", "group", "join", link));
    Result bobs = CliHarness.check(cli.as("bob", "group", "requests", "trip")); // Alice is away
    assertThat(bobs.out()).contains("erin (fingerprint ", "asks to join \"trip\"");
    Result approved = CliHarness.check(cli.as("bob", "group", "approve", "trip", cli.fingerprintStart("erin")));
    assertThat(approved.code()).isEqualTo(ExitCodes.OK);
    assertThat(CliHarness.check(cli.as("erin", "group", "join", link)).err()).contains("You joined \"trip\"");
    assertThat(CliHarness.check(cli.as("alice", "group", "requests", "trip")).err())
        .contains("Nobody asks to join \"trip\" through its open link");
  }

  @Test
  void anApprovedJoinCompletesAtTheNextReceiveUnderTheNameGiven() {
    String link = CliHarness.check(cli.as("alice", "group", "link", "trip")).out().strip();
    CliHarness.check(cli.as("erin", "init", "--name", "Erin Example", "--no-passphrase"));
    Result asked = CliHarness.check(cli.as("erin", "group", "join", link, "--name", "erin"));
    assertThat(asked.err()).contains("posted as \"erin\"", "your next 'reschat receive' completes the join");
    // Asked again without --name: the admins are shown the same name, not the one from init.
    assertThat(CliHarness.check(cli.as("erin", "group", "join", link)).err()).contains("posted as \"erin\"");
    assertThat(CliHarness.check(cli.as("alice", "group", "requests", "trip")).out()).contains("erin (fingerprint ");
    assertThat(CliHarness.check(cli.as("erin", "receive")).err()).doesNotContain("You are in the group");

    Result approved = CliHarness.check(cli.as("alice", "group", "approve", "trip", cli.fingerprintStart("erin")));
    assertThat(approved.err()).contains("Approved erin", "their next 'reschat receive' completes the join");
    CliHarness.check(cli.as("alice", "send", "trip", "welcome erin"));
    Result joined = CliHarness.check(cli.as("erin", "receive"));
    assertThat(joined.err()).contains("You are in the group \"trip\" now");
    assertThat(joined.out()).contains(": welcome erin"); // the same pass receives the group
    assertThat(CliHarness.check(cli.as("erin", "group", "list")).out()).contains("trip");
    assertThat(dir.resolve("erin").resolve(PendingJoins.FILE)).doesNotExist(); // nothing more to look for
    assertThat(CliHarness.check(cli.as("erin", "receive")).err()).doesNotContain("You are in the group");
  }
}
