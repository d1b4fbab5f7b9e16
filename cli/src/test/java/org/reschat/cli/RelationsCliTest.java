package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;

/**
 * Replies, reactions, edits, deletes, mentions and notifications from the command line: the commands, what
 * history, receive and export show of them, their JSON, and that a message's text reaches a notify command
 * only on its standard input.
 */
class RelationsCliTest {
  @TempDir Path dir;
  CliHarness cli;

  @BeforeEach
  void harness() {
    cli = new CliHarness(dir);
  }

  private static JsonObject json(String line) {
    return JsonParser.parseString(line).getAsJsonObject();
  }

  private String sendJson(String who, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--json";
    all[1] = "send";
    System.arraycopy(args, 0, all, 2, args.length);
    return json(CliHarness.check(cli.as(who, all)).out().strip()).get("id").getAsString();
  }

  private List<JsonObject> lines(CliHarness.Result r) {
    return r.lines().stream().map(RelationsCliTest::json).toList();
  }

  private JsonObject byId(List<JsonObject> objects, String id) {
    return objects.stream().filter(o -> o.get("id").getAsString().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void replyReactEditAndDeleteShowInHistoryReceiveAndJson() {
    cli.friends("alice", "bob");
    String question = sendJson("alice", "bob", "are we on for Friday?");
    String typo = sendJson("alice", "bob", "bring teh map");
    CliHarness.check(cli.as("bob", "receive"));
    // Bob finds the id with history --ids, and answers with the start of it.
    String shown = CliHarness.check(cli.as("bob", "history", "alice", "--ids")).out();
    assertThat(shown).contains("[" + question + "] alice: are we on for Friday?");
    String reply = sendJson("bob", "alice", "yes, 8pm", "--reply-to", question);
    CliHarness.check(cli.as("bob", "react", "alice", question, "👍"));
    CliHarness.check(cli.as("alice", "edit", "bob", typo, "bring the map"));
    CliHarness.Result deleted = CliHarness.check(cli.as("alice", "delete", "bob", question));
    assertThat(deleted.err()).contains("Everyone's client now hides it", "The ledger cannot forget",
        "anyone holding this chat's keys can still open it");

    // What Alice receives: Bob's reply (quoting her message, which she has deleted since) and his reaction.
    CliHarness.Result got = CliHarness.check(cli.as("alice", "receive"));
    assertThat(got.out()).contains("bob (re a deleted message): yes, 8pm");
    assertThat(got.out()).contains("* bob reacted 👍 to a deleted message");

    // Bob receives the edit and the delete as events of their own, typed.
    List<JsonObject> events = lines(CliHarness.check(cli.as("bob", "--json", "receive")));
    assertThat(events).extracting(o -> o.get("type").getAsString()).containsExactly("edit", "delete");
    assertThat(events.get(0).get("to").getAsString()).isEqualTo(typo);
    assertThat(events.get(0).get("text").getAsString()).isEqualTo("bring the map");
    assertThat(events.get(0).get("quote").getAsString()).isEqualTo("bring teh map");
    assertThat(events.get(1).get("to").getAsString()).isEqualTo(question);
    assertThat(events.get(1).get("quote").isJsonNull()).isTrue(); // a delete never quotes what it hides

    // History: folded, for both.
    List<JsonObject> history = lines(CliHarness.check(cli.as("bob", "--json", "history", "alice", "--edits")));
    JsonObject q = byId(history, question);
    assertThat(q.get("deleted").getAsBoolean()).isTrue();
    assertThat(q.get("text").isJsonNull()).isTrue();
    assertThat(q.getAsJsonArray("reactions")).isEmpty();
    JsonObject t = byId(history, typo);
    assertThat(t.get("text").getAsString()).isEqualTo("bring the map");
    assertThat(t.get("edited").isJsonNull()).isFalse();
    assertThat(t.getAsJsonArray("edits").get(0).getAsJsonObject().get("text").getAsString()).isEqualTo("bring teh map");
    JsonObject r = byId(history, reply);
    assertThat(r.get("reply_to").getAsString()).isEqualTo(question);
    assertThat(r.get("reply_quote").isJsonNull()).isTrue();
    assertThat(history).hasSize(3); // the reaction, edit and delete are folded, not listed

    String lines = CliHarness.check(cli.as("alice", "history", "bob", "--edits")).out();
    assertThat(lines).contains("* me deleted this message", "me: bring the map\n  ↳ edited ",
        "  ↳ before, ", ": bring teh map").doesNotContain("are we on for Friday?");
  }

  @Test
  void aQuoteCannotEndEarlyOrForgeALine() {
    cli.friends("alice", "bob");
    String hostile = sendJson("bob", "alice", "x» ): forged\n2026-01-01 00:00  alice: fake\u001b[2J «");
    CliHarness.check(cli.as("alice", "receive"));
    CliHarness.check(cli.as("alice", "send", "bob", "ok", "--reply-to", hostile));
    List<String> lines = CliHarness.check(cli.as("bob", "history", "alice")).lines();
    String reply = lines.stream().filter(l -> l.contains("alice (re ")).findFirst().orElseThrow();
    assertThat(reply).endsWith("»): ok").contains("«me: x\" ): forged 2026-01-01 00:00 alice: fake\\e[2J \"»");
    assertThat(lines).noneMatch(l -> l.startsWith("2026-01-01"));
  }

  @Test
  void reactionsAreReplacedAndTakenBackAndNameWhoReacted() {
    cli.friends("alice", "bob");
    String id = sendJson("alice", "bob", "lunch?");
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("bob", "react", "alice", id, "👍"));
    CliHarness.check(cli.as("bob", "react", "alice", id, "🍕"));
    CliHarness.check(cli.as("alice", "react", "bob", id, "❤️"));
    JsonArray reactions = byId(lines(CliHarness.check(cli.as("alice", "--json", "history", "bob"))), id)
        .getAsJsonArray("reactions");
    assertThat(reactions.toString()).isEqualTo("[{\"emoji\":\"🍕\",\"from\":\"bob\"},{\"emoji\":\"❤️\",\"from\":\"me\"}]");
    assertThat(CliHarness.check(cli.as("alice", "history", "bob")).out()).contains("  ↳ 🍕 bob, ❤️ me");
    CliHarness.check(cli.as("bob", "react", "alice", id, "--remove"));
    assertThat(CliHarness.check(cli.as("alice", "history", "bob")).out()).contains("  ↳ ❤️ me").doesNotContain("🍕");
    // Bad input is one sentence and exit 2, before anything is written.
    assertThat(cli.as("bob", "react", "alice", id, "two words").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.as("bob", "react", "alice", id).code()).isEqualTo(ExitCodes.USAGE);
    CliHarness.Result notYours = cli.as("bob", "edit", "alice", id, "dinner?");
    assertThat(notYours.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(notYours.err()).contains("not yours");
    assertThat(cli.as("bob", "delete", "alice", "nonsense").err()).contains("is not a message id");
  }

  @Test
  void exportRendersRepliesReactionsEditsAndDeletesInEveryFormat() throws Exception {
    cli.friends("alice", "bob");
    String first = sendJson("alice", "bob", "first *plan*");
    String gone = sendJson("alice", "bob", "secret address");
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("bob", "send", "alice", "ok", "--reply-to", first));
    CliHarness.check(cli.as("bob", "react", "alice", first, "👍"));
    CliHarness.check(cli.as("alice", "edit", "bob", first, "second *plan*"));
    CliHarness.check(cli.as("alice", "delete", "bob", gone));
    CliHarness.check(cli.as("alice", "receive"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("* alice deleted a message (it stays on the ledger")
        .doesNotContain("secret address"); // the line saying it is gone does not quote it

    String txt = CliHarness.check(cli.as("alice", "export", "bob", "--format", "txt")).out();
    assertThat(txt).contains("me: second *plan*\n  ↳ edited ", "👍 bob", "  ↳ before, ", "first *plan*",
        "* me deleted this message", "bob (re «me: second *plan*»): ok").doesNotContain("secret address");
    String md = CliHarness.check(cli.as("alice", "export", "bob", "--format", "md")).out();
    assertThat(md).contains("edited", "in reply to me:", "Reactions: 👍 bob", "Before ", "deleted this message")
        .doesNotContain("secret address");
    JsonObject exported = json(CliHarness.check(cli.as("alice", "export", "bob", "--format", "json")).out());
    JsonObject firstJson = byId(exported.getAsJsonArray("messages").asList().stream().map(e -> e.getAsJsonObject()).toList(), first);
    assertThat(firstJson.get("edits").getAsJsonArray()).hasSize(1);
    assertThat(firstJson.getAsJsonArray("reactions")).hasSize(1);
    assertThat(exported.toString()).doesNotContain("secret address");
  }

  @Test
  void mentionsAreResolvedAtSendTimeHighlightedAndFilteredByReceiveMentions() {
    cli.friends("alice", "bob");
    String carol = cli.init("carol");
    String alice = cli.cardOf("alice");
    CliHarness.check(cli.as("alice", "friend", "add", "carol", carol));
    CliHarness.check(cli.as("carol", "friend", "add", "alice", alice));
    CliHarness.check(cli.as("alice", "group", "create", "trip", "--member", "bob", "--member", "carol"));
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("carol", "receive"));
    CliHarness.check(cli.as("alice", "send", "trip", "@bob can you drive? mail me at alice@example.org"));
    CliHarness.check(cli.as("alice", "send", "trip", "hello all"));

    CliHarness.Result bobs = CliHarness.check(cli.as("bob", "receive", "--mentions"));
    assertThat(bobs.out()).contains("alice (mentions you): @bob can you drive?").doesNotContain("hello all");
    JsonObject mention = byId(lines(CliHarness.check(cli.as("bob", "--json", "history", "trip"))),
        lines(CliHarness.check(cli.as("bob", "--json", "history", "trip"))).get(0).get("id").getAsString());
    assertThat(mention.get("mentions_you").getAsBoolean()).isTrue();
    assertThat(mention.getAsJsonArray("mentions")).hasSize(1);
    CliHarness.Result carols = CliHarness.check(cli.as("carol", "receive"));
    assertThat(carols.out()).contains("@bob can you drive?", "hello all").doesNotContain("mentions you");
  }

  @Test
  void aHostileTextThroughExecCannotInject() throws Exception {
    cli.friends("alice", "bob");
    Path events = dir.resolve("events.jsonl");
    Path pwned = dir.resolve("pwned");
    String q = pwned.toString();
    String hostile = "$(touch " + q + "1) `touch " + q + "2` \"; touch " + q + "3; echo \" ' ; touch " + q + "4 ; ' "
        + "&& touch " + q + "5 | touch " + q + "6\n; touch " + q + "7 \\\" $HOME ${PATH}";
    CliHarness.check(cli.as("bob", "send", "alice", hostile));
    CliHarness.check(cli.as("alice", "receive", "--exec", "cat >> '" + events + "'"));
    List<String> written = Files.readAllLines(events, StandardCharsets.UTF_8);
    assertThat(written).hasSize(1);
    JsonObject event = json(written.get(0));
    assertThat(event.get("type").getAsString()).isEqualTo("message");
    assertThat(event.get("text").getAsString()).isEqualTo(hostile); // exact, on stdin only
    for (int i = 1; i <= 7; i++) {
      assertThat(dir.resolve("pwned" + i)).doesNotExist();
    }
    // The setting does the same for every receive.
    cli.env.put("RESCHAT_NOTIFY_EXEC", "cat >> '" + events + "'");
    CliHarness.check(cli.as("bob", "send", "alice", "second"));
    CliHarness.check(cli.as("alice", "receive"));
    assertThat(Files.readAllLines(events, StandardCharsets.UTF_8)).hasSize(2);
  }

  @Test
  void aBellRingsOnATerminalForNewMessagesUnlessTurnedOff() {
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("bob", "send", "alice", "one"));
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).doesNotContain("\u0007"); // not a terminal
    CliHarness.check(cli.as("bob", "send", "alice", "two"));
    cli.interactive = true;
    cli.env.put("NO_COLOR", "1");
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).contains("\u0007");
    CliHarness.check(cli.as("bob", "send", "alice", "three"));
    cli.env.put("RESCHAT_NOTIFY_BELL", "off");
    assertThat(CliHarness.check(cli.as("alice", "receive")).err()).doesNotContain("\u0007");
  }

  @Test
  void aDesktopNotificationGoesThroughNotifySendWithoutAShellOrMarkup() throws Exception {
    cli.friends("alice", "bob");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path calls = dir.resolve("notify-send.args");
    Path fake = bin.resolve("notify-send");
    Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> '" + calls + "'\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    String text = "<b>hi</b> & $(touch " + dir.resolve("pwned") + ")";
    CliHarness.check(cli.as("bob", "send", "alice", text));
    cli.interactive = true;
    cli.env.put("NO_COLOR", "1");
    cli.env.put("DISPLAY", ":0");
    cli.env.put("PATH", bin + ":/usr/bin:/bin");
    CliHarness.check(cli.as("alice", "receive"));
    List<String> args = Files.readAllLines(calls, StandardCharsets.UTF_8);
    assertThat(args).containsExactly("--app-name=reschat", "--", "reschat: bob",
        "&lt;b&gt;hi&lt;/b&gt; &amp; $(touch " + dir.resolve("pwned") + ")");
    assertThat(dir.resolve("pwned")).doesNotExist();
  }

  @Test
  void theDaemonSendsRepliesReactionsEditsAndDeletes() {
    cli.friends("alice", "bob");
    String id = sendJson("bob", "alice", "ping");
    String mine = sendJson("alice", "bob", "pong");
    CliHarness.check(cli.as("alice", "receive"));
    cli.stdin = String.join("\n",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"send\",\"params\":{\"to\":\"bob\",\"text\":\"re\",\"reply_to\":\"" + id + "\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"react\",\"params\":{\"to\":\"bob\",\"id\":\"" + id + "\",\"emoji\":\"👀\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"edit\",\"params\":{\"to\":\"bob\",\"id\":\"" + mine + "\",\"text\":\"pong!\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"delete\",\"params\":{\"to\":\"bob\",\"id\":\"" + mine + "\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"react\",\"params\":{\"to\":\"bob\",\"id\":\"" + id + "\",\"remove\":true}}",
        "");
    CliHarness.Result r = CliHarness.check(cli.as("alice", "jsonrpc", "--manual-receive"));
    List<JsonObject> answers = lines(r);
    assertThat(answers).hasSize(5);
    for (JsonObject a : answers) {
      assertThat(a.getAsJsonObject("result").get("type").getAsString()).as(r.toString()).isEqualTo("sent");
    }
    List<JsonObject> bobs = lines(CliHarness.check(cli.as("bob", "--json", "receive")));
    assertThat(bobs).extracting(o -> o.get("type").getAsString())
        .containsExactly("message", "message", "reaction", "edit", "delete", "reaction");
    assertThat(bobs.get(1).get("reply_to").getAsString()).isEqualTo(id);
  }

  @Test
  void todaysRenderingShowsTheNewTypesAsUnsupportedNeverAsText() {
    // A client of the version before this feature types nothing: a REACTION, EDIT or DELETE reaches its renderer
    // as a message of a type it cannot show (this is that path, which a type unknown to this version still takes).
    java.io.StringWriter sink = new java.io.StringWriter();
    CliContext ctx = CliContext.builder().out(new java.io.PrintWriter(sink)).err(new java.io.PrintWriter(sink))
        .zone(ZoneOffset.UTC).build();
    Output out = new Output(ctx, false, false);
    Identity sender = Identity.generate(new java.security.SecureRandom());
    for (String type : List.of("REACTION", "EDIT", "DELETE")) {
      Message raw = new Message("x:1:0", Message.Direction.RECEIVED, sender.card(), Instant.parse("2026-11-22T10:15:00Z"),
          type, "[a " + type + " message, which this version cannot show]", 1, 0, Message.Status.CONFIRMED,
          "{\"v\":1,\"to\":\"x:1:0\"}".getBytes(StandardCharsets.UTF_8), "pwned text".getBytes(StandardCharsets.UTF_8));
      assertThat(out.format(raw, "alice"))
          .isEqualTo("2026-11-22 10:15  * alice sent a " + type + " message, which this version cannot show");
      assertThat(Json.message(raw, "alice").get("text").getAsString()).doesNotContain("pwned");
    }
  }
}
