package org.reschat.cli.web;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/** One request as a handler sees it, already let through by the {@link LoopbackGate}, and its answer. */
final class WebRequest {
  /** Largest form body read (a message is at most 16 KiB of UTF-8, three times that once URL-encoded). */
  static final int MAX_FORM_BYTES = 256 * 1024;

  private final HttpExchange exchange;
  private final String session;
  private final String csrf;
  private Matcher path;
  private Map<String, String> query;
  private Map<String, String> form;
  private boolean answered;

  WebRequest(HttpExchange exchange, String session, String csrf) {
    this.exchange = exchange;
    this.session = session;
    this.csrf = csrf;
  }

  void path(Matcher m) {
    this.path = m;
  }

  HttpExchange exchange() {
    return exchange;
  }

  String method() {
    return exchange.getRequestMethod();
  }

  /** The session this request belongs to (null on {@code /launch}). */
  String session() {
    return session;
  }

  /** The session's CSRF token, for the pages to send back. */
  String csrf() {
    return csrf;
  }

  /** Group {@code n} of the route's path pattern. */
  String pathPart(int n) {
    return path.group(n);
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /** A query parameter, or null. */
  String query(String name) {
    if (query == null) {
      query = decode(exchange.getRequestURI().getRawQuery());
    }
    return query.get(name);
  }

  /** A field of a form body ({@code application/x-www-form-urlencoded}), or null. */
  String form(String name) throws IOException {
    if (form == null) {
      form = decode(new String(readBody(MAX_FORM_BYTES), StandardCharsets.UTF_8));
    }
    return form.get(name);
  }

  /** Every value of a repeated form field. */
  List<String> formAll(String name) throws IOException {
    form(name);
    String joined = form.get(name + "[]");
    return joined == null ? List.of() : List.of(joined.split("\u0000"));
  }

  InputStream body() {
    return exchange.getRequestBody();
  }

  private byte[] readBody(int max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try (InputStream in = exchange.getRequestBody()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > max) {
          throw new WebException(413, "That is more than a page takes.");
        }
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  /** Form or query decoding; a repeated name's values are kept under {@code name[]}, joined by NUL. */
  private static Map<String, String> decode(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
      out.merge(k + "[]", v, (a, b) -> a + "\u0000" + b);
    }
    return out;
  }

  boolean answered() {
    return answered;
  }

  /** Answers with a page or a fragment. */
  void html(int status, Html body) throws IOException {
    send(status, "text/html; charset=utf-8", body.toString().getBytes(StandardCharsets.UTF_8));
  }

  void html(Html body) throws IOException {
    html(200, body);
  }

  /** Asks htmx to load {@code location} as a whole page (after an action that moves elsewhere). */
  void hxRedirect(String location) throws IOException {
    exchange.getResponseHeaders().set("HX-Redirect", location);
    send(204, null, new byte[0]);
  }

  /** An ordinary redirect (303: the next request is a GET). */
  void redirect(String location) throws IOException {
    exchange.getResponseHeaders().set("Location", location);
    send(303, null, new byte[0]);
  }

  void send(int status, String contentType, byte[] body) throws IOException {
    if (contentType != null) {
      exchange.getResponseHeaders().set("Content-Type", contentType);
    }
    answered = true;
    if (body.length == 0) {
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.sendResponseHeaders(status, "HEAD".equals(method()) ? -1 : body.length);
      if (!"HEAD".equals(method())) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
    exchange.close();
  }

  /** Starts a streamed answer of unknown length (chunked), for the event stream and downloads. */
  OutputStream stream(int status, String contentType) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    answered = true;
    exchange.sendResponseHeaders(status, 0);
    return exchange.getResponseBody();
  }

  void setHeader(String name, String value) {
    exchange.getResponseHeaders().set(name, value);
  }
}
