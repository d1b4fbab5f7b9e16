package org.reschat.kv.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The front door of one emulated ResilientDB endpoint when it serves the block-update WebSocket: one
 * loopback port that, like the real service's, answers both {@code GET /blockupdatelistener} (a WebSocket,
 * RFC 6455, spoken here) and the HTTP KV routes (passed byte for byte to the WireMock server behind it).
 * {@link #broadcast} sends a text message to every open listener, as the service does after a transaction.
 */
final class BlockUpdateFront implements AutoCloseable {

  private final int backendPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
  private volatile boolean refuseListeners;

  BlockUpdateFront(int backendPort) throws IOException {
    this.backendPort = backendPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "resilientdb-front-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** How many WebSocket listeners are connected. */
  int listeners() {
    return listeners.size();
  }

  /** Sends {@code text} to every connected listener. */
  void broadcast(String text) {
    for (Listener l : listeners) {
      l.send(text);
    }
  }

  /** Closes every listener's socket (as a restarting service would) and, while set, refuses new ones with 503. */
  void refuseListeners(boolean refuse) {
    this.refuseListeners = refuse;
    if (refuse) {
      for (Listener l : listeners) {
        l.drop();
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        client.setTcpNoDelay(true);
        open.add(client);
        Thread t = new Thread(() -> serve(client), "resilientdb-front-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try {
      InputStream in = client.getInputStream();
      byte[] head = readHead(in);
      if (head == null) {
        return;
      }
      String text = new String(head, StandardCharsets.ISO_8859_1);
      if (text.startsWith("GET /blockupdatelistener ") && text.toLowerCase(Locale.ROOT).contains("upgrade: websocket")) {
        upgrade(client, text);
      } else {
        proxy(client, head);
      }
    } catch (IOException e) {
      // the peer went away
    } finally {
      open.remove(client);
      closeQuietly(client);
    }
  }

  /** The request line and headers, up to the blank line; null when the client closed first. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 64 * 1024) {
        throw new IOException("request head too long");
      }
    }
    return head.toByteArray();
  }

  /** Passes one connection to WireMock, both directions, until either side closes. */
  private void proxy(Socket client, byte[] head) throws IOException {
    try (Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
      backend.setTcpNoDelay(true);
      open.add(backend);
      backend.getOutputStream().write(head);
      Thread up = new Thread(() -> pump(client, backend), "resilientdb-front-up");
      up.setDaemon(true);
      up.start();
      pump(backend, client);
    } finally {
      closeQuietly(client);
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed or reset
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private void upgrade(Socket client, String head) throws IOException {
    OutputStream out = client.getOutputStream();
    String key = HttpHead.header(head, "sec-websocket-key");
    if (refuseListeners || key == null) {
      out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      return;
    }
    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + HttpHead.websocketAccept(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    Listener listener = new Listener(client);
    listeners.add(listener);
    try {
      listener.readUntilClosed();
    } finally {
      listeners.remove(listener);
    }
  }

  /** One WebSocket connection: the server sends unmasked text frames and answers pings and closes. */
  private static final class Listener {
    private final Socket socket;

    Listener(Socket socket) {
      this.socket = socket;
    }

    synchronized void send(String text) {
      sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    void drop() {
      closeQuietly(socket);
    }

    private synchronized void sendFrame(int opcode, byte[] payload) {
      try {
        OutputStream out = socket.getOutputStream();
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode); // FIN
        if (payload.length < 126) {
          frame.write(payload.length);
        } else {
          frame.write(126);
          frame.write(payload.length >>> 8);
          frame.write(payload.length & 0xff);
        }
        frame.write(payload);
        out.write(frame.toByteArray());
        out.flush();
      } catch (IOException e) {
        closeQuietly(socket);
      }
    }

    void readUntilClosed() throws IOException {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int first = in.read();
        if (first < 0) {
          return;
        }
        int opcode = first & 0x0f;
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        byte[] mask = new byte[4];
        if ((second & 0x80) != 0) {
          in.readFully(mask);
        }
        if (length > 1 << 20) {
          return;
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i % 4];
        }
        if (opcode == 0x8) {
          sendFrame(0x8, payload); // echo the close, then hang up
          return;
        }
        if (opcode == 0x9) {
          sendFrame(0xA, payload);
        }
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
