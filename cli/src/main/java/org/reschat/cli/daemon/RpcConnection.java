package org.reschat.cli.daemon;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.List;
import org.reschat.cli.Json;

/**
 * One JSON-RPC 2.0 peer: a request (or a batch) per line in, a response per line out, notifications of
 * arriving messages in between. Used for a socket connection and for stdio alike.
 */
public final class RpcConnection implements Daemon.Listener {
  /** JSON-RPC's own codes; the daemon's errors are {@code -32000 - exit code} (see the README). */
  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int COMMAND_FAILED = -32000;
  /** A line longer than this is refused, so a peer cannot fill memory; a message is at most 16 KiB. */
  static final int MAX_LINE = 1024 * 1024;

  /** What {@link #readLine} returns for a line over {@link #MAX_LINE}; compared by identity. */
  private static final String TOO_LONG = new String("too long");

  /**
   * Notifications waiting to be written to this peer. A peer that stops reading fills it and is dropped
   * (its connection closed), so it never holds up the engine, the other peers or its own answers.
   */
  static final int MAX_QUEUED_NOTIFICATIONS = 1024;

  private final Daemon daemon;
  private final BufferedReader in;
  private final Writer out;
  private final Runnable onDrop;
  private final java.util.concurrent.BlockingQueue<JsonObject> queued =
      new java.util.concurrent.ArrayBlockingQueue<>(MAX_QUEUED_NOTIFICATIONS);
  private volatile boolean open = true;

  /** A peer on {@code in} and {@code out}; {@code onDrop} cuts its connection when it is dropped. */
  public RpcConnection(Daemon daemon, Reader in, Writer out, Runnable onDrop) {
    this.daemon = daemon;
    this.in = new BufferedReader(in);
    this.out = out;
    this.onDrop = onDrop;
  }

