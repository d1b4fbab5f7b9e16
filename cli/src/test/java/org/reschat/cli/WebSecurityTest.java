package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reschat web} on a shared machine: every rule of its loopback authentication (docs/threat-model.md,
 * "The web client"), checked with raw HTTP so a test can send what a hostile page or another local user would.
 */
class WebSecurityTest {
  static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir
  Path tmp;

  private CliHarness h;
  private WebHarness web;
  private String bobKey;

  @BeforeEach
  void start() throws Exception {
    h = new CliHarness(tmp);
    h.friends("alice", "bob");
    bobKey = "d-" + CliHarness.check(h.as("bob", "whoami", "--json")).out().replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1")
        .replace(" ", "").strip();
    web = WebHarness.start(h, "alice");
  }

  @AfterEach
  void stop() throws Exception {
    web.close();
  }

  @Test
  void withoutTheSessionCookieEveryRequestIs401AndShowsNothing() throws Exception {
    for (String path : List.of("/", "/chat/" + bobKey, "/chat/" + bobKey + "/info", "/events", "/events?chat=" + bobKey,
        "/chat/" + bobKey + "/message?id=x", "/assets/app.js", "/add", "/requests", "/new-group")) {
      WebHttp.Response r = WebHttp.request(web.port, "GET", path, WebHttp.headers("Host", web.host), null);
      assertThat(r.status()).as(path).isEqualTo(401);
      assertThat(r.body()).as(path).doesNotContain("bob").doesNotContain("csrf").doesNotContain("<script");
    }
    WebHttp.Response madeUp = WebHttp.request(web.port, "GET", "/", WebHttp.headers("Host", web.host,
        "Cookie", "rc_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), null);
    assertThat(madeUp.status()).as("a cookie this server never gave").isEqualTo(401);
    WebHttp.Response post = WebHttp.request(web.port, "POST", "/chat/" + bobKey + "/send", WebHttp.headers("Host", web.host,
        "Origin", web.origin, "X-CSRF-Token", "x", "Content-Type", "application/x-www-form-urlencoded"), "text=sneaky");
    assertThat(post.status()).isEqualTo(401);
    assertThat(h.as("bob", "history", "alice").out()).doesNotContain("sneaky");
  }

  @Test
  void aForeignHostIsRefusedEvenWithTheCookie() throws Exception {
    String cookie = web.launch();
    assertThat(web.get("/", cookie).status()).isEqualTo(200);
    // DNS rebinding: a page of evil.example whose name now points to 127.0.0.1 sends its own name as Host.
    for (String host : List.of("evil.example:" + web.port, "evil.example", "127.0.0.1:" + web.port, "localhost:" + web.port,
        "rc-0000000000.localhost:" + web.port, web.host + ".evil.example")) {
      WebHttp.Response r = WebHttp.request(web.port, "GET", "/", WebHttp.headers("Host", host, "Cookie", cookie), null);
      assertThat(r.status()).as(host).isEqualTo(403);
      assertThat(r.body()).as(host).doesNotContain("bob");
    }
    // Someone who typed 127.0.0.1 with the launch link is sent to the random name, and given nothing there.
    WebHttp.Response typed = WebHttp.request(web.port, "GET", "/launch?t=whatever",
        WebHttp.headers("Host", "127.0.0.1:" + web.port), null);
    assertThat(typed.status()).isEqualTo(303);
    assertThat(typed.header("Location")).isEqualTo(web.origin + "/launch?t=whatever");
    assertThat(typed.header("Set-Cookie")).isNull();
  }

  @Test
  void theLaunchTokenWorksOnceAndBecomesAStrictHttpOnlySessionCookie() throws Exception {
    String path = URI.create(web.url).getRawPath();
    WebHttp.Response guessed = WebHttp.request(web.port, "GET", path + "?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        WebHttp.headers("Host", web.host), null);
    assertThat(guessed.status()).isEqualTo(401);
    assertThat(guessed.header("Set-Cookie")).isNull();

    String query = URI.create(web.url).getRawQuery();
    WebHttp.Response first = WebHttp.request(web.port, "GET", path + "?" + query, WebHttp.headers("Host", web.host), null);
    assertThat(first.status()).isEqualTo(303);
    assertThat(first.header("Location")).isEqualTo("/");
    String cookie = first.header("Set-Cookie");
    assertThat(cookie).startsWith("rc_session=").contains("; HttpOnly").contains("; SameSite=Strict").contains("; Path=/")
        .doesNotContainIgnoringCase("Domain=") // a host-only cookie: the random name, nothing else
        .doesNotContainIgnoringCase("Expires").doesNotContainIgnoringCase("Max-Age"); // gone with the browser session

    WebHttp.Response again = WebHttp.request(web.port, "GET", path + "?" + query, WebHttp.headers("Host", web.host), null);
    assertThat(again.status()).as("the same link a second time").isEqualTo(401);
    assertThat(again.header("Set-Cookie")).isNull();
    assertThat(web.get("/", cookie.split(";")[0]).status()).isEqualTo(200);
  }

  @Test
  void aCrossOriginPostIs403AndChangesNothing() throws Exception {
    String cookie = web.launch();
    String csrf = web.csrf(cookie);
    String send = "/chat/" + bobKey + "/send";
    String body = "text=" + URLEncoder.encode("from another site", StandardCharsets.UTF_8);
    List<WebHttp.Response> refused = new ArrayList<>();
    // Another site's form or fetch (the browser sends its Origin), a request without Origin, without the token, with a
    // wrong one, or from a sandboxed frame (Origin: null).
    refused.add(post(send, cookie, "http://evil.example", csrf, body));
    refused.add(post(send, cookie, "http://127.0.0.1:" + web.port, csrf, body));
    refused.add(post(send, cookie, null, csrf, body));
    refused.add(post(send, cookie, web.origin, null, body));
    refused.add(post(send, cookie, web.origin, csrf.substring(1) + "A", body));
    refused.add(post(send, cookie, "null", csrf, body));
    for (WebHttp.Response r : refused) {
      assertThat(r.status()).as(r.toString()).isEqualTo(403);
    }
    WebHttp.Response crossSiteGet = WebHttp.request(web.port, "GET", "/chat/" + bobKey, WebHttp.headers("Host", web.host,
        "Cookie", cookie, "Sec-Fetch-Site", "cross-site"), null);
    assertThat(crossSiteGet.status()).as("a page another site asks the browser for").isEqualTo(403);
    // Nor may a page of another origin on this very host (same-site) make the page's own requests: the redraw of
    // a message, which looks the history up, or the stream.
    for (String site : List.of("cross-site", "same-site")) {
      for (String path : List.of("/chat/" + bobKey + "/message?id=x", "/events?chat=" + bobKey)) {
        WebHttp.Response r = WebHttp.request(web.port, "GET", path, WebHttp.headers("Host", web.host,
            "Cookie", cookie, "Sec-Fetch-Site", site), null);
        assertThat(r.status()).as(site + " " + path).isEqualTo(403);
      }
    }
    assertThat(h.as("bob", "history", "alice").out()).doesNotContain("from another site");

    WebHttp.Response ours = web.post(send, cookie, csrf, "text=" + URLEncoder.encode("from our page", StandardCharsets.UTF_8));
    assertThat(ours.status()).as(ours.toString()).isEqualTo(200);
    assertThat(h.as("bob", "history", "alice").out()).contains("from our page").doesNotContain("from another site");
  }

  private WebHttp.Response post(String path, String cookie, String origin, String csrf, String body) throws IOException {
    return WebHttp.request(web.port, "POST", path, WebHttp.headers("Host", web.host, "Cookie", cookie, "Origin", origin,
        "X-CSRF-Token", csrf, "Content-Type", "application/x-www-form-urlencoded"), body);
  }

  /**
   * Another account on the machine can connect to any loopback port. It gets nothing without the session: not the
   * pages, not the launch file that hands the link to the browser (0600 in a 0700 directory), and not the token from
   * the browser's command line (which names only that file). When the tests run as root, the requests and the read
   * are made as the user nobody.
   */
  @Test
  void anotherLocalUserCannotReadThePage() throws Exception {
    web.close();
    Path args = tmp.resolve("browser-args");
    Path browser = tmp.resolve("fake-browser");
    Files.writeString(browser, "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + args + "\n");
    browser.toFile().setExecutable(true);
    h.env.put("BROWSER", browser.toString());
    try (WebHarness opened = WebHarness.startOpening(h, "alice")) {
      eventually(() -> Files.exists(args) && !read(args).isBlank(), "the browser was started");
      Path launchFile = Path.of(read(args).strip());
      String token = URI.create(opened.url).getRawQuery();
      assertThat(read(args)).as("the browser's arguments, which every user can read").doesNotContain(token)
          .doesNotContain(opened.host);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(launchFile))).isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(launchFile.getParent()))).isEqualTo("rwx------");
      assertThat(read(launchFile)).contains(opened.url.replace("&", "&amp;"));

      if (asNobodyPossible()) {
        assertThat(asNobody("cat", launchFile.toString()).exit).as("nobody reads the launch file").isNotZero();
        Result page = asNobody("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--resolve",
            URI.create(opened.url).getHost() + ":" + opened.port + ":127.0.0.1", opened.origin + "/");
        assertThat(page.out).as("nobody's request for the page").isEqualTo("401");
      } else {
        System.err.println("[WebSecurityTest] not root (or no setpriv/curl): another user's requests are checked as a"
            + " client without the session, the file by its mode");
      }
      assertThat(WebHttp.request(opened.port, "GET", "/", WebHttp.headers("Host", opened.host), null).status()).isEqualTo(401);

      String cookie = opened.launch();
      assertThat(opened.get("/", cookie).status()).isEqualTo(200);
      assertThat(launchFile).as("the launch file goes once the link is used").doesNotExist();
    }
  }

