package org.reschat.kv.resilientdb;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.Changed;
import org.reschat.kv.ListenerWatch;

/**
 * Change hints from ResilientDB's HTTP service, which sends the text {@code Update blocks} over the
 * WebSocket {@code /blockupdatelistener} after each transaction call it handles. An endpoint only knows of
 * the transactions sent through it, so a watch listens on every endpoint, and is {@linkplain Watch#live()
 * live} only while all of its sockets are open. A socket that closes is opened again with a growing pause;
 * when it is back, a hint covers what may have happened meanwhile. Any message counts as a hint: the text
 * names no key, so every hint is {@link Changed#unknown()} and may be spurious for the caller's prefix.
 *
 * <p>The WebSocket (RFC 6455; {@code wss://} for an https endpoint) is read here, frame by frame: a
 * frame's payload is never kept, and a frame declaring more than {@link #MAX_FRAME_BYTES} drops the socket
 * before a byte of it is read, so a hostile endpoint cannot fill the heap through the stream (a general
 * WebSocket client buffers a whole message of any declared length first). Pings every
 * {@link #PING_EVERY} find a peer that vanished without closing.
 */
final class BlockUpdateNotifier implements ChangeNotifier {
  /** The largest frame read: the service's messages are a few bytes, control frames at most 125. */
  static final int MAX_FRAME_BYTES = 64 * 1024;
  private static final int MAX_HEAD_BYTES = 16 * 1024;
  private static final Duration FIRST_RETRY = Duration.ofMillis(250);
  private static final Duration MAX_RETRY = Duration.ofSeconds(5);
  private static final Duration PING_EVERY = Duration.ofSeconds(20);
  private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final List<HttpUrl> endpoints;
  private final Duration connectTimeout;
  private final ScheduledExecutorService timers;
  private final Set<ListenerWatch> running = ListenerWatch.newOpenSet();
  private final SecureRandom random = new SecureRandom();

  BlockUpdateNotifier(List<HttpUrl> endpoints, Duration connectTimeout) {
    this.endpoints = List.copyOf(endpoints);
    this.connectTimeout = connectTimeout;
    this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "reschat-resilientdb-watch");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public Watch watch(String keyPrefix, Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    return watchKeys(keyPrefix, changed -> onChange.run());
  }

  @Override
  public Watch watchKeys(String keyPrefix, Consumer<Changed> onChange) {
    SocketWatch watch = new SocketWatch(onChange);
    running.add(watch);
    watch.start();
    return watch;
  }

  void closeAll() {
    ListenerWatch.closeAll(running);
    timers.shutdownNow();
  }

  private final class SocketWatch extends ListenerWatch {
    private final List<Endpoint> sockets = new ArrayList<>();

    SocketWatch(Consumer<Changed> onChange) {
      super(onChange, running);
      for (HttpUrl url : endpoints) {
        sockets.add(new Endpoint(url));
      }
    }

    void start() {
      sockets.forEach(Endpoint::connect);
    }

    @Override
    public boolean live() {
      return !closed() && sockets.stream().allMatch(e -> e.open);
    }

    @Override
    protected void stop() {
      sockets.forEach(Endpoint::drop);
    }

    /** One endpoint's socket, read on a thread of its own and opened again whenever it closes. */
    private final class Endpoint {
      private final HttpUrl url;
      private volatile Socket socket;
      private volatile boolean open;
      private boolean everOpened;
      private Duration retry = FIRST_RETRY;

      Endpoint(HttpUrl url) {
        this.url = url;
      }

      void connect() {
        if (closed()) {
          return;
        }
        Thread reader = new Thread(this::run, "reschat-resilientdb-socket");
        reader.setDaemon(true);
        reader.start();
      }

      void drop() {
        open = false;
        Socket s = socket;
        if (s != null) {
          try {
            s.close();
          } catch (IOException e) {
            // already closed
          }
        }
      }

