package org.reschat.core.spi;

import org.reschat.core.LocalStateException;

/**
 * Part of {@link LocalState}: how far each feed's messages were delivered (what a receive returns once).
 * Thread-safe; each call atomic and durable before it returns.
 */
public interface DeliveryMarks {
  /** How far {@code update} has delivered messages of {@code feed}. */
  LocalState.Position delivered(FeedId feed) throws LocalStateException;
  void saveDelivered(FeedId feed, LocalState.Position position) throws LocalStateException;
}
