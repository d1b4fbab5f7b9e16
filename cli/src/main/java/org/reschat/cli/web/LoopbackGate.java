package org.reschat.cli.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Who may talk to {@code reschat web}: a loopback port is open to every account on the machine and to every
 * page the browser shows, so each request is checked here before anything else sees it.
 *
 * <ul>
 *   <li>The server answers only to its own name, {@code rc-<random>.localhost:PORT} (a Host allow-list of
 *       one): a page that rebinds its DNS name to 127.0.0.1 still sends its own name, and is refused.</li>
 *   <li>The URL printed at start carries a one-time launch token; {@code /launch} trades it, once, for a session
 *       cookie ({@code HttpOnly; SameSite=Strict}). Without that cookie every request is 401.</li>
 *   <li>Cookies ignore ports: a cookie for {@code 127.0.0.1} would reach any other server on a loopback port.
 *       Ours is set for the random name, which nothing else serves and nobody else can guess.</li>
 *   <li>Every state-changing request (POST) needs {@code Origin} equal to ours and the session's CSRF token
 *       in a header: a custom header cannot be sent cross-origin without a CORS preflight, which is never
 *       answered.</li>
 *   <li>A request the browser marks as coming from another site ({@code Sec-Fetch-Site}) is refused.</li>
 * </ul>
 */
final class LoopbackGate {
  static final String COOKIE = "rc_session";
  static final String CSRF_HEADER = "X-CSRF-Token";

  private final SecureRandom random;
  private final String hostName;
  private volatile int port;
  private final byte[] launchToken;
  private final AtomicBoolean launched = new AtomicBoolean();
  /** Session id → its CSRF token. Sessions live in this process only and end with it. */
  private final Map<String, String> sessions = new ConcurrentHashMap<>();

  LoopbackGate(SecureRandom random) {
    this.random = random;
    this.hostName = "rc-" + hex(10) + ".localhost";
    this.launchToken = randomToken().getBytes(StandardCharsets.US_ASCII);
  }

  void port(int port) {
    this.port = port;
  }

  /** {@code rc-….localhost:PORT}: the one Host this server answers to. */
  String host() {
    return hostName + ":" + port;
  }

  String origin() {
    return "http://" + host();
  }

  /** The URL to open: the launch page with the one-time token. */
  String launchUrl() {
    return origin() + "/launch?t=" + new String(launchToken, StandardCharsets.US_ASCII);
  }

  /** Whether {@code host} (a Host header) is this server's own name. */
  boolean ownHost(String host) {
    return host != null && host.toLowerCase(Locale.ROOT).equals(host());
  }

  /** Whether {@code host} names this port by a plain loopback name (only {@code /launch} is answered there, by a redirect). */
  boolean plainLoopback(String host) {
    return host != null && (host.equals("127.0.0.1:" + port) || host.equalsIgnoreCase("localhost:" + port));
  }

  boolean launched() {
    return launched.get();
  }

  /**
   * Trades the launch token for a new session, once: a second use, or any other token, gets nothing. The
   * comparison takes the same time whatever the guess.
   */
  Optional<String> launch(String token) {
    if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII), launchToken)) {
      return Optional.empty();
    }
    if (!launched.compareAndSet(false, true)) {
      return Optional.empty();
    }
    String id = randomToken();
    sessions.put(id, randomToken());
    return Optional.of(id);
  }

  /** The Set-Cookie value for session {@code id}: not readable by scripts, never sent by another site's request. */
  static String cookie(String id) {
    return COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict";
  }

  /** The session a request's Cookie headers name, if it is one of ours. */
  Optional<String> session(List<String> cookieHeaders) {
    if (cookieHeaders == null) {
      return Optional.empty();
    }
    for (String header : cookieHeaders) {
      for (String part : header.split(";")) {
        String p = part.strip();
        if (p.startsWith(COOKIE + "=")) {
          String id = p.substring(COOKIE.length() + 1);
          for (String known : sessions.keySet()) {
            if (MessageDigest.isEqual(known.getBytes(StandardCharsets.US_ASCII), id.getBytes(StandardCharsets.US_ASCII))) {
              return Optional.of(known);
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  /** The CSRF token of session {@code id}, which its pages carry and its POSTs send back in {@link #CSRF_HEADER}. */
  String csrf(String id) {
    return sessions.get(id);
  }

  /** Whether a state-changing request of session {@code id} came from our own page: its Origin and its CSRF token. */
  boolean sameOriginWithToken(String id, String origin, String csrfHeader) {
    String expected = sessions.get(id);
    return expected != null && origin != null && origin.equalsIgnoreCase(origin())
        && csrfHeader != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        csrfHeader.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Whether the browser says the request comes from another site ({@code Sec-Fetch-Site}); absent (an older
   * browser, a script) is judged by the other checks alone.
   */
  static boolean fromElsewhere(String secFetchSite) {
    return secFetchSite != null && !secFetchSite.equals("same-origin") && !secFetchSite.equals("none");
  }

  private String randomToken() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private String hex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x));
    }
    return sb.toString();
  }
}
