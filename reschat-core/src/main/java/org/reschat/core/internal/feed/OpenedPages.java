package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.QueuedRecords;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.spi.FeedId;

/**
 * Pages (and slot records) this client opened from values it holds (verified or queued), kept across operations: the newest
 * pages of a conversation are needed by every send and receive (the own tail, the other feeds' newest pages
 * for heads and stamps), and opening one is an envelope decryption and a parse. Keyed by feed, number and
 * the exact value: the same bytes at the same key always open to the same page. Only values this client
 * holds locally go in, never one merely read from the store. Two versions per page (those used last);
 * bounded, least recently used first out; thread-safe.
 */
final class OpenedPages {
  /** Pages of this many feed positions at most (two versions each): every chat's newest pages and tails. */
  static final int CAPACITY = 256;
  /** Records kept (protocol §4.8): an open record page of 20 in ~50 chats; each is read at every operation. */
  static final int RECORD_CAPACITY = 1024;

  private record Key(FeedId feed, long number) {}

  /** The value a page was opened from, and the page. */
  private record Opened(String value, Page page) {}

  /**
   * By feed and number, the two versions used last (a send holds the verified tail and the grown one it
   * queues): hashing a 10 KB value would cost more than comparing it with two.
   */
  private final Map<Key, Opened[]> pages = new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Opened[]> eldest) {
      return size() > CAPACITY;
    }
  };

  /** Records by their companion feed and number ({@link HeldRecords}): one value each, a record is written once. */
  private final Map<Key, OpenedRecord> openedRecords = new LinkedHashMap<>(RECORD_CAPACITY * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, OpenedRecord> eldest) {
      return size() > RECORD_CAPACITY;
    }
  };

  private record OpenedRecord(String value, SlotRecord record) {}

  /**
   * Each open record page's records kept here, in order, by companion feed and page: records are kept once each and
   * in order (a kept record is never replaced by another), so a receive goes on from these and reads from the local
   * state only what another process of the profile may have kept after them; it read every record kept at each pass.
   */
  private final Map<Key, List<SlotRecord>> keptInOrder = new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, List<SlotRecord>> eldest) {
      return size() > CAPACITY;
    }
  };

  /** An own open record page as this client last queued it ({@link QueuedRecords}): its value, parts and records. */
  record Queued(String value, List<String> parts, List<SlotRecord> records) {}

  /**
   * By own feed and page, the value last queued here: the next send's outbox value starts with it, so it is neither
   * split nor its records looked up again (each send did so for every record before its own, issue 24).
   */
  private final Map<Key, Queued> queued = new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Queued> eldest) {
      return size() > CAPACITY;
    }
  };

  /** Page {@code page} of {@code feed} as queued here as {@code value}, or null when another value is queued. */
  synchronized Queued queued(FeedId feed, long page, String value) {
    Queued q = queued.get(new Key(feed, page));
    return q != null && q.value().equals(value) ? q : null;
  }

  synchronized void putQueued(FeedId feed, long page, Queued q) {
    queued.put(new Key(feed, page), q);
  }

  /** The records of page {@code page} kept under the companion feed {@code feed}, in order, as far as known here. */
  synchronized List<SlotRecord> keptRecords(FeedId feed, long page) {
    List<SlotRecord> kept = keptInOrder.get(new Key(feed, page));
    return kept == null ? List.of() : List.copyOf(kept);
  }

  /** How many records of page {@code page} are kept under the companion feed {@code feed}, as far as known here. */
  synchronized int keptCount(FeedId feed, long page) {
    List<SlotRecord> kept = keptInOrder.get(new Key(feed, page));
    return kept == null ? 0 : kept.size();
  }

  /** Notes that {@code records}, read in order from the local state, are the first records kept of page {@code page}. */
  synchronized void keptRecords(FeedId feed, long page, List<SlotRecord> records) {
    keptInOrder.put(new Key(feed, page), new ArrayList<>(records));
  }

  /** Notes that {@code record} was kept at its place; a place past the next one known forgets the page (read again). */
  synchronized void kept(FeedId feed, SlotRecord record) {
    Key key = new Key(feed, record.page());
    List<SlotRecord> kept = keptInOrder.computeIfAbsent(key, k -> new ArrayList<>());
    if (record.index() < kept.size()) {
      kept.set(record.index(), record);
    } else if (record.index() == kept.size()) {
      kept.add(record);
    } else {
      keptInOrder.remove(key);
    }
  }

  /** The record {@code value} opened to at {@code number} of the companion feed {@code feed}, if kept. */
  synchronized SlotRecord record(FeedId feed, long number, String value) {
    OpenedRecord o = openedRecords.get(new Key(feed, number));
    return o != null && o.value().equals(value) ? o.record() : null;
  }

  synchronized void putRecord(FeedId feed, long number, String value, SlotRecord record) {
    openedRecords.put(new Key(feed, number), new OpenedRecord(value, record));
  }

  /** Look-ups of pages ({@link #get}) in this process: a count for tests, never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong LOOKUPS = new java.util.concurrent.atomic.AtomicLong();

  /** How many times a page opened before was looked up in this process so far (tests count a path's). */
  static long lookups() {
    return LOOKUPS.get();
  }

  /** The page {@code value} opened to at page {@code number} of {@code feed}, if it is a version kept. */
  synchronized Page get(FeedId feed, long number, String value) {
    LOOKUPS.incrementAndGet();
    Opened[] kept = pages.get(new Key(feed, number));
    if (kept != null) {
      for (Opened o : kept) {
        if (o != null && o.value().equals(value)) {
          return o.page();
        }
      }
    }
    return null;
  }

  synchronized void put(FeedId feed, long number, String value, Page page) {
    Opened[] kept = pages.get(new Key(feed, number));
    Opened newest = new Opened(value, page);
    pages.put(new Key(feed, number), kept == null || kept[0].value().equals(value) ? new Opened[] {newest, null}
        : new Opened[] {newest, kept[0]});
  }
}
