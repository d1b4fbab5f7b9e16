package org.reschat.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code reschat web --no-browser} for one profile of a {@link CliHarness}, in this JVM on a thread of its own
 * (as the daemon tests run the daemon), and stops it by interrupting that thread, as Ctrl-C would stop it.
 */
final class WebHarness implements AutoCloseable {
  /** Wide: the first start on a loaded machine loads many classes. Nothing waits this long when things work. */
  static final Duration START = Duration.ofMinutes(2);

  final String url;
  final String host;
  final int port;
  final String origin;
  private final Thread thread;
  private final StringWriter err;
  private final int[] exitCode;

  private WebHarness(Thread thread, String url, StringWriter err, int[] exitCode) {
    this.thread = thread;
    this.url = url;
    this.err = err;
    this.exitCode = exitCode;
    URI u = URI.create(url);
    this.host = u.getHost() + ":" + u.getPort();
    this.port = u.getPort();
    this.origin = "http://" + host;
  }

  static WebHarness start(CliHarness h, String who, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--no-browser"));
    args.addAll(List.of(more));
    return run(h, who, args);
  }

  /** As {@link #start}, letting it open a browser ({@code BROWSER} in the harness's environment says which). */
  static WebHarness startOpening(CliHarness h, String who) throws Exception {
    return run(h, who, List.of());
  }

  private static WebHarness run(CliHarness h, String who, List<String> more) throws Exception {
    CompletableFuture<String> firstLine = new CompletableFuture<>();
    StringWriter errors = new StringWriter();
    Writer out = new Writer() {
      private final StringBuilder sb = new StringBuilder();

      @Override
      public synchronized void write(char[] c, int off, int len) {
        sb.append(c, off, len);
        int nl = sb.indexOf("\n");
        if (nl >= 0) {
          firstLine.complete(sb.substring(0, nl));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    List<String> args = new ArrayList<>(List.of("--home", h.root.resolve(who).toString(), "web"));
    args.addAll(more);
    CliContext ctx = CliContext.builder().env(h.env).out(new PrintWriter(out, true)).err(new PrintWriter(errors, true))
        .zone(ZoneOffset.UTC).build();
    int[] code = {-1};
    Thread t = new Thread(() -> {
      code[0] = Cli.run(ctx, args.toArray(new String[0]));
      firstLine.complete(null);
    }, "web-under-test");
    t.start();
    String url;
    try {
      url = firstLine.get(START.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      t.interrupt();
      throw new AssertionError("reschat web printed no URL in " + START + ":\n" + errors);
    }
    if (url == null) {
      throw new AssertionError("reschat web ended (exit " + code[0] + ") without a URL:\n" + errors);
    }
    return new WebHarness(t, url, errors, code);
  }

  /** What it said on stderr so far. */
  String stderr() {
    return err.toString();
  }

  /** Trades the launch token for a session; returns the Cookie header value to send. */
  String launch() throws IOException {
    WebHttp.Response r = WebHttp.request(port, "GET", URI.create(url).getRawPath() + "?" + URI.create(url).getRawQuery(),
        WebHttp.headers("Host", host), null);
    if (r.status() != 303) {
      throw new AssertionError("the launch URL did not give a session: " + r);
    }
    return r.header("Set-Cookie").split(";")[0];
  }

  /** The CSRF token a page of the session carries. */
  String csrf(String cookie) throws IOException {
    String page = get("/", cookie).body();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"").matcher(page);
    if (!m.find()) {
      throw new AssertionError("no CSRF token in the page:\n" + page);
    }
    return m.group(1);
  }

  WebHttp.Response get(String path, String cookie) throws IOException {
    return WebHttp.request(port, "GET", path, WebHttp.headers("Host", host, "Cookie", cookie), null);
  }

  /** A POST as the page makes it: our Origin, the CSRF header, a form body. */
  WebHttp.Response post(String path, String cookie, String csrf, String form) throws IOException {
    return WebHttp.request(port, "POST", path, WebHttp.headers("Host", host, "Cookie", cookie, "Origin", origin,
        "X-CSRF-Token", csrf, "HX-Request", "true", "Content-Type", "application/x-www-form-urlencoded"), form);
  }

  /** Stops it as Ctrl-C does, and returns its exit code. */
  int stop() throws InterruptedException {
    thread.interrupt();
    thread.join(Duration.ofMinutes(1).toMillis());
    if (thread.isAlive()) {
      throw new AssertionError("reschat web did not stop within a minute of being interrupted");
    }
    return exitCode[0];
  }

  @Override
  public void close() {
    if (thread.isAlive()) {
      try {
        stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
