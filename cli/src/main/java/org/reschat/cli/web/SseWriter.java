package org.reschat.cli.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes server-sent events (the {@code text/event-stream} format): {@code id}, {@code event} and the data, one
 * {@code data:} line per line of it, each event flushed at once.
 */
final class SseWriter {
  private final OutputStream out;

  SseWriter(OutputStream out) {
    this.out = out;
  }

  /** How long the browser waits before reconnecting after the stream breaks. */
  void retry(int millis) throws IOException {
    write("retry: " + millis + "\n\n");
  }

  /** An event; {@code id} null leaves the cursor where the last id put it. */
  void event(String id, String name, Html data) throws IOException {
    StringBuilder sb = new StringBuilder();
    if (id != null) {
      sb.append("id: ").append(id).append('\n');
    }
    sb.append("event: ").append(name).append('\n');
    // CR and CRLF end a line in this format as LF does: every line break becomes its own data line.
    for (String line : data.toString().split("\r\n|\r|\n", -1)) {
      sb.append("data: ").append(line).append('\n');
    }
    write(sb.append('\n').toString());
  }

  /** Moves the browser's cursor without an event (an id with no data dispatches nothing). */
  void idOnly(String id) throws IOException {
    write("id: " + id + "\n\n");
  }

  /** A comment line: keeps the connection alive and finds tabs that closed. */
  void comment(String text) throws IOException {
    write(": " + text + "\n\n");
  }

  private void write(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