  @Test
  void everyAnswerCarriesTheStrictPolicyAndThePagesLoadNothingFromElsewhere() throws Exception {
    String cookie = web.launch();
    List<WebHttp.Response> answers = List.of(
        web.get("/", cookie), web.get("/chat/" + bobKey, cookie), web.get("/assets/app.js", cookie),
        web.get("/assets/htmx.min.js", cookie), web.get("/nothing-here", cookie),
        WebHttp.request(web.port, "GET", "/", WebHttp.headers("Host", web.host), null),
        WebHttp.request(web.port, "GET", "/", WebHttp.headers("Host", "evil.example"), null));
    for (WebHttp.Response r : answers) {
      assertThat(r.header("Content-Security-Policy")).as(r.status() + "").isEqualTo("default-src 'none'; script-src 'self'; "
          + "style-src 'self'; img-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
          + "frame-ancestors 'none'");
      assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
      assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(r.header("Cache-Control")).isEqualTo("no-store");
      assertThat(r.header("Access-Control-Allow-Origin")).as("no CORS: other origins read nothing").isNull();
    }
    String page = web.get("/chat/" + bobKey, cookie).body();
    assertThat(page).doesNotContainPattern("(src|href)=\"https?:").doesNotContain("<style").doesNotContain(" style=")
        .doesNotContainPattern("<script(?![^>]*\\ssrc=\"/assets/)").doesNotContain("hx-on");
    assertThat(web.get("/assets/app.js", cookie).header("Content-Type")).startsWith("text/javascript");
  }

  @Test
  void theServerListensOnLoopbackOnly() throws Exception {
    List<InetAddress> others = new ArrayList<>();
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          others.add(a);
        }
      }
    }
    for (InetAddress a : others) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(a, web.port), 5_000);
        throw new AssertionError("reschat web answered on " + a);
      } catch (IOException refused) {
        // as it should
      }
    }
    if (others.isEmpty()) {
      System.err.println("[WebSecurityTest] this machine has no address but loopback: nothing else to try");
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }

  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  private record Result(int exit, String out) {}

  private static boolean asNobodyPossible() {
    return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"))
        && Files.isExecutable(Path.of("/usr/bin/curl"));
  }

  private static Result asNobody(String... command) throws Exception {
    List<String> all = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    all.addAll(List.of(command));
    Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(1, java.util.concurrent.TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("a command as nobody did not finish: " + all);
    }
    return new Result(p.exitValue(), out.strip());
  }
}