      private void run() {
        try (Socket plain = new Socket()) {
          socket = plain;
          if (closed()) {
            return;
          }
          plain.setTcpNoDelay(true);
          plain.connect(new InetSocketAddress(url.host(), url.port()), (int) connectTimeout.toMillis());
          Socket s = url.isHttps() ? tls(plain) : plain;
          // Nothing for three ping intervals: the peer is gone without closing.
          s.setSoTimeout((int) PING_EVERY.multipliedBy(3).toMillis());
          DataInputStream in = new DataInputStream(s.getInputStream());
          OutputStream out = s.getOutputStream();
          handshake(in, out);
          boolean reopened;
          synchronized (this) {
            open = true;
            retry = FIRST_RETRY;
            reopened = everOpened;
            everOpened = true;
          }
          if (reopened) {
            hint(); // something may have been committed while the socket was down
          }
          schedulePing(s, out);
          readFrames(in, out);
        } catch (IOException | RuntimeException e) {
          // lost below
        } finally {
          lost();
        }
      }

      /** wss:// for an https endpoint, with the host name checked as HTTPS does. */
      private Socket tls(Socket plain) throws IOException {
        javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) ((javax.net.ssl.SSLSocketFactory)
            javax.net.ssl.SSLSocketFactory.getDefault()).createSocket(plain, url.host(), url.port(), true);
        javax.net.ssl.SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        return ssl;
      }

      private void lost() {
        Duration wait;
        synchronized (this) {
          open = false;
          if (closed()) {
            return;
          }
          wait = retry;
          retry = ListenerWatch.doubled(retry, MAX_RETRY);
        }
        try {
          timers.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          // the store is closing
        }
      }

      private void handshake(DataInputStream in, OutputStream out) throws IOException {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String host = url.host() + ":" + url.port();
        out.write(("GET " + url.newBuilder().addPathSegment("blockupdatelistener").build().encodedPath()
            + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
          throw new IOException("no WebSocket at " + url + ": " + head.lines().findFirst().orElse(""));
        }
        if (!accept(key).equals(header(head, "sec-websocket-accept"))) {
          throw new IOException("a WebSocket answer for another request");
        }
      }

      /** Reads frames until the socket ends; any complete data message is a hint. */
      private void readFrames(DataInputStream in, OutputStream out) throws IOException {
        while (!closed()) {
          int first = in.readUnsignedByte();
          int second = in.readUnsignedByte();
          boolean fin = (first & 0x80) != 0;
          int opcode = first & 0x0f;
          if ((second & 0x80) != 0) {
            throw new IOException("a masked frame from the server");
          }
          long length = second & 0x7f;
          if (length == 126) {
            length = in.readUnsignedShort();
          } else if (length == 127) {
            length = in.readLong();
          }
          if (length < 0 || length > MAX_FRAME_BYTES) {
            throw new IOException("a frame of " + length + " bytes, over the " + MAX_FRAME_BYTES + "-byte bound");
          }
          switch (opcode) {
            case 0x9 -> { // ping: answer with its payload
              byte[] payload = new byte[(int) length];
              in.readFully(payload);
              send(out, 0xA, payload);
            }
            case 0x8 -> {
              return; // close: reconnect
            }
            default -> {
              in.skipNBytes(length); // text, binary, continuation or pong: the content says nothing
              if (fin && opcode != 0xA) {
                hint();
              }
            }
          }
        }
      }

      private void schedulePing(Socket s, OutputStream out) {
        try {
          timers.schedule(() -> {
            if (s.isClosed() || closed()) {
              return;
            }
            try {
              send(out, 0x9, new byte[0]);
              schedulePing(s, out);
            } catch (IOException e) {
              drop();
            }
          }, PING_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          // the store is closing
        }
      }

      /** Sends one frame, masked as a client's must be. */
      private void send(OutputStream out, int opcode, byte[] payload) throws IOException {
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 8);
        frame.write(0x80 | opcode);
        frame.write(0x80 | payload.length); // control frames are at most 125 bytes
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
          frame.write(payload[i] ^ mask[i % 4]);
        }
        synchronized (out) {
          out.write(frame.toByteArray());
          out.flush();
        }
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the endpoint closed the connection");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > MAX_HEAD_BYTES) {
        throw new IOException("an answer head over " + MAX_HEAD_BYTES + " bytes");
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  private static String accept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }
}
