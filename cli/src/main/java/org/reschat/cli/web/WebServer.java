package org.reschat.cli.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP side of {@code reschat web}: the JDK's server on 127.0.0.1 (never another interface), every request
 * through the {@link LoopbackGate} first, then to the route it names. Handlers sit behind the small
 * {@link Handler} interface, so another server (Javalin, for WebSocket or HTTP/2) would be a contained change.
 */
final class WebServer implements AutoCloseable {
  /** What a route does with a request the gate let through. */
  @FunctionalInterface
  interface Handler {
    void handle(WebRequest request) throws Exception;
  }

  /** Turns a failure of a handler into an answer (a page or a fragment with one sentence). */
  @FunctionalInterface
  interface Failure {
    void answer(WebRequest request, Exception e) throws IOException;
  }

  private record Route(String method, Pattern path, Handler handler) {}

  /**
   * Every answer carries these. The policy allows this server's own scripts and styles only: no inline script
   * or style, nothing from elsewhere, no framing (clickjacking), no form posting elsewhere.
   */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
      + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private final LoopbackGate gate;
  private final List<Route> routes = new ArrayList<>();
  private Failure failure = (r, e) -> r.send(500, "text/plain; charset=utf-8", "error".getBytes(StandardCharsets.UTF_8));
  private HttpServer server;
  private ExecutorService threads;
  private Runnable launched = () -> { };

  WebServer(LoopbackGate gate) {
    this.gate = gate;
  }

  WebServer get(String path, Handler h) {
    routes.add(new Route("GET", Pattern.compile(path), h));
    return this;
  }

  WebServer post(String path, Handler h) {
    routes.add(new Route("POST", Pattern.compile(path), h));
    return this;
  }

  WebServer onFailure(Failure f) {
    this.failure = f;
    return this;
  }

  /** Runs after a launch token was traded for a session (the launch file is no longer needed). */
  WebServer onLaunch(Runnable r) {
    this.launched = r;
    return this;
  }

  /**
   * Listens on 127.0.0.1:{@code port} (0: a free one) and returns the port.
   *
   * @throws BindException the port is taken
   */
  int start(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    // One thread per request: an event stream holds its thread for as long as its tab is open.
    threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "reschat-web");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/", this::dispatch);
    server.start();
    gate.port(server.getAddress().getPort());
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      threads.shutdownNow();
      try {
        threads.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void dispatch(HttpExchange ex) {
    try (ex) {
      var h = ex.getResponseHeaders();
      h.set("Content-Security-Policy", CSP);
      h.set("X-Content-Type-Options", "nosniff");
      h.set("X-Frame-Options", "DENY");
      h.set("Referrer-Policy", "no-referrer");
      h.set("Cross-Origin-Opener-Policy", "same-origin");
      h.set("Cross-Origin-Resource-Policy", "same-origin");
      h.set("Cache-Control", "no-store"); // messages are not kept in the browser's disk cache
      serve(ex);
    } catch (IOException e) {
      // the browser went away
    } catch (RuntimeException e) {
      try {
        plain(ex, 500, "Something went wrong inside reschat web.");
      } catch (IOException gone) {
        // nothing to tell
      }
    }
  }

  private void serve(HttpExchange ex) throws IOException {
    String host = ex.getRequestHeaders().getFirst("Host");
    String path = ex.getRequestURI().getRawPath();
    String method = ex.getRequestMethod();
    if (!gate.ownHost(host)) {
      if (gate.plainLoopback(host) && path.equals("/launch")) {
        // The printed URL names the random host; someone who typed 127.0.0.1 instead is sent there, so the
        // cookie is set for that name only. No cookie, no page, nothing but the redirect is given here.
        String query = ex.getRequestURI().getRawQuery();
        ex.getResponseHeaders().set("Location", gate.origin() + "/launch" + (query == null ? "" : "?" + query));
        ex.sendResponseHeaders(303, -1);
        return;
      }
      plain(ex, 403, "This server answers only at the address reschat web printed.");
      return;
    }
    if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("POST")) {
      plain(ex, 405, "Not a method this server takes.");
      return;
    }
    if (path.equals("/launch")) {
      launch(ex);
      return;
    }
    if (LoopbackGate.fromElsewhere(ex.getRequestHeaders().getFirst("Sec-Fetch-Site"))) {
      plain(ex, 403, "Requests from other sites are refused.");
      return;
    }
    Optional<String> session = gate.session(ex.getRequestHeaders().get("Cookie"));
    if (session.isEmpty()) {
      plain(ex, 401, "Open the link that reschat web printed in its terminal. A link works once: to open another "
          + "browser, stop reschat web and start it again.");
      return;
    }
    if (method.equals("POST") && !gate.sameOriginWithToken(session.get(), ex.getRequestHeaders().getFirst("Origin"),
        ex.getRequestHeaders().getFirst(LoopbackGate.CSRF_HEADER))) {
      plain(ex, 403, "This request did not come from a page of this server.");
      return;
    }
    WebRequest request = new WebRequest(ex, session.get(), gate.csrf(session.get()));
    for (Route r : routes) {
      Matcher m = r.path.matcher(path);
      if (m.matches() && (r.method.equals(method) || (method.equals("HEAD") && r.method.equals("GET")))) {
        request.path(m);
        try {
          r.handler.handle(request);
        } catch (Exception e) {
          if (!request.answered()) {
            failure.answer(request, e);
          }
        }
        return;
      }
    }
    plain(ex, 404, "No such page.");
  }

  private void launch(HttpExchange ex) throws IOException {
    String query = ex.getRequestURI().getRawQuery();
    String token = null;
    if (query != null) {
      for (String p : query.split("&")) {
        if (p.startsWith("t=")) {
          token = p.substring(2);
        }
      }
    }
    Optional<String> session = gate.launch(token);
    if (session.isEmpty()) {
      plain(ex, 401, "This link is not valid (any more): each link reschat web prints works once. Stop reschat web and"
          + " start it again for a new one.");
      return;
    }
    ex.getResponseHeaders().add("Set-Cookie", LoopbackGate.cookie(session.get()));
    launched.run();
    ex.getResponseHeaders().set("Location", "/");
    ex.sendResponseHeaders(303, -1);
  }

  /** A short page without script or style, for refusals. */
  private static void plain(HttpExchange ex, int status, String sentence) throws IOException {
    byte[] body = Html.t("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>reschat</title><p>{}</p></html>\n",
        sentence).toString().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    ex.sendResponseHeaders(status, "HEAD".equals(ex.getRequestMethod()) ? -1 : body.length);
    if (!"HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseBody().write(body);
    }
  }
}
