package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reschat web} as a command: the URL first on stdout, the port it is given, the live stream of what another
 * profile sends (resumed from its cursor after a reconnect), and a clean stop on Ctrl-C.
 */
class WebCommandTest {
  @TempDir
  Path tmp;

  private static String fingerprintHex(CliHarness h, String who) {
    return CliHarness.check(h.as(who, "whoami", "--json")).out().replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1")
        .replace(" ", "").strip();
  }

  @Test
  void theFirstLineOnStdoutIsTheUrlOnARandomLocalhostName() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.init("alice");
    try (WebHarness web = WebHarness.start(h, "alice")) {
      assertThat(web.url).matches("http://rc-[0-9a-f]{20}\\.localhost:[0-9]{1,5}/launch\\?t=[A-Za-z0-9_-]{32}");
      // The note follows the URL line: wait for it rather than race it.
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
      while (!web.stderr().contains("127.0.0.1 only") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(web.stderr()).contains("127.0.0.1 only").doesNotContain(URI.create(web.url).getRawQuery());
    }
  }

  @Test
  void theGivenPortIsUsedAndATakenOneIsExitSevenInOneSentence() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.init("alice");
    int free;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      free = probe.getLocalPort();
    }
    try (WebHarness web = WebHarness.start(h, "alice", "--port", Integer.toString(free))) {
      assertThat(web.port).isEqualTo(free);
    }
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliHarness.Result r = h.as("alice", "web", "--no-browser", "--port", Integer.toString(taken.getLocalPort()));
      assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.LOCAL);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).contains("Cannot listen on 127.0.0.1:" + taken.getLocalPort()).contains("--port");
    }
    CliHarness.Result bad = h.as("alice", "web", "--no-browser", "--port", "70000");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("70000 is not a port number");
  }

  /**
   * The stream's cursor is the event id: a page that loses its stream and comes back with {@code Last-Event-ID} gets
   * what arrived meanwhile, and nothing it already had; a cursor from another run of the server makes it reload.
   */
  @Test
  void aReconnectingStreamGetsWhatArrivedMeanwhileFromItsCursor() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    String bob = "d-" + fingerprintHex(h, "bob");
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      String page = web.get("/chat/" + bob, cookie).body();
      Matcher after = Pattern.compile("after=([^&\"]+)").matcher(page);
      assertThat(after.find()).isTrue();
      String lastId;
      try (WebHttp.Stream s = WebHttp.stream(web.port, "/events?chat=" + bob + "&after=" + after.group(1),
          WebHttp.headers("Host", web.host, "Cookie", cookie))) {
        assertThat(s.status).isEqualTo(200);
        CliHarness.check(h.as("bob", "send", "alice", "first while connected"));
        String got = s.until("first while connected");
        Matcher id = Pattern.compile("(?m)^id: (\\S+)$").matcher(got);
        lastId = null;
        while (id.find()) {
          lastId = id.group(1);
        }
        assertThat(lastId).isNotNull();
      }
      // Disconnected: bob writes again; the server's receiver takes it (the chat list counts it unread) meanwhile.
      CliHarness.check(h.as("bob", "send", "alice", "second while away"));
      WebSecurityTest.eventually(() -> {
        try {
          return web.get("/", cookie).body().contains("2 unread"); // the first, never marked read, and the second
        } catch (IOException e) {
          return false;
        }
      }, "the second message reached the server while no stream was open");
      try (WebHttp.Stream s = WebHttp.stream(web.port, "/events?chat=" + bob + "&after=" + after.group(1),
          WebHttp.headers("Host", web.host, "Cookie", cookie, "Last-Event-ID", lastId))) {
        String got = s.until("second while away");
        assertThat(got).doesNotContain("first while connected");
      }
      try (WebHttp.Stream s = WebHttp.stream(web.port, "/events?after=zzz-1",
          WebHttp.headers("Host", web.host, "Cookie", cookie))) {
        assertThat(s.until("event: reload")).contains("event: reload");
      }
    }
  }

  /**
   * A file from the page: the body is the file, its progress to the store comes on the page's stream (always its last
   * step, 100%, however fast the store is), the friend gets the file; and a file fetched for the page is a download
   * (never shown inline), with its progress on the stream too.
   */
  @Test
  void filesGoThroughTheEngineWithTheirProgressOnTheStream() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    String bob = "d-" + fingerprintHex(h, "bob");
    try (WebHarness web = WebHarness.start(h, "alice")) {
      String cookie = web.launch();
      String csrf = web.csrf(cookie);
      String content = "x".repeat(600_000); // three chunks
      try (WebHttp.Stream s = WebHttp.stream(web.port, "/events?chat=" + bob + "&after=" + after(web, cookie, bob),
          WebHttp.headers("Host", web.host, "Cookie", cookie))) {
        WebHttp.Response up = WebHttp.request(web.port, "POST", "/chat/" + bob + "/file?name=big.txt&transfer=abc123",
            WebHttp.headers("Host", web.host, "Cookie", cookie, "Origin", web.origin, "X-CSRF-Token", csrf,
                "HX-Request", "true", "Content-Type", "application/octet-stream", "X-File-Type", "text/plain"), content);
        assertThat(up.status()).as(up.toString()).isEqualTo(200);
        assertThat(up.body()).contains("big.txt").contains("class=\"msg sent file");
        // However many steps the store took (on a fast machine one event may carry them all), the last says 100%.
        String progress = s.until("value=\"100\"");
        assertThat(progress).contains("id=\"up-abc123\"").contains("Sending big.txt to the store");
      }
      String id = CliHarness.check(h.as("bob", "--json", "files", "alice")).out().replaceAll("(?s).*\"id\":\"(f:[^\"]+)\".*", "$1");
      Path got = tmp.resolve("got.txt");
      CliHarness.check(h.as("bob", "download", "alice", id, "-o", got.toString()));
      assertThat(Files.readString(got)).isEqualTo(content);

      try (WebHttp.Stream s = WebHttp.stream(web.port, "/events?chat=" + bob + "&after=" + after(web, cookie, bob),
          WebHttp.headers("Host", web.host, "Cookie", cookie))) {
        WebHttp.Response down = web.get("/chat/" + bob + "/file/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8),
            cookie);
        assertThat(down.status()).isEqualTo(200);
        assertThat(down.body()).isEqualTo(content);
        assertThat(down.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(down.header("Content-Disposition")).startsWith("attachment; filename=\"big.txt\"");
        assertThat(s.until("value=\"100\"")).contains("Fetching");
      }
      assertThat(web.get("/chat/" + bob + "/file/f%3Anothing", cookie).status()).isEqualTo(404);
      WebHttp.Response noName = WebHttp.request(web.port, "POST", "/chat/" + bob + "/file?transfer=abc123",
          WebHttp.headers("Host", web.host, "Cookie", cookie, "Origin", web.origin, "X-CSRF-Token", csrf), "x");
      assertThat(noName.status()).isEqualTo(400);
    }
  }

  private static String after(WebHarness web, String cookie, String chat) throws IOException {
    Matcher m = Pattern.compile("after=([^&\"]+)").matcher(web.get("/chat/" + chat, cookie).body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  /** Ctrl-C (SIGINT) in a real process: the server stops, the port closes, its private directory goes, exit is clean. */
  @Test
  @Tag("slow")
  void ctrlCStopsItCleanly() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.init("alice");
    Path log = tmp.resolve("web.log");
    Path err = tmp.resolve("web.err");
    List<String> cmd = new ArrayList<>(ChildProcesses.DEFAULT_SIGINT);
    cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + tmp, Main.class.getName(), "--home",
        tmp.resolve("alice").toString(), "web", "--no-browser"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().putAll(h.env);
    Process p = pb.start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String url = out.readLine();
      assertThat(url).as(Files.exists(err) ? Files.readString(err) : "").startsWith("http://rc-");
      URI u = URI.create(url);
      String host = u.getHost() + ":" + u.getPort();
      assertThat(WebHttp.request(u.getPort(), "GET", u.getRawPath() + "?" + u.getRawQuery(), WebHttp.headers("Host", host),
          null).status()).isEqualTo(303);
      try (Stream<Path> scratch = Files.list(tmp).filter(f -> f.getFileName().toString().startsWith("reschat-web-"))) {
        assertThat(scratch.count()).as("its private directory while it runs").isEqualTo(1);
      }
      new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
      assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("stopped after Ctrl-C").isTrue();
      assertThat(p.exitValue()).as(Files.readString(err)).isIn(0, 130);
      assertThat(Files.readString(err)).contains("reschat web: stopped.");
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), u.getPort())) {
        throw new AssertionError("the port still answers after the stop");
      } catch (IOException closed) {
        // as it should
      }
      try (Stream<Path> scratch = Files.list(tmp).filter(f -> f.getFileName().toString().startsWith("reschat-web-"))) {
        assertThat(scratch.count()).as("its private directory is removed").isZero();
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(1, TimeUnit.MINUTES);
    }
  }
}
