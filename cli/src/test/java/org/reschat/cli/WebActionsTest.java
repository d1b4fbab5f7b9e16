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

  private static String hex(CliHarness h, String who) {
    return CliHarness.check(h.as(who, "whoami", "--json")).out().replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1")
        .replace(" ", "").strip();
  }

  private static String card(CliHarness h, String who) {
    return CliHarness.check(h.as(who, "whoami", "--json")).out().replaceAll("(?s).*\"card\":\"(rc2:[^\"]+)\".*", "$1");
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
      String wrapped = card(h, "bob").substring(0, 40) + "\n" + card(h, "bob").substring(40); // copied with a line break
      WebHttp.Response added = web.post("/friends/add", cookie, csrf, "nick=bob&card=" + enc(wrapped));
      assertThat(added.status()).as(added.toString()).isEqualTo(204);
      assertThat(added.header("HX-Redirect")).isEqualTo("/chat/d-" + hex(h, "bob") + "/info");
      assertThat(CliHarness.check(h.as("alice", "friend", "list")).out()).contains("bob");

      WebHttp.Response typo = web.post("/friends/add", cookie, csrf, "nick=dave&card=" + enc(card(h, "bob").replace('A', 'B')));
      assertThat(typo.status()).isEqualTo(400);
      assertThat(typo.header("HX-Retarget")).isEqualTo("#flash");
      assertThat(typo.body()).contains("class=\"error\"");

      WebHttp.Response found = web.get("/directory?name=carol", cookie);
      assertThat(found.body()).contains(CliHarness.check(h.as("carol", "whoami", "--json")).out()
          .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1"));
      WebHttp.Response fromDirectory = web.post("/friends/add-from-directory", cookie, csrf,
          "name=carol&fingerprint=" + hex(h, "carol") + "&nick=carol");
      assertThat(fromDirectory.status()).as(fromDirectory.toString()).isEqualTo(204);
      assertThat(CliHarness.check(h.as("alice", "friend", "list")).out()).contains("carol");
    }
  }

  /** Issue 23: the web client shows the link code (and its QR code) and asks about the check, as the terminal does. */
  @Test
  void aDeviceIsLinkedFromThePagesWithTheCodeTheyShowAndOnlyForTheCheckTheNewDeviceShows() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
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
    }
  }

  @Test
  void aGroupIsMadeLinkedAndLeftFromThePages() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    h.init("carol");
    CliHarness.check(h.as("alice", "friend", "add", "carol", card(h, "carol")));
    CliHarness.check(h.as("carol", "friend", "add", "alice", card(h, "alice")));
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
      assertThat(web.post(group + "/remove", cookie, csrf, "member=" + hex(h, "carol")).status()).isEqualTo(204);
      assertThat(CliHarness.check(h.as("alice", "group", "show", "trip")).out()).doesNotContain("carol");

      WebHttp.Response linked = web.post(group + "/link", cookie, csrf, "");
      assertThat(linked.body()).containsPattern("rcg1:[A-Za-z0-9_-]+");
      assertThat(web.get(group + "/info", cookie).body()).contains("Revoke every link");

      assertThat(web.post(group + "/leave", cookie, csrf, "").status()).isEqualTo(204);
      assertThat(CliHarness.check(h.as("alice", "--json", "group", "list")).out()).contains("\"status\":\"left\"");
      assertThat(web.get(group, cookie).body()).contains("You are no longer in this group");
    }
  }

  @Test
  void aSafetyNumberIsShownAndMarkedAndAnEmptyMessageIsRefused() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    String bob = "/chat/d-" + hex(h, "bob");
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
}
