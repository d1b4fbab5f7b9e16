package org.reschat.core.internal.conversation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.reschat.core.internal.page.PageLimits;

/**
 * One conversation's ledger keys of pages and slot records (protocol §4.8), each derived once (an HKDF expansion, a
 * base64 encoding and a check of the alphabet): a live receive asked for the record it polls in the batched pass, in
 * the poll that finds it and in the poll of the next one, and at each page boundary for all twenty record keys, twice.
 * A key is a function of the secret, the writer and the place, so what is kept is what would be derived. Bounded:
 * past {@value #PAGES} page positions it starts over. Thread-safe (two threads may derive the same key: the same value).
 */
final class LedgerKeys {
  /**
   * Page positions (writer and page number) kept per conversation: each feed's open page and the next, a few closed
   * ones. A history of a thousand pages starts over some times, deriving once per page as before, and keeps no more.
   */
  static final int PAGES = 64;
  /** Where a page's own key is kept, after its record keys. */
  static final int PAGE_KEY = PageLimits.SLOTS_PER_PAGE;
  /** Keys derived in this process so far: a count for tests, never a limit. */
  private static final AtomicLong DERIVED = new AtomicLong();

  private record Place(String writer, long page) {}

  private final Map<Place, String[]> keys = new ConcurrentHashMap<>();

  static long derived() {
    return DERIVED.get();
  }

  /** Page positions kept now (tests check the bound). */
  int positions() {
    return keys.size();
  }

  /** The key at {@code slot} (a record's index, or {@link #PAGE_KEY}) of page {@code page} of {@code writer}. */
  String get(String writer, long page, int slot, Supplier<String> derive) {
    Place place = new Place(writer, page);
    String[] held = keys.get(place);
    if (held == null) {
      if (keys.size() >= PAGES) {
        keys.clear();
      }
      held = keys.computeIfAbsent(place, p -> new String[PAGE_KEY + 1]);
    }
    String key = held[slot];
    if (key == null) {
      DERIVED.incrementAndGet();
      key = derive.get();
      held[slot] = key;
    }
    return key;
  }
}
