package org.reschat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reschat jsonrpc} and {@code reschat daemon}: JSON-RPC 2.0 over stdio and a Unix socket, end to end. */
class DaemonTest {
  @TempDir
  Path tmp;

  private static List<JsonObject> parseLines(String out) {
    List<JsonObject> list = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        JsonElement e = JsonParser.parseString(line);
        if (e.isJsonArray()) {
          e.getAsJsonArray().forEach(x -> list.add(x.getAsJsonObject()));
        } else {
          list.add(e.getAsJsonObject());
        }
      }
    }
    return list;
  }

  @Test
  void jsonrpcOverStdioSendsAndAnswersWithTheFieldsOfSendJson() {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    h.stdin = String.join("\n",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"send\",\"params\":{\"to\":\"bob\",\"text\":\"-hello from a script\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"h\",\"method\":\"history\",\"params\":{\"friend\":\"bob\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"send\",\"params\":{\"to\":\"nobody\",\"text\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"sned\",\"params\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"send\",\"params\":{\"to\":\"bob\"}}",
        "not json",
        "{\"jsonrpc\":\"2.0\",\"method\":\"whoami\"}",
        "[{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"friend.list\"},{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"whoami\"}]",
        "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"send\",\"params\":[\"bob\",\"x\"]}",
        "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"search\",\"params\":{\"text\":\"SCRIPT\"}}",
        "");
    CliHarness.Result r = h.as("alice", "jsonrpc", "--manual-receive");
    assertEquals(0, r.code(), r.toString());
    List<JsonObject> answers = parseLines(r.out());
    assertEquals(10, answers.size(), r.toString()); // the notification got no answer; the batch two

    JsonObject sent = answers.get(0).getAsJsonObject("result");
    assertEquals(1, answers.get(0).get("id").getAsInt());
    assertEquals("sent", sent.get("type").getAsString());
    assertEquals("bob", sent.get("friend").getAsString());
    assertEquals("confirmed", sent.get("status").getAsString());
    assertEquals(0, sent.get("pending").getAsInt());
    assertTrue(sent.has("id") && sent.has("sent_at") && sent.has("problem"), sent.toString());

    JsonArray history = answers.get(1).getAsJsonArray("result");
    assertEquals("h", answers.get(1).get("id").getAsString());
    assertEquals("-hello from a script", history.get(history.size() - 1).getAsJsonObject().get("text").getAsString());

    JsonObject unknownFriend = answers.get(2).getAsJsonObject("error");
    assertEquals(-32003, unknownFriend.get("code").getAsInt());
    assertEquals(3, unknownFriend.getAsJsonObject("data").get("exit_code").getAsInt());
    assertTrue(unknownFriend.get("message").getAsString().contains("nobody"), unknownFriend.toString());

    assertEquals(-32601, answers.get(3).getAsJsonObject("error").get("code").getAsInt());
    assertEquals(-32602, answers.get(4).getAsJsonObject("error").get("code").getAsInt());
    assertTrue(answers.get(4).getAsJsonObject("error").get("message").getAsString().contains("\"text\""));
    assertEquals(-32700, answers.get(5).getAsJsonObject("error").get("code").getAsInt());
    assertTrue(answers.get(5).get("id").isJsonNull());
    assertEquals(6, answers.get(6).get("id").getAsInt());
    assertEquals("bob", answers.get(6).getAsJsonArray("result").get(0).getAsJsonObject().get("nickname").getAsString());
    assertEquals("identity", answers.get(7).getAsJsonObject("result").get("type").getAsString());
    assertEquals(-32602, answers.get(8).getAsJsonObject("error").get("code").getAsInt());
    assertEquals("-hello from a script", answers.get(9).getAsJsonArray("result").get(0).getAsJsonObject().get("text").getAsString());

    // The message really went out: bob receives it, once.
    CliHarness.Result got = h.as("bob", "--json", "receive");
    assertEquals(0, got.code(), got.toString());
    assertTrue(got.out().contains("-hello from a script"), got.toString());
  }

  @Test
  void groupsAreMethodsToo() {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    h.stdin = String.join("\n",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"group.create\",\"params\":{\"name\":\"ops\",\"members\":[\"bob\"]}}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"send\",\"params\":{\"to\":\"ops\",\"text\":\"deploy at 5\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"group.show\",\"params\":{\"name\":\"ops\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"group.link\",\"params\":{\"name\":\"ops\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"group.create\",\"params\":{\"name\":\"x\",\"members\":\"bob\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"group.links\",\"params\":{\"name\":\"ops\"}}",
        "");
    CliHarness.Result r = h.as("alice", "jsonrpc", "--manual-receive");
    assertEquals(0, r.code(), r.toString());
    List<JsonObject> answers = parseLines(r.out());
    assertEquals("group", answers.get(0).getAsJsonObject("result").get("type").getAsString());
    assertEquals("ops", answers.get(1).getAsJsonObject("result").get("friend").getAsString());
    assertEquals(3, answers.get(2).getAsJsonArray("result").size()); // the group, then its two members
    assertTrue(answers.get(3).getAsJsonObject("result").get("link").getAsString().startsWith("rcg1:"));
    assertEquals(-32602, answers.get(4).getAsJsonObject("error").get("code").getAsInt());
    JsonObject open = answers.get(5).getAsJsonArray("result").get(0).getAsJsonObject(); // the link, and who made it
    assertEquals(answers.get(3).getAsJsonObject("result").get("link").getAsString(), open.get("link").getAsString());
    assertEquals("me", open.get("made_by").getAsString());
    CliHarness.Result bob = h.as("bob", "receive");
    assertTrue(bob.out().contains("deploy at 5"), bob.toString());
  }

  @Test
  void messageRequestsAreMethodsToo() {
    CliHarness h = new CliHarness(tmp);
    h.strangerWrites("bob", "alice", "hi from a stranger");
    String fp = h.fingerprintStart("bob");
    h.stdin = String.join("\n",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"requests\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"requests.accept\",\"params\":{\"fingerprint\":\"" + fp
            + "\",\"nick\":\"bob\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"requests\"}",
        "");
    CliHarness.Result r = h.as("alice", "jsonrpc", "--manual-receive");
    assertEquals(0, r.code(), r.toString());
    List<JsonObject> answers = parseLines(r.out());
    JsonObject request = answers.get(0).getAsJsonArray("result").get(0).getAsJsonObject();
    assertEquals("hi from a stranger", request.getAsJsonArray("messages").get(0).getAsJsonObject().get("text").getAsString());
    assertEquals("bob", answers.get(1).getAsJsonObject("result").get("nickname").getAsString());
    assertEquals(0, answers.get(2).getAsJsonArray("result").size());
  }

  @Test
  void theDaemonAnswersOnAPrivateSocketAndNotifiesArrivingMessages() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    Path socket = tmp.resolve("alice").resolve("daemon.sock");
    StringWriter daemonErr = new StringWriter();
    CliContext ctx = CliContext.builder().env(h.env).err(new PrintWriter(daemonErr, true)).zone(ZoneOffset.UTC).build();
    int[] exit = {-1};
    Thread daemon = new Thread(() -> exit[0] = Cli.run(ctx, "--home", tmp.resolve("alice").toString(),
        "daemon", "--interval-for-tests"), "test-daemon");
    // --interval-for-tests does not exist: the first run proves a bad option is exit 2 before binding.
    daemon.start();
    daemon.join();
    assertEquals(2, exit[0]);
    assertFalse(Files.exists(socket));

    daemon = new Thread(() -> exit[0] = Cli.run(ctx, "--home", tmp.resolve("alice").toString(), "daemon"), "test-daemon");
    daemon.start();
    try {
      DaemonConnection rpc = DaemonConnection.open(socket, daemon::isAlive);
      assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(socket));

      // A second daemon on the same profile refuses to start, and leaves the first one's socket alone.
      CliHarness.Result second = h.as("alice", "daemon");
      assertEquals(ExitCodes.LOCAL, second.code(), second.toString());
      assertTrue(second.err().contains("already running"), second.toString());

      try (rpc) {
        JsonObject answer = rpc.call("send", "{\"to\":\"bob\",\"text\":\"via the daemon\"}");
        assertEquals("confirmed", answer.getAsJsonObject("result").get("status").getAsString(), answer.toString());

        // bob answers from his own process; the daemon's background receive notifies alice's script.
        HarnessCheck.ok(h.as("bob", "send", "alice", "a reply for the script"));
        JsonObject note;
        do {
          note = rpc.next();
        } while (!"receive".equals(note.has("method") ? note.get("method").getAsString() : null)
            || !"message".equals(note.getAsJsonObject("params").get("type").getAsString()));
        assertFalse(note.has("id"), note.toString());
        assertEquals("a reply for the script", note.getAsJsonObject("params").get("text").getAsString());
        assertEquals("bob", note.getAsJsonObject("params").get("friend").getAsString());
      }
      assertTrue(h.as("bob", "history", "alice").out().contains("via the daemon"));
    } finally {
      daemon.interrupt();
      daemon.join();
    }
    assertEquals(0, exit[0], daemonErr.toString());
    assertFalse(Files.exists(socket), "the socket is removed when the daemon stops");
  }

  @Test
  void aDaemonProcessAnswersAndRemovesItsSocketOnSigterm() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    Path socket = tmp.resolve("alice").resolve("daemon.sock");
    Process daemon = daemonProcess(h, "alice");
    try {
      try (DaemonConnection rpc = DaemonConnection.open(socket, daemon::isAlive)) {
        JsonObject answer = rpc.call("send", "{\"to\":\"bob\",\"text\":\"from a daemon process\"}");
        assertEquals("confirmed", answer.getAsJsonObject("result").get("status").getAsString(), answer.toString());
      }
      assertTrue(h.as("bob", "receive").out().contains("from a daemon process"));
    } finally {
      daemon.destroy(); // SIGTERM, as a service manager stops it
      daemon.waitFor();
    }
    assertFalse(Files.exists(socket), "the shutdown hook removes the socket:\n" + Files.readString(tmp.resolve("daemon.log")));
  }

  /**
   * The daemon keeps each group's state opened while its text is unchanged (OpenedGroups); a CLI, another process
   * of the same profile, removes Carol meanwhile: the daemon's next group send follows the new key, so Carol, with
   * every secret she held, does not read it.
   */
  @Test
  void aMemberTheCliRemovesDoesNotReadTheDaemonsNextGroupMessage() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.groupOfHostsFriends("ops", "alice", "bob", "carol");
    HarnessCheck.ok(h.as("bob", "receive"));
    HarnessCheck.ok(h.as("carol", "receive"));
    Path socket = tmp.resolve("alice").resolve("daemon.sock");
    Process daemon = daemonProcess(h, "alice");
    try {
      try (DaemonConnection rpc = DaemonConnection.open(socket, daemon::isAlive)) {
        JsonObject before = rpc.call("send", "{\"to\":\"ops\",\"text\":\"before the removal\"}");
        assertEquals("confirmed", before.getAsJsonObject("result").get("status").getAsString(), before.toString());

        HarnessCheck.ok(h.as("alice", "group", "remove", "ops", "carol")); // another process of Alice's profile

        JsonObject answer = rpc.call("send", "{\"to\":\"ops\",\"text\":\"after the removal\"}");
        assertEquals("confirmed", answer.getAsJsonObject("result").get("status").getAsString(), answer.toString());
      }
      CliHarness.Result carol = HarnessCheck.ok(h.as("carol", "history", "ops"));
      assertTrue(carol.out().contains("before the removal"), carol.toString());
      assertFalse(carol.out().contains("after the removal"), carol.toString());
      CliHarness.Result bob = HarnessCheck.ok(h.as("bob", "history", "ops"));
      assertTrue(bob.out().contains("after the removal"), bob.toString());
    } finally {
      daemon.destroy();
      daemon.waitFor();
    }
  }

  /** Starts {@code who}'s daemon as a process of its own, as a service manager does; its output goes to daemon.log. */
  private Process daemonProcess(CliHarness h, String who) throws Exception {
    return ChildProcesses.start(h.env, tmp.resolve("daemon.log"), null, "--home", tmp.resolve(who).toString(), "daemon");
  }

  /** Asserts a harness run worked. */
  private static final class HarnessCheck {
    static CliHarness.Result ok(CliHarness.Result r) {
      return CliHarness.check(r);
    }
  }
}