  /** Answers requests until the peer closes its end. */
  public void serve() throws IOException {
    Thread writer = new Thread(this::writeNotifications, "reschat-rpc-notify");
    writer.setDaemon(true);
    writer.start();
    daemon.addListener(this);
    try {
      String line;
      while ((line = readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        @SuppressWarnings("StringEquality")
        JsonElement answer = line == TOO_LONG
            ? error(JsonNull.INSTANCE, INVALID_REQUEST, "Invalid request: the line is over 1 MiB.", null)
            : handleLine(line);
        if (answer != null) {
          write(answer);
        }
      }
    } finally {
      daemon.removeListener(this);
      open = false;
      writer.interrupt();
    }
  }

  /** Writes queued notifications in order, on a thread of its own: a slow peer slows only itself. */
  private void writeNotifications() {
    try {
      while (open) {
        JsonObject n = queued.take();
        try {
          write(n);
        } catch (IOException e) {
          daemon.removeListener(this); // the peer went away; its reader ends the connection
          return;
        }
      }
    } catch (InterruptedException e) {
      // the connection ended
    }
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        return sb.toString();
      }
      if (sb.length() >= MAX_LINE) {
        // Skip the rest of the line and answer it as unparseable.
        while ((c = in.read()) >= 0 && c != '\n') {
          // discard
        }
        return TOO_LONG;
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /** The answer to one line: a response, an array of responses, or null when only notifications came. */
  JsonElement handleLine(String line) {
    JsonElement request;
    try {
      request = JsonParser.parseString(line);
    } catch (JsonParseException e) {
      return error(JsonNull.INSTANCE, PARSE_ERROR, "Parse error: the line is not JSON.", null);
    }
    if (request.isJsonArray()) {
      JsonArray batch = request.getAsJsonArray();
      if (batch.isEmpty()) {
        return error(JsonNull.INSTANCE, INVALID_REQUEST, "Invalid request: the batch is empty.", null);
      }
      JsonArray answers = new JsonArray();
      for (JsonElement r : batch) {
        JsonObject a = handle(r);
        if (a != null) {
          answers.add(a);
        }
      }
      return answers.isEmpty() ? null : answers;
    }
    return handle(request);
  }

  private JsonObject handle(JsonElement element) {
    if (!element.isJsonObject()) {
      return error(JsonNull.INSTANCE, INVALID_REQUEST, "Invalid request: a request is a JSON object.", null);
    }
    JsonObject r = element.getAsJsonObject();
    JsonElement id = r.has("id") ? r.get("id") : null;
    boolean validId = id == null || id.isJsonNull() || (id.isJsonPrimitive() && !id.getAsJsonPrimitive().isBoolean());
    if (!r.has("jsonrpc") || !"2.0".equals(asString(r.get("jsonrpc"))) || !r.has("method")
        || asString(r.get("method")) == null || !validId) {
      return error(validId && id != null ? id : JsonNull.INSTANCE, INVALID_REQUEST,
          "Invalid request: it needs \"jsonrpc\": \"2.0\", a string \"method\" and a string or number \"id\".", null);
    }
    String name = asString(r.get("method"));
    JsonElement params = r.get("params");
    JsonObject answer = call(id == null ? JsonNull.INSTANCE : id, name, params);
    return id == null ? null : answer; // a notification gets no answer, as JSON-RPC says
  }

  private JsonObject call(JsonElement id, String name, JsonElement params) {
    if (RpcMethods.DEVICE_LINK.equals(name)) {
      return link(id, params);
    }
    RpcMethods.Method method = RpcMethods.all().get(name);
    if (method == null) {
      return error(id, METHOD_NOT_FOUND, "Method not found: " + name + ". The methods are: "
          + String.join(", ", RpcMethods.all().keySet()) + ", " + RpcMethods.DEVICE_LINK + ".", null);
    }
    if (params != null && !params.isJsonNull() && !params.isJsonObject()) {
      return error(id, INVALID_PARAMS, "Invalid params: pass them by name, as an object.", null);
    }
    List<String> args;
    try {
      args = method.arguments().apply(new RpcMethods.Params(params == null || params.isJsonNull() ? null
          : params.getAsJsonObject()));
    } catch (RpcMethods.Unchecked e) {
      return error(id, INVALID_PARAMS, "Invalid params: " + e.bad().getMessage(), null);
    }
    Daemon.Outcome o = daemon.run(args);
    JsonElement result = Daemon.result(method.shape(), o);
    if (result == null) {
      JsonObject data = new JsonObject();
      data.addProperty("exit_code", o.exitCode());
      return error(id, COMMAND_FAILED - o.exitCode(), o.error(), data);
    }
    JsonObject answer = new JsonObject();
    answer.addProperty("jsonrpc", "2.0");
    answer.add("result", result);
    answer.add("id", id);
    return answer;
  }

  /** {@code device.link}: the daemon keeps the code between the two calls, so it is no command run. */
  private JsonObject link(JsonElement id, JsonElement params) {
    String check = null;
    if (params != null && !params.isJsonNull()) {
      if (!params.isJsonObject()) {
        return error(id, INVALID_PARAMS, "Invalid params: pass them by name, as an object.", null);
      }
      JsonElement c = params.getAsJsonObject().get("check");
      if (c != null && !c.isJsonNull()) {
        check = asString(c);
        if (check == null) {
          return error(id, INVALID_PARAMS, "Invalid params: \"check\" is a string (the ten digits the new device shows).",
              null);
        }
      }
    }
    try {
      JsonObject answer = new JsonObject();
      answer.addProperty("jsonrpc", "2.0");
      answer.add("result", daemon.link(check));
      answer.add("id", id);
      return answer;
    } catch (Daemon.LinkFailure f) {
      JsonObject data = new JsonObject();
      data.addProperty("exit_code", f.exitCode());
      return error(id, COMMAND_FAILED - f.exitCode(), f.getMessage(), data);
    }
  }

  private static String asString(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
  }

  static JsonObject error(JsonElement id, int code, String message, JsonObject data) {
    JsonObject error = new JsonObject();
    error.addProperty("code", code);
    error.addProperty("message", message);
    if (data != null) {
      error.add("data", data);
    }
    JsonObject answer = new JsonObject();
    answer.addProperty("jsonrpc", "2.0");
    answer.add("error", error);
    answer.add("id", id);
    return answer;
  }

  @Override
  public boolean offer(JsonObject notification) {
    return queued.offer(notification);
  }

  @Override
  public void dropped() {
    open = false;
    onDrop.run();
  }

  /** One JSON value per line; inert, as every --json line is, so a terminal showing it is safe. */
  private void write(JsonElement value) throws IOException {
    synchronized (out) {
      out.write(Json.inert(value.toString()));
      out.write('\n');
      out.flush();
    }
  }
}
