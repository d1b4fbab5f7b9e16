package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the pages' buttons do, request by request: each is the engine's or the profile's own operation (the same as
 * the terminal's), and a refusal comes back as the terminal's sentence, in the page's flash area.
 */
class WebActionsTest {
  @TempDir
  Path tmp;

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void friendsAreAddedByCardOrFromTheDirectoryAndABadCardIsTheTerminalsSentence() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.init("alice");
    h.init("bob");
    h.init("carol");
    CliHarness.check(h.as("carol", "directory", "publish", "--name", "carol"));
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      String csrf = web.csrf(cookie);
      String wrapped = h.cardOf("bob").substring(0, 40) + "\n" + h.cardOf("bob").substring(40); // copied with a line break
      WebHttp.Response added = web.post("/friends/add", cookie, csrf, "nick=bob&card=" + enc(wrapped));
      assertThat(added.status()).as(added.toString()).isEqualTo(204);
      assertThat(added.header("HX-Redirect")).isEqualTo("/chat/d-" + h.fingerprintHex("bob") + "/info");
      assertThat(CliHarness.check(h.as("alice", "friend", "list")).out()).contains("bob");

      WebHttp.Response typo = web.post("/friends/add", cookie, csrf, "nick=dave&card=" + enc(h.cardOf("bob").replace('A', 'B')));
      assertThat(typo.status()).isEqualTo(400);
      assertThat(typo.header("HX-Retarget")).isEqualTo("#flash");
      assertThat(typo.body()).contains("class=\"error\"");

