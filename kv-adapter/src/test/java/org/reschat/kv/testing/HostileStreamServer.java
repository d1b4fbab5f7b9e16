package org.reschat.kv.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hostile store endpoint on loopback that answers a change stream with one message far larger than any
 * real one, written as fast as the client takes it: an etcd watch answer with no end to its first JSON
 * object, or a WebSocket frame that declares {@link #HUGE} bytes and then sends them. It counts the bytes
 * the client took (a client that bounds what it buffers hangs up early) and the connections it accepted.
 */
public final class HostileStreamServer implements AutoCloseable {
  /**
   * What the server does: an endless etcd watch message, a WebSocket frame of {@link #HUGE} bytes, or (DRIP)
   * any request answered 200 with a body dripped one byte a second, which no per-read timeout ever trips.
   */
  public enum Kind { ETCD_WATCH, WEBSOCKET, DRIP }

  /** How much one answer offers: far past any bound, and past what a small heap could hold. */
  public static final long HUGE = 256L * 1024 * 1024;

  private final Kind kind;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong mostTaken = new AtomicLong();
  private final AtomicInteger streams = new AtomicInteger();

  public HostileStreamServer(Kind kind) throws IOException {
    this.kind = kind;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "hostile-stream-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** The most bytes of the huge message one connection took before the client hung up. */
  public long mostTaken() {
    return mostTaken.get();
  }

  /** How many huge (or dripped) answers were started: a client that hangs up and asks again gets another. */
  public int streams() {
    return streams.get();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        open.add(client);
        Thread t = new Thread(() -> serve(client), "hostile-stream-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      String head = readHead(client.getInputStream());
      OutputStream out = client.getOutputStream();
      byte[] prefix;
      if (kind == Kind.DRIP) {
        streams.incrementAndGet();
        out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
            .getBytes(StandardCharsets.ISO_8859_1));
        while (!server.isClosed()) {
          out.flush();
          Thread.sleep(1000);
          out.write(' ');
        }
        return;
      }
      if (kind == Kind.WEBSOCKET) {
        String key = HttpHead.header(head, "sec-websocket-key");
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: " + HttpHead.websocketAccept(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81); // FIN, text
        frame.write(127); // a 64-bit length follows
        for (int shift = 56; shift >= 0; shift -= 8) {
          frame.write((int) (HUGE >>> shift) & 0xff);
        }
        prefix = frame.toByteArray();
      } else {
        out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1));
        prefix = "{\"result\":{\"header\":{\"revision\":\"7\"},\"events\":[{\"kv\":{\"key\":\"YQ==\",\"value\":\""
            .getBytes(StandardCharsets.ISO_8859_1);
      }
      out.write(prefix);
      streams.incrementAndGet();
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'A');
      long taken = 0;
      while (taken < HUGE) {
        out.write(chunk);
        taken += chunk.length;
        long seen = taken;
        mostTaken.accumulateAndGet(seen, Math::max);
      }
      out.flush();
    } catch (IOException e) {
      // the client hung up: what it took is counted
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(client);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    String length = HttpHead.header(text, "content-length");
    if (length != null) {
      in.readNBytes(Integer.parseInt(length));
    }
    return text;
  }

}
