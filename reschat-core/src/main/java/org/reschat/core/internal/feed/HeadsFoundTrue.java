package org.reschat.core.internal.feed;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.reschat.core.internal.page.Page;
import org.reschat.core.spi.FeedId;

/**
 * The pages whose heads were all found true against what this client holds ({@link Heads#check}), so they need not
 * be compared again: what a client holds of a feed only grows (a verified page is never replaced, only grown, and
 * the newest only moves on), and a head that held against less holds against more. In a group where every member
 * reads records each member's notice page names the others, so comparing them all at every receive was ~n²/2 heads
 * (protocol §4.9 cost). Only a page found true goes in: one with a claim that does not hold is compared, and
 * warned of, again. One entry per feed, its newest page checked, by hash; bounded, least recently used first out;
 * thread-safe.
 */
final class HeadsFoundTrue {
  /** Feeds at most: every member feed of the groups and chats a client reads at once. */
  static final int CAPACITY = 1024;

  private final Map<FeedId, byte[]> pages = new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<FeedId, byte[]> eldest) {
      return size() > CAPACITY;
    }
  };

  /** Whether every head of {@code page}, {@code feed}'s, was found true here before. */
  synchronized boolean holds(FeedId feed, Page page) {
    byte[] hash = pages.get(feed);
    return hash != null && Arrays.equals(hash, page.hash());
  }

  /** Notes that every head of {@code page}, {@code feed}'s, was found true. */
  synchronized void found(FeedId feed, Page page) {
    pages.put(feed, page.hash());
  }
}