      WebHttp.Response found = web.get("/directory?name=carol", cookie);
      assertThat(found.body()).contains(CliHarness.check(h.as("carol", "whoami", "--json")).out()
          .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1"));
      WebHttp.Response fromDirectory = web.post("/friends/add-from-directory", cookie, csrf,
          "name=carol&fingerprint=" + h.fingerprintHex("carol") + "&nick=carol");
      assertThat(fromDirectory.status()).as(fromDirectory.toString()).isEqualTo(204);
      assertThat(CliHarness.check(h.as("alice", "friend", "list")).out()).contains("carol");
    }
  }

  /** Issue 23: the web client shows the link code (and its QR code) and asks about the check, as the terminal does. */
  @Test
  void aDeviceIsLinkedFromThePagesWithTheCodeTheyShowAndOnlyForTheCheckTheNewDeviceShows() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    h.env.put("RESCHAT_POLL_INTERVAL", "200ms");
    java.time.Duration wait = java.time.Duration.ofSeconds(60);
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      String csrf = web.csrf(cookie);
      assertThat(web.get("/devices", cookie).body()).contains("Link a new device").contains("(this device)");
      WebHttp.Response offered = web.post("/devices/link", cookie, csrf, "");
      assertThat(offered.status()).as(offered.toString()).isEqualTo(200);
      assertThat(offered.body()).contains("<svg").contains("device join rcl1:");
      String code = offered.body().replaceAll("(?s).*(rcl1:[A-Za-z0-9_-]+).*", "$1");
      assertThat(web.get("/devices/link/request", cookie).body()).contains("Waiting for the new device");

      CliHarness.Running join = h.start("laptop", "device", "join", code, "--name", "laptop", "--no-passphrase",
          "--poll-millis", "20");
      String check = join.await("[0-9]{5} [0-9]{5}", wait);
      WebHttp.Response asked = web.get("/devices/link/request", cookie);
      long deadline = System.nanoTime() + wait.toNanos();
      while (!asked.body().contains(check) && System.nanoTime() < deadline) { // the request reaches the board
        Thread.sleep(50);
        asked = web.get("/devices/link/request", cookie);
      }
      assertThat(asked.body()).contains(check).contains("laptop");

      WebHttp.Response stale = web.post("/devices/link/approve", cookie, csrf, "check=" + enc("00000 00000"));
      assertThat(stale.status()).isEqualTo(409); // a yes for another check links nothing
      WebHttp.Response linked = web.post("/devices/link/approve", cookie, csrf, "check=" + enc(check));
      assertThat(linked.status()).as(linked.toString()).isEqualTo(200);
      assertThat(linked.body()).contains("Linked device 1");
      assertThat(join.result(wait).code()).isZero();
      assertThat(CliHarness.check(h.as("laptop", "friend", "list")).out()).contains("bob");
      // The code is spent: nothing waits any more.
      assertThat(web.post("/devices/link/approve", cookie, csrf, "check=" + enc(check)).status()).isEqualTo(404);
      assertThat(web.get("/devices", cookie).body()).contains("laptop");

      // The web client's receiver applies what the laptop changes (§15.6), as 'reschat receive' does.
      String carol = h.init("carol");
      CliHarness.check(h.as("laptop", "friend", "add", "carol", carol));
      WebSecurityTest.eventually(() -> h.as("alice", "friend", "list").out().contains("carol"),
          "the web client applied the friend the laptop added");
      assertThat(web.get("/", cookie).body()).contains("carol");
    }
  }

  @Test
  void aGroupIsMadeLinkedAndLeftFromThePages() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    h.init("carol");
    CliHarness.check(h.as("alice", "friend", "add", "carol", h.cardOf("carol")));
    CliHarness.check(h.as("carol", "friend", "add", "alice", h.cardOf("alice")));
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      String csrf = web.csrf(cookie);
      WebHttp.Response made = web.post("/groups/create", cookie, csrf, "name=trip&members=bob");
      assertThat(made.status()).as(made.toString()).isEqualTo(204);
      String group = made.header("HX-Redirect");
      assertThat(group).startsWith("/chat/g-");
      assertThat(CliHarness.check(h.as("alice", "group", "show", "trip")).out()).contains("bob");

      WebHttp.Response again = web.post("/groups/create", cookie, csrf, "name=trip");
      assertThat(again.status()).isEqualTo(400);
      assertThat(again.body()).contains("You already have a group called");
      assertThat(web.post("/groups/create", cookie, csrf, "name=bob").body()).contains("is a friend&#39;s nickname");

      assertThat(web.post(group + "/add", cookie, csrf, "nick=carol").status()).isEqualTo(204);
      assertThat(CliHarness.check(h.as("alice", "group", "show", "trip")).out()).contains("carol");
      assertThat(web.post(group + "/remove", cookie, csrf, "member=" + h.fingerprintHex("carol")).status()).isEqualTo(204);
      assertThat(CliHarness.check(h.as("alice", "group", "show", "trip")).out()).doesNotContain("carol");

      WebHttp.Response linked = web.post(group + "/link", cookie, csrf, "");
      assertThat(linked.body()).containsPattern("rcg1:[A-Za-z0-9_-]+");
      assertThat(web.get(group + "/info", cookie).body()).contains("Revoke every link");
      // Every open link is listed with its maker, another admin's too (read when the page is opened).
      String mine = linked.body().replaceAll("(?s).*(rcg1:[A-Za-z0-9_-]+).*", "$1");
      CliHarness.check(h.as("alice", "group", "admin", "trip", "bob"));
      CliHarness.check(h.as("bob", "receive"));
      String bobs = CliHarness.check(h.as("bob", "group", "link", "trip")).out().strip();
      String info = web.get(group + "/info", cookie).body();
      assertThat(info).contains("Open links").contains(bobs).contains("made by bob").contains(mine).contains("made by me");

      assertThat(web.post(group + "/leave", cookie, csrf, "").status()).isEqualTo(204);
      assertThat(CliHarness.check(h.as("alice", "--json", "group", "list")).out()).contains("\"status\":\"left\"");
      assertThat(web.get(group, cookie).body()).contains("You are no longer in this group");
    }
  }

  @Test
  void aSafetyNumberIsShownAndMarkedAndAnEmptyMessageIsRefused() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    String bob = "/chat/d-" + h.fingerprintHex("bob");
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      String csrf = web.csrf(cookie);
      String number = CliHarness.check(h.as("alice", "--json", "friend", "verify", "bob")).out()
          .replaceAll("(?s).*\"safety_number\":\"([^\"]+)\".*", "$1");
      assertThat(web.get(bob + "/info", cookie).body()).contains(number).contains("Mark as verified");
      assertThat(web.post(bob + "/verify", cookie, csrf, "").status()).isEqualTo(204);
      assertThat(CliHarness.check(h.as("alice", "friend", "list")).out()).contains("verified");
      assertThat(web.get(bob, cookie).body()).contains("<span class=\"verified\">verified</span>");

      WebHttp.Response empty = web.post(bob + "/send", cookie, csrf, "text=+%0A+");
      assertThat(empty.status()).isEqualTo(400);
      assertThat(empty.body()).contains("Type a message first.");
      WebHttp.Response tooLong = web.post(bob + "/send", cookie, csrf, "text=" + "x".repeat(17_000));
      assertThat(tooLong.status()).isEqualTo(400);
      assertThat(web.get("/chat/d-" + "0".repeat(64), cookie).status()).isEqualTo(404);
    }
  }

  private static String sendId(CliHarness h, String who, String to, String text) {
    return CliHarness.check(h.as(who, "--json", "send", to, text)).out().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1").strip();
  }

  private static String domId(String messageId) {
    return "m-" + java.util.HexFormat.of().formatHex(messageId.getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code <li>} of message {@code id} in {@code html} (one without lists inside it). */
  private static String item(String html, String id) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?s)<li id=\"" + domId(id) + "\".*?</li>").matcher(html);
    assertThat(m.find()).as("message %s in:\n%s", id, html).isTrue();
    return m.group();
  }

  /**
   * Reply, react (and take it back), edit and delete, each the engine's call as the terminal makes it: the answer is
   * the message drawn again with what changed, and bob's terminal shows the same. Someone else's message is refused
   * with the terminal's own sentence, and the page offers Edit and Delete only on this person's messages.
   */
  @Test
  void repliesReactionsEditsAndDeletesAreTheTerminalsAndSomeoneElsesMessageIsRefusedInItsWords() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    String bob = "/chat/d-" + h.fingerprintHex("bob");
    String hello = sendId(h, "bob", "alice", "hello alice");
    CliHarness.check(h.as("alice", "receive"));
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      String csrf = web.csrf(cookie);
      String theirs = item(web.get(bob, cookie).body(), hello);
      assertThat(theirs).contains("data-reply=\"" + hello + "\"", ">React</summary>").doesNotContain(">Edit</summary>")
          .doesNotContain(">Delete</summary>");

      WebHttp.Response reply = web.post(bob + "/send", cookie, csrf, "text=" + enc("hi bob") + "&reply_to=" + enc(hello));
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      assertThat(reply.body()).contains("class=\"quote\" href=\"#" + domId(hello) + "\"", "<span class=\"who\">bob</span>",
          "<span class=\"excerpt\">hello alice</span>");
      String mine = reply.body().replaceAll("(?s).*?data-id=\"([^\"]+)\".*", "$1");
      assertThat(item(reply.body(), mine)).contains(">Edit</summary>", ">Delete</summary>");
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).contains("alice (re «me: hello alice»): hi bob");

      WebHttp.Response reacted = web.post(bob + "/react", cookie, csrf, "id=" + enc(hello) + "&emoji=" + enc("👍"));
      assertThat(reacted.status()).as(reacted.toString()).isEqualTo(200);
      assertThat(reacted.body()).contains("class=\"chip mine\" title=\"me\" aria-pressed=\"true\"",
          "<span class=\"emoji\">👍</span> <span class=\"count\">1</span>");
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).contains("↳ 👍 alice");
      WebHttp.Response takenBack = web.post(bob + "/react", cookie, csrf, "id=" + enc(hello) + "&remove=1");
      assertThat(takenBack.status()).isEqualTo(200);
      assertThat(takenBack.body()).doesNotContain("class=\"chip");
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).doesNotContain("👍");

      WebHttp.Response edited = web.post(bob + "/edit", cookie, csrf, "id=" + enc(mine) + "&text=" + enc("hi bob, edited"));
      assertThat(edited.status()).as(edited.toString()).isEqualTo(200);
      assertThat(edited.body()).contains(">hi bob, edited</div>", "<details class=\"edited\"><summary>edited ",
          "<span class=\"before\" hx-disable>hi bob</span>");
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).contains(": hi bob, edited");

      for (String verb : new String[] {"edit", "delete"}) { // "--" before an id: one may start with "-"
        String terminal = (verb.equals("edit") ? h.as("alice", verb, "bob", "--", hello, "changed") : h.as("alice", verb, "bob", "--", hello))
            .err();
        String sentence = "Message " + hello + " is not yours: only its author may " + verb + " a message.";
        assertThat(terminal).contains(sentence);
        WebHttp.Response refused = web.post(bob + "/" + verb, cookie, csrf, "id=" + enc(hello) + "&text=changed");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("HX-Retarget")).isEqualTo("#flash");
        assertThat(refused.body()).contains(sentence);
      }
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).contains("me: hello alice");

      WebHttp.Response deleted = web.post(bob + "/delete", cookie, csrf, "id=" + enc(mine));
      assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
      assertThat(item(deleted.body(), mine)).contains("This message was deleted.").doesNotContain("hi bob")
          .doesNotContain(">Reply</button>");
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).contains("* alice deleted this message")
          .doesNotContain("hi bob");
      assertThat(web.post(bob + "/react", cookie, csrf, "id=" + enc(mine) + "&emoji=" + enc("👍")).body())
          .contains("was deleted.");
      assertThat(web.post(bob + "/react", cookie, csrf, "id=" + enc(hello)).status()).isEqualTo(400);
    }
  }

  /**
   * What bob does from his terminal to a message the page shows (a reaction, an edit of his own) arrives on the page's
   * stream as the id of the element that shows it ("changed", not a new line), and the message asked for then is drawn
   * with the change, to replace it where it is.
   */
  @Test
  void aReactionOrEditFromTheOtherSideRedrawsItsMessageInPlaceOnTheStream() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    String bob = "d-" + h.fingerprintHex("bob");
    String lunch = sendId(h, "alice", "bob", "lunch?");
    String his = sendId(h, "bob", "alice", "at noon");
    CliHarness.check(h.as("bob", "receive"));
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      WebSecurityTest.eventually(() -> {
        try {
          return web.get("/", cookie).body().contains("1 unread"); // the receiver took "at noon": no longer news
        } catch (java.io.IOException e) {
          return false;
        }
      }, "the server's receiver took bob's message");
      java.util.regex.Matcher after = java.util.regex.Pattern.compile("after=([^&\"]+)").matcher(web.get("/chat/" + bob, cookie).body());
      assertThat(after.find()).isTrue();
      try (WebHttp.Stream s = WebHttp.stream(web.port, "/events?chat=" + bob + "&after=" + after.group(1),
          WebHttp.headers("Host", web.host, "Cookie", cookie))) {
        CliHarness.check(h.as("bob", "react", "alice", "--", lunch, "🍕"));
        String got = s.until("event: changed");
        assertThat(got).contains("data: " + domId(lunch) + "\n").doesNotContain("event: message");
        assertThat(item(web.get("/chat/" + bob + "/message?id=" + enc(lunch), cookie).body(), lunch))
            .contains("title=\"bob\"", "<span class=\"emoji\">🍕</span>").doesNotContain("hx-swap-oob");
        CliHarness.check(h.as("bob", "edit", "alice", "--", his, "at one"));
        got = s.until("data: " + domId(his) + "\n");
        assertThat(got).contains("event: changed").doesNotContain("event: message");
        assertThat(item(web.get("/chat/" + bob + "/message?id=" + enc(his), cookie).body(), his))
            .contains(">at one</div>", "<details class=\"edited\">");

        // Bob read what alice wrote and answers: his page says so, and her message is redrawn "seen", as the chat
        // view's status line says "#1 seen".
        String csrf = web.csrf(cookie);
        WebHttp.Response sent = web.post("/chat/" + bob + "/send", cookie, csrf, "text=" + enc("and dessert?"));
        String dessert = sent.body().replaceAll("(?s).*?data-id=\"([^\"]+)\".*", "$1");
        assertThat(sent.body()).doesNotContain("class=\"seen\"");
        CliHarness.check(h.as("bob", "receive"));
        CliHarness.check(h.as("bob", "send", "alice", "sure"));
        got = s.until("class=\"seen\"");
        assertThat(got).contains("<li id=\"" + domId(dessert) + "\" class=\"msg sent text\" data-id=\"" + dessert
            + "\" hx-swap-oob=\"true\"", "<span class=\"seen\">seen</span>");
      }
    }
  }

  /** The id of the message whose text is exactly {@code text} in {@code html}. */
  private static String idOf(String html, String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?s)<li id=\"m-[0-9a-f]+\" class=\"msg [^\"]*\" data-id=\"([^\"]+)\""
        + "(?:(?!</li>).)*?<div class=\"body\" hx-disable>" + java.util.regex.Pattern.quote(text) + "</div>").matcher(html);
    assertThat(m.find()).as("\"%s\" in:\n%s", text, html).isTrue();
    return m.group(1);
  }

  /** Three pages of each side's feed (20 messages a page): the first pages are older than the two a chat shows at first. */
  private static void threePagesEach(CliHarness h) {
    for (String[] who : new String[][] {{"alice", "bob", "mine"}, {"bob", "alice", "message"}}) {
      StringBuilder lines = new StringBuilder();
      for (int i = 1; i <= 45; i++) {
        lines.append(who[2]).append(' ').append(i).append('\n');
      }
      h.stdin = lines.toString();
      CliHarness.check(h.as(who[0], "send", who[1], "--lines"));
    }
    h.stdin = "";
  }

  /**
   * A message from an older page ("Show older messages") is drawn again in place like a newest one: the answer to her
   * reaction, edit or delete is that message (not a note), and bob's reaction from his terminal comes on the stream
   * as its element id, which the page then asks for and is given drawn with his reaction.
   */
  @Test
  void aMessageFromAnOlderPageIsRedrawnInPlaceAfterHerActionAndAfterBobsReaction() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    threePagesEach(h);
    CliHarness.check(h.as("alice", "receive"));
    String bob = "/chat/d-" + h.fingerprintHex("bob");
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      String csrf = web.csrf(cookie);
      String page = web.get(bob, cookie).body();
      assertThat(page).contains(">message 45</div>").doesNotContain(">message 1</div>").doesNotContain(">mine 1</div>");
      String older = web.get(bob + "/history?pages=4", cookie).body();
      String first = idOf(older, "message 1");
      String mine1 = idOf(older, "mine 1");
      String mine2 = idOf(older, "mine 2");

      WebHttp.Response reacted = web.post(bob + "/react", cookie, csrf, "id=" + enc(first) + "&emoji=" + enc("👍"));
      assertThat(reacted.status()).as(reacted.toString()).isEqualTo(200);
      assertThat(reacted.header("HX-Retarget")).as("drawn in place, not a note").isNull();
      assertThat(item(reacted.body(), first)).contains(">message 1</div>", "class=\"chip mine\" title=\"me\"");
      WebHttp.Response edited = web.post(bob + "/edit", cookie, csrf, "id=" + enc(mine1) + "&text=" + enc("mine 1, edited"));
      assertThat(edited.header("HX-Retarget")).isNull();
      assertThat(item(edited.body(), mine1)).contains(">mine 1, edited</div>", "<details class=\"edited\">");
      WebHttp.Response deleted = web.post(bob + "/delete", cookie, csrf, "id=" + enc(mine2));
      assertThat(deleted.header("HX-Retarget")).isNull();
      assertThat(item(deleted.body(), mine2)).contains("This message was deleted.").doesNotContain(">mine 2<");

      java.util.regex.Matcher after = java.util.regex.Pattern.compile("after=([^&\"]+)").matcher(web.get(bob, cookie).body());
      assertThat(after.find()).isTrue();
      try (WebHttp.Stream s = WebHttp.stream(web.port, "/events?chat=" + bob.substring("/chat/".length()) + "&after="
          + after.group(1), WebHttp.headers("Host", web.host, "Cookie", cookie))) {
        CliHarness.check(h.as("bob", "react", "alice", "--", first, "🍕"));
        String got = s.until("event: changed");
        assertThat(got).contains("data: " + domId(first)).doesNotContain("event: message");
        WebHttp.Response redrawn = web.get(bob + "/message?id=" + enc(first), cookie);
        assertThat(redrawn.status()).as(redrawn.toString()).isEqualTo(200);
        assertThat(item(redrawn.body(), first)).contains(">message 1</div>", "title=\"bob\"",
            "<span class=\"emoji\">🍕</span>", "<span class=\"emoji\">👍</span>");
      }
      // What names no message of the chat is a sentence, not a search that shows anything.
      WebHttp.Response none = web.get(bob + "/message?id=" + enc("<b>x</b>:1:0"), cookie);
      assertThat(none.status()).isEqualTo(404);
      assertThat(none.body()).doesNotContain("<b>");
    }
  }

  /**
   * In a group: a mention of alice by bob is marked on her page, her "@bob" from the page mentions him as 'send' does,
   * reactions are grouped with who reacted in the title, and her message's read marker counts members.
   */
  @Test
  void inAGroupMentionsAreMarkedAndSentAndReactionsNameWhoReacted() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    CliHarness.check(h.as("alice", "group", "create", "trip", "--member", "bob"));
    CliHarness.check(h.as("bob", "receive"));
    String drive = sendId(h, "bob", "trip", "@alice can you drive?");
    CliHarness.check(h.as("alice", "receive"));
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      String csrf = web.csrf(cookie);
      String group = web.get("/", cookie).body().replaceAll("(?s).*href=\"(/chat/g-[^\"]+)\".*", "$1");
      assertThat(item(web.get(group, cookie).body(), drive)).contains("<span class=\"mention\">mentions you</span>");

      WebHttp.Response answer = web.post(group + "/send", cookie, csrf, "text=" + enc("@bob yes") + "&reply_to=" + enc(drive));
      assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
      assertThat(CliHarness.check(h.as("bob", "receive")).out()).contains("alice (re «me: @alice can you drive?») (mentions you): @bob yes");

      CliHarness.check(h.as("bob", "react", "trip", "--", drive, "🚗"));
      WebHttp.Response reacted = web.post(group + "/react", cookie, csrf, "id=" + enc(drive) + "&emoji=" + enc("🚗"));
      assertThat(reacted.body()).contains("title=\"bob, me\"", "<span class=\"emoji\">🚗</span> <span class=\"count\">2</span>",
          "aria-pressed=\"true\"");
      CliHarness.check(h.as("bob", "send", "trip", "ok")); // his page says he read hers (the page's history reads it)
      String mine = answer.body().replaceAll("(?s).*?data-id=\"([^\"]+)\".*", "$1");
      assertThat(item(web.get(group, cookie).body(), mine)).contains("<span class=\"seen\">seen by 1 of 1</span>");
    }
  }
}
