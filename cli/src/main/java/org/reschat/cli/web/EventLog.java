package org.reschat.cli.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.Message;

/**
 * What the pages' event streams show, in order, each item under a number: the engine's events (from the one
 * receiver of this process) and what this process did itself (a message sent from one tab, a friend added).
 *
 * <p>The number is the stream's cursor: every item goes out with {@code id: BOOT-N}, the browser's
 * {@code EventSource} sends the last one back as {@code Last-Event-ID} when it reconnects, and the stream
 * goes on after it, so nothing is missed across a reconnect. The log keeps the newest {@link #CAPACITY} items;
 * a cursor older than that, or from another run of the server ({@code BOOT}), is told to reload the page,
 * which reads the history afresh. Thread-safe.
 */
final class EventLog {
  static final int CAPACITY = 4096;

  /** One thing a stream may show. */
  sealed interface Item permits FromEngine, Sent, ChatsChanged, Progress, Notice {}

  /** An event of the receiver. */
  record FromEngine(Event event) implements Item {}

  /** This person sent {@code message} to {@code chat} from one of the pages (the others show it too). */
  record Sent(ChatId chat, Message message) implements Item {}

  /** Something the chat list shows changed here (a friend added, a group made, a request answered). */
  record ChatsChanged() implements Item {}

  /** A file moving between this computer and the store: {@code done} of {@code total} bytes. */
  record Progress(ChatId chat, String transfer, String label, long done, long total) implements Item {}

  /** Something that went wrong away from the page that asked (a download that failed a check); {@code chat} null: every page. */
  record Notice(ChatId chat, String text) implements Item {}

  /** An item and its number. */
  record Entry(long seq, Item item) {}

  /**
   * What a stream gets after its cursor: the entries, or {@code gap} when some it should have seen are no longer
   * held (the page then reloads).
   */
  record Batch(List<Entry> entries, boolean gap, boolean closed) {}

  private final String boot;
  private final Entry[] ring = new Entry[CAPACITY];
  private long last;
  private boolean closed;

  EventLog(String boot) {
    this.boot = boot;
  }

  /** Names this run of the server in cursors, so a cursor from an earlier run is never taken for one of this run. */
  String boot() {
    return boot;
  }

  synchronized long append(Item item) {
    last++;
    ring[(int) (last % CAPACITY)] = new Entry(last, item);
    notifyAll();
    return last;
  }

  /** The number of the newest item: a page rendered now starts its stream after it. */
  synchronized long cursor() {
    return last;
  }

  String cursorText(long seq) {
    return boot + "-" + seq;
  }

  /**
   * The cursor a stream gives, as a number of this run; -1 when it is from another run or unreadable (the
   * page then reloads).
   */
  long parse(String cursor) {
    if (cursor == null || !cursor.startsWith(boot + "-")) {
      return -1;
    }
    try {
      long n = Long.parseLong(cursor.substring(boot.length() + 1));
      return n >= 0 && n <= cursor() ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The entries after {@code cursor}, waiting up to {@code wait} for the first one; empty when none came in
   * time (the stream then sends a keep-alive) or the log is closed.
   */
  synchronized Batch after(long cursor, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (last <= cursor && !closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return new Batch(List.of(), false, false);
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    if (closed) {
      return new Batch(List.of(), false, true);
    }
    long oldest = Math.max(1, last - CAPACITY + 1);
    if (cursor + 1 < oldest) {
      return new Batch(List.of(), true, false);
    }
    List<Entry> out = new ArrayList<>((int) (last - cursor));
    for (long n = cursor + 1; n <= last; n++) {
      out.add(ring[(int) (n % CAPACITY)]);
    }
    return new Batch(out, false, false);
  }

  /** Ends every stream's wait: the server is stopping. */
  synchronized void close() {
    closed = true;
    notifyAll();
  }
}
