package org.reschat.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A few lines of HTTP/1.1 over a plain socket, for the web client's security tests: unlike the JDK's client it
 * sends any Host header (a rebinding page's), any Origin, or none at all, and reads an event stream as it comes.
 */
final class WebHttp {
  private WebHttp() {}

  record Response(int status, Map<String, List<String>> headers, String body) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? null : v.get(0);
    }

    List<String> all(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public String toString() {
      return status + " " + headers + "\n" + body;
    }
  }

  /** One request to 127.0.0.1:{@code port}; {@code headers} must include Host (null values are left out). */
  static Response request(int port, String method, String path, Map<String, String> headers, String body) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(120_000);
      send(s.getOutputStream(), method, path, headers, body);
      InputStream in = new BufferedInputStream(s.getInputStream());
      Head head = head(in);
      byte[] content;
      if ("chunked".equalsIgnoreCase(first(head.headers, "transfer-encoding"))) {
        content = new Chunked(in).readAllBytes();
      } else if (first(head.headers, "content-length") != null) {
        content = in.readNBytes(Integer.parseInt(first(head.headers, "content-length")));
      } else {
        content = new byte[0];
      }
      return new Response(head.status, head.headers, new String(content, StandardCharsets.UTF_8));
    }
  }

  static Map<String, String> headers(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /** An open event stream: its status, and its body as it arrives. */
  static final class Stream implements AutoCloseable {
    final int status;
    private final Socket socket;
    private final InputStream body;

    private Stream(Socket socket, int status, InputStream body) {
      this.socket = socket;
      this.status = status;
      this.body = body;
    }

    /**
     * Reads events until one whose text contains {@code wanted}; returns everything read up to it. Gives up after two
     * minutes (keep-alives keep a socket's read timeout from ever firing, and a blocked read ignores interrupts).
     */
    String until(String wanted) throws IOException {
      long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
      StringBuilder sb = new StringBuilder();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int c;
      while ((c = body.read()) >= 0) {
        if (System.nanoTime() > deadline) {
          throw new IOException("no \"" + wanted + "\" within two minutes; the stream said:\n" + sb);
        }
        line.write(c);
        if (c == '\n') {
          sb.append(line.toString(StandardCharsets.UTF_8));
          line.reset();
          if (sb.toString().contains(wanted) && sb.toString().endsWith("\n\n")) {
            return sb.toString();
          }
        }
      }
      throw new IOException("the stream ended before \"" + wanted + "\"; it said:\n" + sb);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  static Stream stream(int port, String path, Map<String, String> headers) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(120_000);
    send(s.getOutputStream(), "GET", path, headers, null);
    InputStream in = new BufferedInputStream(s.getInputStream());
    Head head = head(in);
    boolean chunked = "chunked".equalsIgnoreCase(first(head.headers, "transfer-encoding"));
    return new Stream(s, head.status, chunked ? new Chunked(in) : in);
  }

  private static void send(OutputStream out, String method, String path, Map<String, String> headers, String body)
      throws IOException {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    headers.forEach((k, v) -> {
      if (v != null) {
        sb.append(k).append(": ").append(v).append("\r\n");
      }
    });
    if (body != null) {
      sb.append("Content-Length: ").append(content.length).append("\r\n");
    }
    sb.append("Connection: close\r\n\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    out.write(content);
    out.flush();
  }

  private record Head(int status, Map<String, List<String>> headers) {}

  private static Head head(InputStream in) throws IOException {
    String status = line(in);
    if (status == null || !status.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer: " + status);
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String l;
    while ((l = line(in)) != null && !l.isEmpty()) {
      int colon = l.indexOf(':');
      headers.computeIfAbsent(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(l.substring(colon + 1).strip());
    }
    return new Head(Integer.parseInt(status.split(" ")[1]), headers);
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null ? null : v.get(0);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
  }

  /** Decodes a chunked body as it arrives. */
  private static final class Chunked extends InputStream {
    private final InputStream in;
    private int left;
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line(in);
        if (size != null && size.isEmpty()) {
          size = line(in); // the CRLF after the previous chunk
        }
        if (size == null) {
          done = true;
          return -1;
        }
        left = Integer.parseInt(size.split(";")[0].strip(), 16);
        if (left == 0) {
          done = true;
          return -1;
        }
      }
      int c = in.read();
      if (c >= 0) {
        left--;
      }
      return c;
    }
  }
}
