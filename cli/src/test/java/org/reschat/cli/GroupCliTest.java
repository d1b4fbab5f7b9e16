package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;

/** Group chat at the terminal: three people, two of whom are not friends with each other. */
class GroupCliTest {
  @TempDir
  Path dir;
  CliHarness cli;

  @BeforeEach
  void aliceBobAndCarol() {
    cli = new CliHarness(dir);
    cli.groupOfHostsFriends("trip", "alice", "bob", "carol");
  }

  private static void assertOneSentenceError(Result r, int code, String... fragments) {
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
    assertThat(r.err()).as(r.toString()).startsWith("reschat: ");
    for (String f : fragments) {
      assertThat(r.err()).as(r.toString()).contains(f);
    }
    assertThat(r.err()).doesNotContain("\tat org.");
  }

  @Test
  void membersWhoAreNotFriendsTalkAndEachLineSaysWhoWroteIt() {
    Result invited = CliHarness.check(cli.as("bob", "receive"));
    assertThat(invited.out()).contains("* alice created the group \"trip\" with you in it");
    assertThat(CliHarness.check(cli.as("bob", "group", "list")).out()).contains("trip  3 members");
    CliHarness.check(cli.as("carol", "receive"));
    CliHarness.check(cli.as("alice", "send", "trip", "hello both"));
    CliHarness.check(cli.as("bob", "send", "trip", "hi from bob"));
    Result carolReads = CliHarness.check(cli.as("carol", "receive"));
    assertThat(carolReads.out()).contains("alice: hello both");
    String bobsShortFingerprint = CliHarness.check(cli.as("bob", "whoami", "--json")).out()
        .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f]{4} [0-9a-f]{4}).*", "$1");
    assertThat(carolReads.out()).contains(bobsShortFingerprint + ": hi from bob"); // not Carol's friend
    List<JsonObject> json = CliHarness.check(cli.as("carol", "history", "trip", "--json")).lines().stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject()).collect(Collectors.toList());
    assertThat(json).anySatisfy(o -> {
      assertThat(o.get("type").getAsString()).isEqualTo("message");
      assertThat(o.get("group").getAsString()).isEqualTo("trip");
      assertThat(o.get("text").getAsString()).isEqualTo("hi from bob");
      assertThat(o.get("sender_fingerprint").getAsString()).startsWith(bobsShortFingerprint);
    });
    List<JsonObject> members = CliHarness.check(cli.as("alice", "group", "show", "trip", "--json")).lines().stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject()).filter(o -> o.get("type").getAsString().equals("member"))
        .collect(Collectors.toList());
    assertThat(members).hasSize(3).anySatisfy(o -> assertThat(o.get("admin").getAsBoolean()).isTrue());
  }

  @Test
  void aNameIsEitherAFriendOrAGroupAndOnlyAdminsRemove() {
    assertOneSentenceError(cli.as("alice", "group", "create", "bob"), ExitCodes.USAGE, "friend's nickname");
    assertOneSentenceError(cli.as("alice", "group", "create", "trip"), ExitCodes.USAGE, "already have a group");
    assertOneSentenceError(cli.as("alice", "send", "nobody", "x"), ExitCodes.NOT_FOUND, "no friend or group");
    CliHarness.check(cli.as("bob", "receive"));
    assertOneSentenceError(cli.as("bob", "group", "remove", "trip", "alice"), ExitCodes.USAGE, "Only an admin");
  }

  @Test
  void anAdminMakesAnotherMemberAnAdminWhoCanThenRemove() {
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("carol", "receive"));
    assertOneSentenceError(cli.as("bob", "group", "admin", "trip", "alice", "--revoke"), ExitCodes.USAGE, "Only an admin");
    assertOneSentenceError(cli.as("alice", "group", "admin", "trip", "me"), ExitCodes.USAGE, "already an admin");
    Result made = CliHarness.check(cli.as("alice", "group", "admin", "trip", "bob"));
    assertThat(made.err()).contains("Made bob an admin of \"trip\"");
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("bob", "group", "remove", "trip", "alice"));
    assertThat(cli.as("alice", "receive").err()).contains("you were removed from \"trip\" by bob");
    assertOneSentenceError(cli.as("bob", "group", "admin", "trip", "me", "--revoke"), ExitCodes.USAGE, "needs an admin");
  }

  @Test
  void aRemovedMemberIsToldByWhomAndCannotSend() {
    CliHarness.check(cli.as("carol", "receive"));
    CliHarness.check(cli.as("alice", "group", "remove", "trip", "carol"));
    CliHarness.check(cli.as("alice", "send", "trip", "without carol"));
    Result told = cli.as("carol", "receive");
    assertThat(told.err()).contains("you were removed from \"trip\" by alice");
    assertThat(told.out()).doesNotContain("without carol");
    assertOneSentenceError(cli.as("carol", "send", "trip", "hello?"), ExitCodes.SECURITY, "removed from \"trip\"");
    CliHarness.check(cli.as("bob", "receive"));
    assertThat(CliHarness.check(cli.as("bob", "history", "trip")).out()).contains("without carol");
  }
  /** A friend added by a member who is not an admin reads at once, and writes once an admin's client has read the change. */
  @Test
  void aFriendAddedByAMemberWhoIsNotAnAdminWritesOnceAnAdminHasReadTheChange() {
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("carol", "receive"));
    String dave = cli.init("dave");
    CliHarness.check(cli.as("bob", "friend", "add", "dave", dave));
    CliHarness.check(cli.as("dave", "friend", "add", "bob", cli.cardOf("bob")));
    CliHarness.check(cli.as("bob", "group", "add", "trip", "dave"));
    assertThat(CliHarness.check(cli.as("dave", "receive")).out()).contains("* bob added you to the group \"trip\"");
    assertThat(JsonParser.parseString(CliHarness.check(cli.as("dave", "group", "show", "trip", "--json")).lines().get(0))
        .getAsJsonObject().get("confirmed").getAsBoolean()).isFalse();
    assertOneSentenceError(cli.as("dave", "send", "trip", "hello?"), ExitCodes.USAGE, "no admin of it has vouched");
    CliHarness.check(cli.as("alice", "receive")); // Alice's client takes Bob's change and vouches for it
    CliHarness.check(cli.as("dave", "receive"));
    CliHarness.check(cli.as("dave", "send", "trip", "hello all"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).out()).contains("hello all");
  }

  /**
   * Issue 19 item 1 at the terminal: Bob, a member, hands Dave a made-up invitation (no proof) to "trip"
   * before Alice adds him. Dave's receive shows it and says, as a security warning, that it proves nothing
   * (exit 4, never exit 0); Alice's real invitation then takes him into the group.
   */
  @Test
  void aMadeUpInvitationIsASecurityWarningAndTheRealOneStillWorks() throws Exception {
    CliHarness.check(cli.as("bob", "receive"));
    String dave = cli.init("dave");
    CliHarness.check(cli.as("dave", "friend", "add", "bob", cli.cardOf("bob")));
    CliHarness.check(cli.as("dave", "friend", "add", "alice", cli.cardOf("alice")));
    CliHarness.check(cli.as("alice", "friend", "add", "dave", dave));
    JsonObject trip = JsonParser.parseString(CliHarness.check(cli.as("bob", "group", "show", "trip", "--json")).lines()
        .get(0)).getAsJsonObject();
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    String body = "{\"v\":1,\"id\":\"" + trip.get("id").getAsString() + "\",\"name\":\"trip\",\"epochs\":[{\"secret\":\""
        + org.reschat.core.internal.crypto.Base64Url.encode(secret) + "\",\"members\":[\"" + cli.cardOf("alice") + "\",\"" + cli.cardOf("bob")
        + "\",\"" + dave + "\"],\"admins\":[\"" + cli.cardOf("alice") + "\"],\"parent\":\""
        + trip.get("epoch").getAsString() + "\",\"cuts\":{}}]}";
    try (org.reschat.kv.KvStore ledger = org.reschat.kv.embedded.EmbeddedStore.open(dir.resolve("ledger.db"));
        org.reschat.core.ChatClient hostile = org.reschat.core.ChatClient.builder().identity(
            org.reschat.core.identity.IdentityFile.open(java.nio.file.Files.readString(dir.resolve("bob/identity.json")),
                new char[0])).store(ledger).inMemoryState().build()) {
      org.reschat.core.testing.TestClients.conversations(hostile).send(org.reschat.core.testing.TestClients.conversations(hostile).conversationWith(
          org.reschat.core.identity.PublicCard.parse(dave)), "GROUP_INVITE",
          "added you to the group \"trip\"".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Result told = cli.as("dave", "receive");
    assertThat(told.code()).as(told.toString()).isEqualTo(ExitCodes.SECURITY);
    assertThat(told.out()).contains("* bob added you to the group \"trip\"");
    assertThat(told.err()).contains("security warning (bob").contains("conflict").contains("\"trip\"");
    assertOneSentenceError(cli.as("dave", "send", "trip", "x"), ExitCodes.NOT_FOUND, "no friend or group");
    CliHarness.check(cli.as("alice", "group", "add", "trip", "dave"));
    CliHarness.check(cli.as("dave", "receive"));
    CliHarness.check(cli.as("dave", "send", "trip", "made it"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).out()).contains("made it");
  }

  /**
   * Issue 19 item 13 (from a newcomer's trial): Carol, removed, has not run receive since, so her client
   * cannot know and says "Sent". Nobody shows that post: not Bob's history, not his receive, not Alice's.
   */
  @Test
  void aPostByARemovedMemberWhoDidNotKnowIsInNobodysHistory() {
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("carol", "receive"));
    CliHarness.check(cli.as("carol", "send", "trip", "before my removal"));
    CliHarness.check(cli.as("alice", "group", "remove", "trip", "carol"));
    cli.as("carol", "send", "trip", "after my removal"); // she cannot know yet
    assertThat(CliHarness.check(cli.as("bob", "history", "trip")).out()).contains("before my removal")
        .doesNotContain("after my removal");
    assertThat(cli.as("bob", "receive").out()).doesNotContain("after my removal");
    assertThat(CliHarness.check(cli.as("bob", "history", "trip")).out()).doesNotContain("after my removal");
    assertThat(CliHarness.check(cli.as("alice", "history", "trip")).out()).doesNotContain("after my removal");
    CliHarness.check(cli.as("carol", "history", "trip")); // reading is how her client learns
    assertOneSentenceError(cli.as("carol", "send", "trip", "again"), ExitCodes.SECURITY, "removed from \"trip\"");
  }
  @Test
  void aStrangerAsksToJoinByLinkAndAnAdminApprovesOrDenies() {
    CliHarness.check(cli.as("bob", "receive"));
    String link = CliHarness.check(cli.as("alice", "group", "link", "trip")).out().strip();
    assertThat(link).startsWith("rcg1:");
    assertOneSentenceError(cli.as("bob", "group", "link", "trip"), ExitCodes.USAGE, "Only an admin");
    cli.init("dave"); // nobody's friend
    cli.init("erin");
    Result asked = CliHarness.check(cli.as("dave", "group", "join", link));
    assertThat(asked.err()).contains("posted");
    CliHarness.check(cli.as("erin", "group", "join", link));
    String daveFingerprint = CliHarness.check(cli.as("dave", "whoami", "--json")).out()
        .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1");
    String erinFingerprint = CliHarness.check(cli.as("erin", "whoami", "--json")).out()
        .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1");
    Result seen = CliHarness.check(cli.as("alice", "receive"));
    assertThat(seen.out()).contains("dave (fingerprint " + daveFingerprint + ") asks to join \"trip\"");
    CliHarness.check(cli.as("alice", "group", "approve", "trip", daveFingerprint.substring(0, 9)));
    CliHarness.check(cli.as("alice", "group", "deny", "trip", erinFingerprint.substring(0, 9)));
    assertThat(CliHarness.check(cli.as("dave", "group", "join", link)).err()).contains("You joined \"trip\"");
    assertThat(CliHarness.check(cli.as("erin", "group", "join", link)).err()).contains("posted");
    assertThat(CliHarness.check(cli.as("alice", "group", "requests", "trip")).err()).contains("Nobody asks");
    CliHarness.check(cli.as("dave", "send", "trip", "thanks for having me"));
    CliHarness.check(cli.as("bob", "receive"));
    assertThat(CliHarness.check(cli.as("bob", "history", "trip")).out()).contains("thanks for having me");
    CliHarness.check(cli.as("alice", "group", "link", "trip", "--revoke"));
    assertOneSentenceError(cli.as("erin", "group", "join", "rcg1:nonsense"), ExitCodes.USAGE, "not a group link");
  }
  @Test
  void everyAdminHoldsTheOpenLinksKnowsWhoMadeThemAndSeesADenialByAnother() {
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("carol", "receive"));
    CliHarness.check(cli.as("alice", "group", "admin", "trip", "bob"));
    CliHarness.check(cli.as("bob", "receive"));
    String link = CliHarness.check(cli.as("alice", "group", "link", "trip")).out().strip();
    assertThat(CliHarness.check(cli.as("bob", "group", "link", "trip", "--list")).out().strip()) // no receive needed
        .isEqualTo(link + "  made by alice");
    JsonObject listed = JsonParser.parseString(CliHarness.check(cli.as("bob", "--json", "group", "link", "trip",
        "--list")).out().strip()).getAsJsonObject();
    assertThat(listed.get("type").getAsString()).isEqualTo("group_link");
    assertThat(listed.get("link").getAsString()).isEqualTo(link);
    assertThat(listed.get("made_by").getAsString()).isEqualTo("alice");
    assertThat(listed.get("maker_fingerprint").getAsString()).isEqualTo(cli.fingerprintOf("alice"));
    CliHarness.check(cli.as("carol", "receive"));
    assertOneSentenceError(cli.as("carol", "group", "link", "trip", "--list"), ExitCodes.USAGE, "Only an admin");

    cli.init("dave");
    CliHarness.check(cli.as("dave", "group", "join", link));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("dave (fingerprint ", "asks to join \"trip\"");
    assertThat(CliHarness.check(cli.as("bob", "group", "requests", "trip")).out()).contains("asks to join \"trip\"");
    Result denied = CliHarness.check(cli.as("bob", "group", "deny", "trip", cli.fingerprintStart("dave")));
    assertThat(denied.err()).contains("Denied dave's request.");
    Result alices = CliHarness.check(cli.as("alice", "group", "requests", "trip"));
    assertThat(alices.out()).isEmpty();
    assertThat(alices.err()).contains("Nobody asks to join \"trip\" through its open link");

    Result unmade = CliHarness.check(cli.as("alice", "group", "admin", "trip", "bob", "--revoke"));
    assertThat(unmade.err()).contains("A join link they held is revoked", "'reschat group link trip' makes a new one");
    assertThat(CliHarness.check(cli.as("alice", "group", "link", "trip", "--list")).err())
        .contains("\"trip\" has no open link");
    CliHarness.check(cli.as("bob", "receive"));
    assertOneSentenceError(cli.as("bob", "group", "requests", "trip"), ExitCodes.USAGE, "Only an admin");
  }

  @Test
  void aFileSentToTheGroupIsDownloadedByAMemberWhoIsNotTheSendersFriend() throws Exception {
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("carol", "receive"));
    byte[] content = new byte[300 * 1024 + 7];
    new java.util.Random(7).nextBytes(content);
    java.nio.file.Path file = dir.resolve("photo.bin");
    java.nio.file.Files.write(file, content);
    CliHarness.check(cli.as("bob", "send", "trip", "--file", file.toString(), "--caption", "for everyone"));
    Result listed = CliHarness.check(cli.as("carol", "--json", "files", "trip"));
    String id = JsonParser.parseString(listed.lines().get(0)).getAsJsonObject().get("id").getAsString();
    java.nio.file.Path target = dir.resolve("carol-got.bin");
    CliHarness.check(cli.as("carol", "download", "trip", id, "-o", target.toString()));
    assertThat(java.nio.file.Files.readAllBytes(target)).isEqualTo(content);
  }
  @Test
  void aGroupIsExportedWithWhoWroteEachMessage() throws Exception {
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("carol", "receive"));
    CliHarness.check(cli.as("alice", "send", "trip", "*not bold* and [no link](http://x)"));
    CliHarness.check(cli.as("bob", "send", "trip", "reply"));
    java.nio.file.Path md = dir.resolve("trip.md");
    CliHarness.check(cli.as("carol", "export", "trip", "-o", md.toString()));
    String text = java.nio.file.Files.readString(md);
    assertThat(text).startsWith("# Group trip").contains("**alice**").contains("reply")
        .contains("```text\n *not bold* and [no link](http://x)\n```"); // inside a fence: never bold, never a link
    java.nio.file.Path json = dir.resolve("trip.json");
    CliHarness.check(cli.as("carol", "export", "trip", "-o", json.toString()));
    JsonObject root = JsonParser.parseString(java.nio.file.Files.readString(json)).getAsJsonObject();
    assertThat(root.get("group").getAsString()).isEqualTo("trip");
    assertThat(root.getAsJsonArray("messages")).anySatisfy(m ->
        assertThat(m.getAsJsonObject().has("sender_fingerprint")).isTrue());
  }
}
