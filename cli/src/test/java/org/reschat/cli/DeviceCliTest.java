package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reschat device link} on the first device and {@code reschat --home NEW device join CODE} on the new one
 * (protocol §15.5): the new device has the identity, friends, nicknames, verified marks, groups, channels and
 * read positions, and reads the whole history; friends see what it sends as Alice's. The code is printed as a
 * QR code too; a check that differs links nothing.
 */
class DeviceCliTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  CliHarness cli;
  DeviceLinking linking;

  @BeforeEach
  void aliceWithALongHistory() {
    cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    String carol = cli.init("carol");
    CliHarness.check(cli.as("alice", "friend", "add", "carol", carol));
    CliHarness.check(cli.as("carol", "friend", "add", "alice", cli.cardOf("alice")));
    CliHarness.check(cli.as("alice", "friend", "verify", "bob", "--mark"));
    for (int i = 0; i < 25; i++) {
      CliHarness.check(cli.as("alice", "send", "bob", "to bob " + i));
      CliHarness.check(cli.as("bob", "send", "alice", "to alice " + i));
    }
    CliHarness.check(cli.as("alice", "group", "create", "trip", "--member", "bob", "--member", "carol"));
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("bob", "send", "trip", "hello trip"));
    CliHarness.check(cli.as("alice", "receive"));
    linking = new DeviceLinking(cli, WAIT);
  }

  /** Runs the link on Alice's first device and the join on {@code home}; returns both results. */
  private CliHarness.Result[] link(String home, String... linkOptions) throws Exception {
    return linking.link("alice", home, linkOptions);
  }

  @Test
  void aDeviceJoinedWithTheCodeHasFriendsGroupsAndReadPositionsAndReadsTheWholeHistory() throws Exception {
    String before = Files.readString(dir.resolve("alice/identity.json"));
    CliHarness.Result[] r = link("laptop");
    assertThat(r[0].code()).as(r[0].toString()).isZero();
    assertThat(r[0].out()).contains("device join rcl1:").contains("\u2588"); // the code, and its QR code
    assertThat(r[0].err()).contains("Linked device 1");
    assertThat(r[1].code()).as(r[1].toString()).isZero();
    assertThat(r[1].err()).contains("device 1").contains("2 friends");
    // Today's profile became device 0 in place: its identity file is as it was (version 2), its feeds too.
    assertThat(Files.readString(dir.resolve("alice/identity.json"))).isEqualTo(before).contains("\"version\": 2");

    // The same identity, as device 1; friends with their nicknames and verified marks; the group.
    assertThat(cli.cardOf("laptop")).isEqualTo(cli.cardOf("alice"));
    assertThat(Files.readString(dir.resolve("laptop/identity.json"))).contains("\"device\": 1");
    String friends = CliHarness.check(cli.as("laptop", "friend", "list")).out();
    assertThat(friends).contains("bob").contains("carol").containsPattern("bob\\s+verified");
    assertThat(CliHarness.check(cli.as("laptop", "group", "list")).out()).contains("trip");
    // The whole history, and nothing already read on the first device arrives as new.
    String history = CliHarness.check(cli.as("laptop", "history", "bob", "--all")).out();
    assertThat(history).contains("me: to bob 0", "bob: to alice 0", "me: to bob 24", "bob: to alice 24");
    assertThat(CliHarness.check(cli.as("laptop", "history", "trip", "--all")).out()).contains("hello trip");
    assertThat(CliHarness.check(cli.as("laptop", "receive")).out()).doesNotContain("to alice");
    assertThat(CliHarness.check(cli.as("laptop", "device", "list")).out())
        .containsPattern("(?m)^0  [0-9a-f]{4} [0-9a-f]{4}  -$").containsPattern("(?m)^1  [0-9a-f]{4} [0-9a-f]{4}  laptop  \\(this device\\)$");

    // Bob is told in his chat with Alice, and sees what the laptop sends as Alice's, at once.
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice linked a device (2 now)");
    CliHarness.check(cli.as("laptop", "send", "bob", "from the laptop"));
    CliHarness.check(cli.as("laptop", "send", "trip", "the laptop in the group"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice: from the laptop")
        .contains("the laptop in the group");
    assertThat(CliHarness.check(cli.as("carol", "receive")).out()).contains("the laptop in the group");
    // And the first device shows it as sent by this person, after all it sent before linking.
    String onPhone = CliHarness.check(cli.as("alice", "history", "bob", "--all")).out();
    assertThat(onPhone).contains("me: to bob 0", "me: from the laptop");
    assertThat(onPhone.indexOf("me: to bob 24")).isLessThan(onPhone.indexOf("me: from the laptop"));
  }

  /** The self channel (protocol §15.6): read positions, and friends kept in step across the devices, both ways. */
  @Test
  void aFriendAddedRenamedVerifiedOrRemovedOnOneDeviceReachesTheOtherAtItsNextReceive() throws Exception {
    CliHarness.Result[] r = link("laptop");
    assertThat(r[1].code()).as(String.valueOf(r[1])).isZero();
    // A read position: what the first device received, the laptop does not receive again (it is in its history).
    CliHarness.check(cli.as("bob", "send", "alice", "read on the phone"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).out()).contains("read on the phone");
    assertThat(CliHarness.check(cli.as("laptop", "receive")).out()).doesNotContain("read on the phone");
    assertThat(CliHarness.check(cli.as("laptop", "history", "bob")).out()).contains("bob: read on the phone");
    String dave = cli.init("dave");
    CliHarness.check(cli.as("alice", "friend", "add", "dave", dave));
    CliHarness.check(cli.as("alice", "friend", "rename", "carol", "caro"));
    CliHarness.check(cli.as("alice", "friend", "verify", "dave", "--mark"));
    CliHarness.Result received = CliHarness.check(cli.as("laptop", "receive"));
    assertThat(received.err()).contains("Your other device added dave", "renamed carol to caro", "marked dave as verified");
    String friends = CliHarness.check(cli.as("laptop", "friend", "list")).out();
    assertThat(friends).containsPattern("dave\\s+verified").contains("caro ").doesNotContain("carol");
    // Each change once: the next receive applies nothing again.
    assertThat(CliHarness.check(cli.as("laptop", "receive")).err()).doesNotContain("Your other device");

    // And back: the laptop removes bob; the first device follows.
    CliHarness.check(cli.as("laptop", "friend", "remove", "bob"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).contains("Your other device removed bob");
    assertThat(CliHarness.check(cli.as("alice", "friend", "list")).out()).doesNotContain("bob");
    // Bob is no friend of either device now.
    assertThat(CliHarness.check(cli.as("laptop", "friend", "list")).out()).doesNotContain("bob");

    // A channel followed on the first device is followed on the laptop too.
    String news = CliHarness.check(cli.as("carol", "channel", "create", "news")).out().strip();
    CliHarness.check(cli.as("carol", "channel", "post", "news", "hello followers"));
    CliHarness.check(cli.as("alice", "channel", "follow", news));
    assertThat(CliHarness.check(cli.as("laptop", "receive")).err()).contains("Your other device followed the channel #news");
    assertThat(CliHarness.check(cli.as("laptop", "channel", "list")).out()).contains(news);

    // A device that follows applies changes as they come, without a new receive.
    CliHarness.Running following = cli.start("laptop", "receive", "--follow", "--interval", "200ms");
    try {
      CliHarness.check(cli.as("alice", "friend", "rename", "dave", "david"));
      following.await("Your other device renamed dave to david", WAIT);
      // Made after that was applied, so the following loop applies this one.
      CliHarness.check(cli.as("alice", "friend", "rename", "david", "dai"));
      following.await("Your other device renamed david to dai", WAIT);
    } finally {
      following.code().cancel(true);
    }
    assertThat(CliHarness.check(cli.as("laptop", "friend", "list")).out()).contains("dai ").doesNotContain("david");
  }

  @Test
  void aCheckThatDiffersLinksNothing() throws Exception {
    CliHarness.Result[] r = link("laptop", "--check", "00000 00000");
    assertThat(r[0].code()).as(r[0].toString()).isEqualTo(ExitCodes.SECURITY);
    assertThat(r[0].err()).contains("Nothing was linked");
    assertThat(dir.resolve("laptop/identity.json")).doesNotExist();
    assertThat(CliHarness.check(cli.as("alice", "device", "list")).out().strip().lines()).hasSize(1);
  }

  @Test
  void aWrongCodeIsRefusedInOneSentenceAndOnlyTheFirstDeviceLinks() throws Exception {
    CliHarness.Result bad = cli.as("tablet", "device", "join", "rcl1:nonsense", "--no-passphrase");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("not a link code");
    assertThat(dir.resolve("tablet/identity.json")).doesNotExist();
    CliHarness.Result[] r = link("laptop");
    assertThat(r[1].code()).as(String.valueOf(r[1])).isZero();
    CliHarness.Result again = cli.as("laptop", "device", "link", "--check", "12345 67890");
    assertThat(again.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).contains("Only your first device");
  }

  /** {@code SELF_GROUP} (§15.6): groups created, joined or left on one device are held or left on the other. */
  @Test
  void aGroupCreatedJoinedOrLeftOnOneDeviceIsHeldOrLeftOnTheOther() throws Exception {
    CliHarness.Result[] r = link("laptop");
    assertThat(r[1].code()).as(String.valueOf(r[1])).isZero();
    CliHarness.check(cli.as("alice", "group", "create", "picnic", "--member", "bob"));
    CliHarness.Result got = CliHarness.check(cli.as("laptop", "receive"));
    assertThat(got.err()).contains("You are in the group \"picnic\" now");
    assertThat(CliHarness.check(cli.as("laptop", "group", "list")).out()).contains("picnic");
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("laptop", "send", "picnic", "the laptop brings bread"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("the laptop brings bread");
    // What needs the identity's key, the laptop refuses in a sentence naming the first device.
    CliHarness.Result create = cli.as("laptop", "group", "create", "other", "--member", "bob");
    assertThat(create.code()).isNotZero();
    assertThat(create.err()).contains("Only your first device");
    // A group Bob made, left on the laptop: left on the first device too.
    CliHarness.check(cli.as("bob", "group", "create", "bobs", "--member", "alice"));
    CliHarness.check(cli.as("laptop", "receive"));
    CliHarness.check(cli.as("alice", "receive"));
    CliHarness.check(cli.as("laptop", "group", "leave", "bobs"));
    CliHarness.check(cli.as("alice", "receive"));
    CliHarness.Result sent = cli.as("alice", "send", "bobs", "still here?");
    assertThat(sent.code()).as(sent.toString()).isNotZero();
    assertThat(sent.err()).contains("You left \"bobs\"");
  }

  /**
   * A group joined on the first device reaches the laptop with how far it was read there (§15.6): what the first
   * device received in it, the laptop does not receive again, though a direct chat's read position came first.
   */
  @Test
  void aGroupJoinedOnOneDeviceReachesTheOtherWithItsReadPositions() throws Exception {
    CliHarness.Result[] r = link("laptop");
    assertThat(r[1].code()).as(String.valueOf(r[1])).isZero();
    CliHarness.check(cli.as("bob", "send", "alice", "a direct message first"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).out()).contains("a direct message first");
    CliHarness.check(cli.as("bob", "group", "create", "ski", "--member", "alice"));
    CliHarness.check(cli.as("bob", "send", "ski", "read on the phone"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).out()).contains("read on the phone");
    CliHarness.check(cli.as("bob", "send", "ski", "new for both"));
    CliHarness.Result got = CliHarness.check(cli.as("laptop", "receive"));
    assertThat(got.err()).contains("You are in the group \"ski\" now");
    assertThat(got.out()).contains("new for both").doesNotContain("read on the phone")
        .doesNotContain("a direct message first");
    assertThat(CliHarness.check(cli.as("laptop", "history", "ski", "--all")).out()).contains("read on the phone",
        "new for both");
  }

  /**
   * The self channel's rotation at a revocation (§15.6, §15.7 step 3), through the commands: the first device
   * links a laptop and a tablet and revokes the tablet; a friend added, one renamed and a group created after
   * that reach the laptop, and the tablet, which holds every identity secret, learns none of them.
   */
  @Test
  void aRevokedDeviceLearnsNoChangeMadeAfterTheRevocationAndTheOthersDo() throws Exception {
    assertThat(link("laptop")[1].code()).isZero();
    CliHarness.Result[] t = link("tablet");
    assertThat(t[1].code()).as(String.valueOf(t[1])).isZero();
    assertThat(CliHarness.check(cli.as("tablet", "device", "list")).out()).containsPattern("(?m)^2 .*tablet  \\(this device\\)$");
    CliHarness.check(cli.as("laptop", "receive"));
    CliHarness.check(cli.as("tablet", "receive"));

    CliHarness.Result revoke = cli.as("alice", "device", "revoke", "2");
    assertThat(revoke.code()).as(revoke.toString()).isZero();
    assertThat(revoke.err()).contains("Revoked device 2").contains("\"tablet\"")
        .contains("Your 1 other device got a new key for what your devices tell each other")
        .contains("device 2 learns none of it from now on");
    String dave = cli.init("dave");
    CliHarness.check(cli.as("alice", "friend", "add", "dave", dave));
    CliHarness.check(cli.as("alice", "friend", "rename", "carol", "caro"));
    CliHarness.check(cli.as("alice", "group", "create", "after", "--member", "bob"));

    CliHarness.Result laptop = CliHarness.check(cli.as("laptop", "receive"));
    assertThat(laptop.err()).contains("Your other device added dave", "renamed carol to caro",
        "You are in the group \"after\" now");
    assertThat(CliHarness.check(cli.as("laptop", "friend", "list")).out()).contains("dave").contains("caro ");
    assertThat(CliHarness.check(cli.as("laptop", "group", "list")).out()).contains("after");

    CliHarness.Result tablet = cli.as("tablet", "receive");
    assertThat(tablet.err()).doesNotContain("Your other device").doesNotContain("\"after\"");
    assertThat(CliHarness.check(cli.as("tablet", "friend", "list")).out()).doesNotContain("dave").contains("carol")
        .doesNotContain("caro ");
    assertThat(CliHarness.check(cli.as("tablet", "group", "list")).out()).doesNotContain("after");
    // And the laptop keeps telling the first device, in the new epoch.
    CliHarness.check(cli.as("laptop", "friend", "rename", "dave", "david"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).contains("Your other device renamed dave to david");
    assertThat(cli.as("tablet", "receive").err()).doesNotContain("david");
  }

  /**
   * Receive exists once: the daemon's background receive applies the other devices' changes as {@code reschat
   * receive} does (the core's receiver delivers them, {@link SelfSync} applies them) and notifies its clients.
   */
  @Test
  void theDaemonAppliesTheOtherDevicesChangesAndNotifiesThem() throws Exception {
    CliHarness.Result[] r = link("laptop");
    assertThat(r[1].code()).as(String.valueOf(r[1])).isZero();
    cli.env.put("RESCHAT_POLL_INTERVAL", "200ms");
    Path socket = dir.resolve("laptop").resolve("daemon.sock");
    CliHarness.Running daemon = cli.start("laptop", "daemon");
    try (DaemonConnection rpc = connect(socket, daemon)) {
      String dave = cli.init("dave");
      CliHarness.check(cli.as("alice", "friend", "add", "dave", dave));
      // Read on a thread of its own, so a notification that never comes fails the test instead of hanging it.
      java.util.concurrent.FutureTask<String> device = new java.util.concurrent.FutureTask<>(() -> {
        while (true) {
          com.google.gson.JsonObject o = rpc.next();
          if (o.has("method") && o.get("method").getAsString().equals("device")) {
            return o.toString();
          }
        }
      });
      Thread reader = new Thread(device, "device notifications");
      reader.setDaemon(true);
      reader.start();
      String note = device.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      assertThat(note).contains("Your other device added dave to your friends.");
    } finally {
      daemon.code().cancel(true);
    }
    for (long end = System.nanoTime() + WAIT.toNanos(); Files.exists(socket) && System.nanoTime() < end; ) {
      Thread.sleep(20); // the daemon stops: its socket goes
    }
    assertThat(CliHarness.check(cli.as("laptop", "friend", "list")).out()).contains("dave");
    // Applied once: a receive afterwards has nothing of it left.
    assertThat(CliHarness.check(cli.as("laptop", "receive")).err()).doesNotContain("Your other device");
  }

  /** {@code device.link} on the first device's daemon: a code, then the check the new device shows links it. */
  @Test
  void theDaemonLinksADeviceWithACodeAndTheCheckItShows() throws Exception {
    Path socket = dir.resolve("alice").resolve("daemon.sock");
    CliHarness.Running daemon = cli.start("alice", "daemon", "--manual-receive");
    try (DaemonConnection rpc = connect(socket, daemon)) {
      java.util.function.Function<String, com.google.gson.JsonObject> call = params -> {
        try {
          return rpc.call("device.link", params);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      };
      assertThat(call.apply("{\"check\":\"00000 00000\"}").toString()).contains("No link code is waiting");
      // A check that is not the one the requesting device shows links nothing and spends the code.
      String first = call.apply("{}").getAsJsonObject("result").get("code").getAsString();
      CliHarness.Running decoy = cli.start("tablet", "device", "join", first, "--name", "tablet", "--no-passphrase",
          "--poll-millis", "20");
      try {
        decoy.await("[0-9]{5} [0-9]{5}", WAIT);
        com.google.gson.JsonObject refused = call.apply("{\"check\":\"00000 00000\"}");
        for (long end = System.nanoTime() + WAIT.toNanos(); refused.toString().contains("No new device has used")
            && System.nanoTime() < end; ) {
          Thread.sleep(50); // the request reaches the code's board
          refused = call.apply("{\"check\":\"00000 00000\"}");
        }
        assertThat(refused.toString()).contains("nothing was linked").contains("\"exit_code\":4");
        assertThat(call.apply("{\"check\":\"00000 00000\"}").toString()).contains("No link code is waiting");
      } finally {
        decoy.code().cancel(true);
      }
      com.google.gson.JsonObject made = call.apply("{}").getAsJsonObject("result");
      assertThat(made.get("type").getAsString()).isEqualTo("link_code");
      String code = made.get("code").getAsString();
      assertThat(code).startsWith("rcl1:");
      assertThat(call.apply("{\"check\":\"00000 00000\"}").toString()).contains("No new device has used the code yet");
      CliHarness.Running join = cli.start("laptop", "device", "join", code, "--name", "laptop", "--no-passphrase",
          "--poll-millis", "20");
      String check = join.await("[0-9]{5} [0-9]{5}", WAIT);
      com.google.gson.JsonObject linked = call.apply("{\"check\":\"" + check + "\"}");
      for (long end = System.nanoTime() + WAIT.toNanos(); linked.has("error") && System.nanoTime() < end; ) {
        Thread.sleep(50); // the request reaches the code's board
        linked = call.apply("{\"check\":\"" + check + "\"}");
      }
      assertThat(linked.has("result")).as(linked.toString()).isTrue();
      assertThat(linked.getAsJsonObject("result").get("number").getAsInt()).isEqualTo(1);
      assertThat(join.result(WAIT).code()).isZero();
      // The code is spent.
      assertThat(call.apply("{\"check\":\"" + check + "\"}").toString()).contains("No link code is waiting");
    } finally {
      daemon.code().cancel(true);
    }
    assertThat(cli.cardOf("laptop")).isEqualTo(cli.cardOf("alice"));
    assertThat(CliHarness.check(cli.as("laptop", "friend", "list")).out()).contains("bob").contains("carol");
  }

  /** Connects to the daemon's socket once it listens: a failure saying what it wrote if it ended, or after WAIT. */
  private static DaemonConnection connect(Path socket, CliHarness.Running daemon) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    return DaemonConnection.open(socket, () -> {
      if (daemon.code().isDone()) {
        throw new AssertionError("the daemon ended:\n" + daemon.out() + daemon.err());
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("the daemon did not listen within " + WAIT);
      }
      return true;
    });
  }

  @Test
  void aRevokedDeviceWritingOnIsShownByNobodyAndWhoamiAndFriendShowListTheDevices() throws Exception {
    CliHarness.Result[] r = link("laptop");
    assertThat(r[1].code()).as(String.valueOf(r[1])).isZero();
    CliHarness.check(cli.as("laptop", "send", "bob", "before the revocation"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice: before the revocation");
    String whoami = CliHarness.check(cli.as("laptop", "whoami")).out();
    assertThat(whoami).contains("device:      1 (a linked device)").containsPattern("(?m)^  1  [0-9a-f ]{9}  -  \\(this device\\)$");
    assertThat(CliHarness.check(cli.as("alice", "whoami", "--json")).out()).contains("\"device\":0").contains("\"devices\":[");

    CliHarness.Result revoke = cli.as("alice", "device", "revoke", "1");
    assertThat(revoke.code()).as(revoke.toString()).isZero();
    assertThat(revoke.err()).contains("Revoked device 1").contains("laptop").contains("make a new identity")
        .contains("Device 1 learns none of the changes your devices tell each other")
        .contains("bob's client has not yet taken the new key: what you send bob is still readable by the revoked device");
    // Bob's profile opened read-only reads the new key's announcement and writes nothing (no acknowledgement).
    CliHarness.Result readOnly = cli.as("bob", "--read-only", "history", "alice", "--all");
    assertThat(readOnly.code()).as(readOnly.toString()).isZero();
    assertThat(readOnly.out()).contains("alice started a new key for this chat");
    // The laptop has not read the news and writes on: nobody shows it.
    CliHarness.check(cli.as("laptop", "send", "bob", "after the revocation"));
    String atBob = CliHarness.check(cli.as("bob", "receive")).out();
    assertThat(atBob).contains("alice revoked a device (1 now)").doesNotContain("after the revocation")
        .contains("alice started a new key for this chat (a device was revoked)");
    assertThat(CliHarness.check(cli.as("bob", "history", "alice", "--all")).out()).contains("before the revocation")
        .doesNotContain("after the revocation");
    assertThat(CliHarness.check(cli.as("alice", "history", "bob", "--all")).out()).doesNotContain("after the revocation");
    assertThat(CliHarness.check(cli.as("bob", "friend", "show", "alice")).out()).contains("devices:     2")
        .containsPattern("(?m)^  1  [0-9a-f ]{9}  -  \\(revoked\\)$");
    assertThat(CliHarness.check(cli.as("alice", "device", "list", "--json")).out()).contains("\"revoked\":true")
        .contains("\"not_yet_rekeyed\":[\"carol\"]"); // Bob took his at his receive above
    assertThat(CliHarness.check(cli.as("alice", "device", "list")).err())
        .contains("carol's client has not yet taken the new key").doesNotContain("bob's client");
    // Once it has read the news, the laptop's client says so instead of sending.
    CliHarness.check(cli.as("laptop", "receive"));
    CliHarness.Result refused = cli.as("laptop", "send", "bob", "still here?");
    assertThat(refused.code()).isEqualTo(ExitCodes.SECURITY);
    assertThat(refused.err()).contains("revoked");
    // Bob's client took the new key at his receive above; once Alice's has seen it, both write where the laptop
    // cannot read (protocol §3.1), and the chat reads as one on both sides.
    assertThat(CliHarness.check(cli.as("alice", "receive")).out()).contains("bob took the new key of this chat");
    CliHarness.check(cli.as("alice", "send", "bob", "under the new key"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice: under the new key");
    assertThat(CliHarness.check(cli.as("bob", "history", "alice", "--all")).out()).contains("before the revocation")
        .contains("under the new key");
    assertThat(CliHarness.check(cli.as("laptop", "history", "bob", "--all")).out()).contains("before the revocation")
        .doesNotContain("under the new key");
    // Again: no second notice, only a new self epoch (the retry of a rotation whose write failed).
    CliHarness.Result again = cli.as("alice", "device", "revoke", "1");
    assertThat(again.code()).isZero();
    assertThat(again.err()).doesNotContain("bob's client has not yet taken") // Bob has it; Carol has not read hers
        .contains("carol's client has not yet taken the new key");
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).doesNotContain("revoked a device");
    assertThat(cli.as("alice", "device", "revoke", "7").code()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void aProfileBackupTakenAfterARevocationKeepsTheChatsNewKeys() throws Exception {
    CliHarness.Result[] r = link("laptop");
    assertThat(r[1].code()).as(String.valueOf(r[1])).isZero();
    CliHarness.check(cli.as("alice", "device", "revoke", "1"));
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("alice", "receive"));
    CliHarness.check(cli.as("alice", "send", "bob", "under the new key"));
    restore(backUp("alice"), "alice-again");
    assertThat(CliHarness.check(cli.as("alice-again", "history", "bob", "--all")).out()).contains("under the new key");
    CliHarness.check(cli.as("alice-again", "send", "bob", "back from the backup"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice: back from the backup");
    assertThat(CliHarness.check(cli.as("laptop", "history", "bob", "--all")).out()).doesNotContain("under the new key")
        .doesNotContain("back from the backup");
  }

  /**
   * Once both people wrote in the new epoch, each retires the old one from receive (protocol §3.1, "Retiring an
   * epoch"): the mark, with when receive last read the epoch, is a device record on disk, read by every later process,
   * and in a profile backup; history of the restored profile still shows the old epoch's messages, and its receive
   * what came after the backup. Receive reads the retired epoch again, and writes the time, only once 10 minutes
   * passed since the time on disk: a restart or a restore does not start it anew.
   */
  @Test
  void theMarkOfARetiredEpochIsOnDiskAndInTheProfileBackup() throws Exception {
    java.time.Instant start = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    cli.clock = java.time.Clock.fixed(start, java.time.ZoneOffset.UTC);
    CliHarness.Result[] r = link("laptop");
    assertThat(r[1].code()).as(String.valueOf(r[1])).isZero();
    CliHarness.check(cli.as("alice", "device", "revoke", "1"));
    CliHarness.check(cli.as("bob", "receive")); // takes the new key and writes there
    CliHarness.check(cli.as("alice", "receive")); // sees Bob there, writes her notice there: retires the old one
    CliHarness.check(cli.as("bob", "receive")); // sees Alice there: retires it too
    Path alices = dir.resolve("alice/state/devices/retired.record");
    String retiredAtStart = "\\{\"v\":1,\"epochs\":\\[\"([A-Za-z0-9_-]+)\"\\],\"read\":\\{\"\\1\":"
        + start.toEpochMilli() + "\\}\\}";
    assertThat(Files.readString(alices)).matches(retiredAtStart);
    assertThat(Files.readString(dir.resolve("bob/state/devices/retired.record"))).isEqualTo(Files.readString(alices));
    CliHarness.check(cli.as("bob", "send", "alice", "after retiring"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).out()).contains("bob: after retiring");

    restore(backUp("alice"), "alice-again");
    Path restored = dir.resolve("alice-again/state/devices/retired.record");
    assertThat(Files.readString(restored)).isEqualTo(Files.readString(alices));
    assertThat(CliHarness.check(cli.as("alice-again", "history", "bob", "--all")).out())
        .contains("to alice 0", "to bob 24", "after retiring");
    cli.clock = java.time.Clock.fixed(start.plus(java.time.Duration.ofMinutes(9)), java.time.ZoneOffset.UTC);
    CliHarness.check(cli.as("bob", "send", "alice", "after the backup"));
    assertThat(CliHarness.check(cli.as("alice-again", "receive")).out()).contains("bob: after the backup")
        .doesNotContain("after retiring").doesNotContain("to alice 0");
    assertThat(Files.readString(restored)).matches(retiredAtStart); // not read: 9 minutes since the backup's time

    java.time.Instant later = start.plus(java.time.Duration.ofMinutes(10));
    cli.clock = java.time.Clock.fixed(later, java.time.ZoneOffset.UTC);
    assertThat(CliHarness.check(cli.as("alice-again", "receive")).out()).doesNotContain("to alice 0");
    assertThat(Files.readString(restored)).contains("\"read\":{").endsWith(":" + later.toEpochMilli() + "}}");
    assertThat(Files.readString(alices)).matches(retiredAtStart); // each profile its own time

    // A damaged mark stops a receive with one sentence naming the file, and is left as it is.
    Files.writeString(alices, "{\"v\":1,\"epochs\":7}");
    CliHarness.Result damaged = cli.as("alice", "receive");
    assertThat(damaged.code()).as(damaged.err()).isEqualTo(7);
    assertThat(damaged.err()).isEqualTo("reschat: This device's record of the direct chats' epochs it no longer"
        + " receives in (state/devices/retired.record) is damaged; move it aside: every epoch is read again until"
        + " retired anew.\n");
    assertThat(Files.readString(alices)).isEqualTo("{\"v\":1,\"epochs\":7}");
  }

  private static final String BACKUP_PASSPHRASE = "violet harbour kettle onions";

  /** {@code profile backup} of {@code who}'s profile, sealed with {@link #BACKUP_PASSPHRASE}. */
  private Path backUp(String who) throws Exception {
    Path passphrase = Files.writeString(dir.resolve("backup-passphrase"), BACKUP_PASSPHRASE + "\n");
    Path backup = dir.resolve(who + ".backup");
    CliHarness.check(cli.as(who, "profile", "backup", backup.toString(), "--new-passphrase-file",
        passphrase.toString(), "--argon2-memory", "19456", "--force"));
    return backup;
  }

  /** {@code profile restore} of {@code backup} into the profile {@code into}; its keys open with the backup passphrase. */
  private void restore(Path backup, String into) {
    cli.env.put("RESCHAT_PASSPHRASE", BACKUP_PASSPHRASE);
    CliHarness.check(cli.as(into, "profile", "restore", backup.toString()));
  }

  /** The profile {@code who} is lost: its directory is gone. */
  private void lose(String who) throws Exception {
    try (java.util.stream.Stream<Path> all = Files.walk(dir.resolve(who))) {
      for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  /**
   * Issue 23: the first device, restored from a backup made after it linked two devices and revoked one, still
   * holds what its devices need: the self channel's newer epoch (the laptop learns its changes, the tablet does
   * not), its device key DX_0 and the device list it signed (a new device links as device 3 and one more is
   * revoked), and it reads what the laptop tells it.
   */
  @Test
  void aFirstDeviceRestoredFromItsBackupAfterLinkingAndRevokingKeepsItsDevicesInStep() throws Exception {
    assertThat(link("laptop")[1].code()).isZero();
    assertThat(link("tablet")[1].code()).isZero();
    CliHarness.check(cli.as("laptop", "receive"));
    CliHarness.check(cli.as("tablet", "receive"));
    CliHarness.check(cli.as("alice", "device", "revoke", "2"));
    Path backup = backUp("alice");
    lose("alice");
    restore(backup, "alice");

    String dave = cli.init("dave");
    CliHarness.check(cli.as("alice", "friend", "add", "dave", dave));
    CliHarness.check(cli.as("alice", "group", "create", "after", "--member", "bob"));
    CliHarness.Result laptop = CliHarness.check(cli.as("laptop", "receive"));
    assertThat(laptop.err()).contains("Your other device added dave", "You are in the group \"after\" now");
    assertThat(cli.as("tablet", "receive").err()).doesNotContain("dave").doesNotContain("\"after\"");
    CliHarness.check(cli.as("laptop", "friend", "rename", "dave", "david"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).contains("Your other device renamed dave to david");

    CliHarness.Result[] desk = link("desk");
    assertThat(desk[0].code()).as(desk[0].toString()).isZero();
    assertThat(desk[0].err()).contains("Linked device 3");
    assertThat(desk[1].code()).as(String.valueOf(desk[1])).isZero();
    assertThat(CliHarness.check(cli.as("desk", "friend", "list")).out()).contains("david");
    CliHarness.Result revoke = cli.as("alice", "device", "revoke", "1");
    assertThat(revoke.code()).as(revoke.toString()).isZero();
    assertThat(CliHarness.check(cli.as("alice", "device", "list", "--json")).out())
        .containsPattern("\\{[^}]*\"number\":3[^}]*\"revoked\":false")
        .containsPattern("\\{[^}]*\"number\":2[^}]*\"revoked\":true")
        .containsPattern("\\{[^}]*\"number\":1[^}]*\"revoked\":true");
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice revoked a device (2 now)");
    assertThat(CliHarness.check(cli.as("bob", "friend", "show", "alice")).out()).contains("devices:     4")
        .containsPattern("(?m)^  3  [0-9a-f ]{9}  -$");

    String erin = cli.init("erin");
    CliHarness.check(cli.as("alice", "friend", "add", "erin", erin));
    assertThat(CliHarness.check(cli.as("desk", "receive")).err()).contains("Your other device added erin");
    assertThat(cli.as("laptop", "receive").err()).doesNotContain("erin");
    CliHarness.check(cli.as("desk", "friend", "rename", "erin", "erina"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).contains("Your other device renamed erin to erina");
    CliHarness.check(cli.as("desk", "send", "bob", "from the desk"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice: from the desk");
  }

  /** A linked device's backup keeps its device records too: restored, the laptop reads and tells in the newest epoch. */
  @Test
  void aLinkedDeviceRestoredFromItsBackupAfterARevocationStaysInStep() throws Exception {
    laptopLinkedTabletRevoked();
    Path backup = backUp("laptop");
    lose("laptop");
    restore(backup, "laptop");
    assertThat(CliHarness.check(cli.as("laptop", "whoami")).out()).contains("device:      1 (a linked device)");
    String dave = cli.init("dave");
    CliHarness.check(cli.as("alice", "friend", "add", "dave", dave));
    assertThat(CliHarness.check(cli.as("laptop", "receive")).err()).contains("Your other device added dave");
    CliHarness.check(cli.as("laptop", "friend", "rename", "dave", "davy"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).contains("Your other device renamed dave to davy");
    assertThat(cli.as("tablet", "receive").err()).doesNotContain("dave").doesNotContain("davy");
  }

  /** Alice links a laptop and a tablet and revokes the tablet: the self channel is in its second epoch. */
  private void laptopLinkedTabletRevoked() throws Exception {
    assertThat(link("laptop")[1].code()).isZero();
    assertThat(link("tablet")[1].code()).isZero();
    CliHarness.check(cli.as("laptop", "receive"));
    CliHarness.check(cli.as("tablet", "receive"));
    CliHarness.check(cli.as("alice", "device", "revoke", "2"));
    CliHarness.check(cli.as("laptop", "receive")); // the laptop writes in the new epoch from now on
  }

  /**
   * The keys alone ({@code identity export}) restored as device 0 after devices were linked and one revoked
   * (protocol §15.11): it has no self epoch after epoch 0 and no DX_0. What it changes reaches the laptop (which
   * reads every epoch it holds), what the laptop changes does not reach it, and it says so; linking a device
   * extends the ledger's list (no rollback, no second DX_0) and gives every device a new self epoch.
   */
  @Test
  void theIdentityAloneRestoredAsDeviceZeroSaysWhatItMissesAndLinkingPutsItBackInStep() throws Exception {
    laptopLinkedTabletRevoked();
    Path passphrase = Files.writeString(dir.resolve("backup-passphrase"), BACKUP_PASSPHRASE + "\n");
    Path keys = dir.resolve("alice-keys.json");
    CliHarness.check(cli.as("alice", "identity", "export", keys.toString(), "--new-passphrase-file",
        passphrase.toString(), "--argon2-memory", "19456"));
    lose("alice");
    cli.env.put("RESCHAT_PASSPHRASE", BACKUP_PASSPHRASE);
    CliHarness.check(cli.as("alice", "identity", "import", keys.toString()));
    CliHarness.check(cli.as("alice", "friend", "add", "bob", cli.cardOf("bob")));
    CliHarness.check(cli.as("alice", "receive")); // reads its device list: until then it tells its devices nothing

    String dave = cli.init("dave");
    CliHarness.check(cli.as("alice", "friend", "add", "dave", dave));
    assertThat(CliHarness.check(cli.as("laptop", "receive")).err()).contains("Your other device added dave");
    CliHarness.check(cli.as("laptop", "friend", "rename", "carol", "caro"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).doesNotContain("Your other device")
        .contains("This device lacks the newer key your devices tell each other things under");
    CliHarness.Result list = CliHarness.check(cli.as("alice", "device", "list"));
    assertThat(list.out()).containsPattern("(?m)^1  [0-9a-f ]{9}  -$").containsPattern("(?m)^2 .*\\(revoked\\)$");
    assertThat(list.err()).contains("This device lacks the newer key your devices tell each other things under")
        .contains("'reschat device revoke 2'");
    assertThat(CliHarness.check(cli.as("alice", "device", "list", "--json")).out()).contains("\"misses_self_epochs\":true");

    CliHarness.Result[] desk = link("desk");
    assertThat(desk[0].code()).as(desk[0].toString()).isZero();
    assertThat(desk[0].err()).contains("Linked device 3"); // the ledger's list, extended: 1 and 2 are still there
    assertThat(desk[1].code()).as(String.valueOf(desk[1])).isZero();
    assertThat(CliHarness.check(cli.as("alice", "device", "list")).err()).doesNotContain("lacks the newer key");
    CliHarness.check(cli.as("laptop", "receive")); // the link's notice, and the new self epoch
    assertThat(CliHarness.check(cli.as("laptop", "device", "list")).out()).containsPattern("(?m)^3  [0-9a-f ]{9}  -$")
        .containsPattern("(?m)^2 .*\\(revoked\\)$");
    CliHarness.check(cli.as("laptop", "friend", "rename", "dave", "davy"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).contains("Your other device renamed dave to davy")
        .doesNotContain("lacks the newer key");
    assertThat(CliHarness.check(cli.as("desk", "receive")).err()).contains("Your other device renamed dave to davy");
    assertThat(cli.as("tablet", "receive").err()).doesNotContain("davy");
  }

  /**
   * A backup made before backups kept every device record (it has only {@code pairs.record}) restores as before,
   * as a device 0 without its self epochs; {@code device revoke} of the revoked device again puts its devices
   * back in step.
   */
  @Test
  void aBackupWithoutTheDeviceRecordsRestoresAsBeforeAndRevokingAgainPutsItBackInStep() throws Exception {
    laptopLinkedTabletRevoked();
    Path backup = backUp("alice");
    keepOnly(backup, "state/devices/pairs.record");
    lose("alice");
    restore(backup, "alice");
    assertThat(CliHarness.check(cli.as("alice", "friend", "list")).out()).contains("bob", "carol");
    CliHarness.check(cli.as("laptop", "friend", "rename", "carol", "caro"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).doesNotContain("Your other device");
    assertThat(CliHarness.check(cli.as("alice", "device", "list")).err()).contains("lacks the newer key");

    CliHarness.check(cli.as("alice", "device", "revoke", "2"));
    assertThat(CliHarness.check(cli.as("alice", "device", "list")).err()).doesNotContain("lacks the newer key");
    CliHarness.check(cli.as("laptop", "receive"));
    CliHarness.check(cli.as("laptop", "friend", "rename", "bob", "bobby"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).contains("Your other device renamed bob to bobby");
    assertThat(cli.as("tablet", "receive").err()).doesNotContain("bobby");
  }

  /** Rewrites {@code backup} as this version's did before: of the device records, only {@code kept}. */
  private static void keepOnly(Path backup, String kept) throws Exception {
    byte[] aad = "reschat/v2 profile backup".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(backup)).getAsJsonObject();
    byte[] zip = org.reschat.core.identity.PassphraseSeal.openFrom(o, BACKUP_PASSPHRASE.toCharArray(), aad);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    int dropped = 0;
    try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip));
        java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
      for (java.util.zip.ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().startsWith("state/devices/") && !e.getName().equals(kept)) {
          dropped++;
          continue;
        }
        out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
        out.write(in.readAllBytes());
        out.closeEntry();
      }
    }
    assertThat(dropped).as("own, self and list records were in the backup").isGreaterThanOrEqualTo(3);
    com.google.gson.JsonObject older = new com.google.gson.JsonObject();
    older.addProperty("format", o.get("format").getAsString());
    older.addProperty("version", 1);
    older.addProperty("fingerprint", o.get("fingerprint").getAsString());
    org.reschat.core.identity.PassphraseSeal.sealInto(older, BACKUP_PASSPHRASE.toCharArray(), 19456, aad, bytes.toByteArray());
    Files.writeString(backup, older.toString());
  }
}
