package org.reschat.core.spi;

import java.util.SortedMap;
import org.reschat.core.LocalStateException;

/**
 * Part of {@link LocalState}: this person's own pages written but not yet confirmed by the store. Every page is durable here before it is
 * sent, so a message accepted is never lost. Thread-safe; each call atomic and durable before it returns.
 */
public interface Outbox {
  /** This person's own pages written but not yet confirmed by the store: page number → newest version. */
  SortedMap<Long, String> outbox(FeedId feed) throws LocalStateException;
  /**
   * The conversations (by {@link FeedId#conversation()}) with at least one own page in the outbox: what a
   * receive must publish even where nothing else changed. One look, not one per feed.
   */
  java.util.Set<String> queuedConversations() throws LocalStateException;
  /** Adds or replaces an outbox page. Must be durable before the page is sent. */
  void putOutbox(FeedId feed, long number, String value) throws LocalStateException;
  /** Removes an outbox page if it still holds exactly {@code value} (a newer version stays). */
  void removeOutbox(FeedId feed, long number, String value) throws LocalStateException;
}
