package org.reschat.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * A script's JSON-RPC connection to {@code reschat daemon}'s Unix socket: requests numbered 1, 2, … and their
 * answers, with the daemon's notifications in between. The one way the tests talk to a daemon over its socket.
 */
final class DaemonConnection implements AutoCloseable {
  private final SocketChannel channel;
  private final BufferedReader in;
  private final Writer out;
  private int lastId;

  private DaemonConnection(SocketChannel channel) {
    this.channel = channel;
    this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    this.out = new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8);
  }

  /**
   * Connects once the daemon listens at {@code socket}; a failure when {@code running} says it ended first. A
   * socket file may be there before it listens (bound, not yet accepting, or a stale one it will replace).
   */
  static DaemonConnection open(Path socket, BooleanSupplier running) throws InterruptedException {
    while (true) {
      if (!running.getAsBoolean()) {
        throw new AssertionError("the daemon ended before listening");
      }
      if (Files.exists(socket)) {
        try {
          SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
          try {
            c.connect(UnixDomainSocketAddress.of(socket));
            return new DaemonConnection(c);
          } catch (IOException notYet) {
            c.close();
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      Thread.sleep(20);
    }
  }

  /** Sends a request of {@code method} with {@code params} (a JSON object) and returns its answer. */
  JsonObject call(String method, String params) throws IOException {
    int id = ++lastId;
    out.write("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}\n");
    out.flush();
    while (true) {
      JsonObject o = next();
      if (o.has("id") && o.get("id").getAsInt() == id) {
        return o;
      }
    }
  }

  /** The next line the daemon writes (an answer or a notification), parsed; a failure when it closed the socket. */
  JsonObject next() throws IOException {
    String line = in.readLine();
    if (line == null) {
      throw new AssertionError("the daemon closed the connection");
    }
    return JsonParser.parseString(line).getAsJsonObject();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
