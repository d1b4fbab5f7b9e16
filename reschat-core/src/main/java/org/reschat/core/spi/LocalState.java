package org.reschat.core.spi;

import org.reschat.core.LocalStateException;

/**
 * What one person's client keeps between runs: the composite of small stores, one per concern (as libsignal
 * splits its protocol store), so code that needs one concern takes that one: {@link VerifiedPages},
 * {@link Outbox}, {@link DeliveryMarks}, {@link GroupStates}, {@link RequestRecord}, {@link DeviceRecords}; plus the locks that
 * serialise work on one conversation and whether the profile is read-only.
 *
 * <p>Implementations are thread-safe, and make each call atomic and durable before it returns (a crash
 * leaves either the old or the new state). {@link #lock} serialises work on one conversation across
 * threads and, for on-disk implementations, across processes. An in-memory implementation is
 * {@link InMemoryLocalState}; the on-disk one lives in local-db.
 */
public interface LocalState extends VerifiedPages, Outbox, DeliveryMarks, GroupStates, RequestRecord, DeviceRecords {

  /**
   * Records version {@code value} of own page {@code number}, which the store has confirmed, as verified, and
   * removes it from the outbox if it is queued there: {@link #savePage} then {@link #removeOutbox}, which an
   * implementation may do in one atomic step (the profile on disk appends it to the feed's outbox log). The one
   * call that need not be durable when it returns, only atomic: a crash or power loss leaves the page as it was
   * held before (queued, or, when it was written before being queued, an older version or none) or verified. The
   * store holds it either way: the next publish of a page still queued reads it there and confirms it again,
   * writing nothing, and the next write over an older version compares against it and adopts it.
   */
  default void confirmOutbox(FeedId feed, long number, String value) throws LocalStateException {
    savePage(feed, number, value);
    removeOutbox(feed, number, value);
  }

  /**
   * Takes the lock of one conversation, waiting for other threads or processes that hold it.
   *
   * @throws LocalStateException when the lock cannot be taken (e.g. held elsewhere for too long)
   */
  Lock lock(String conversation) throws LocalStateException;

  /**
   * True for the state of a profile opened read-only: what a call learns is kept in memory only,
   * {@link #putOutbox} refuses, and nothing queued is published from it (the writable profile publishes
   * its own outbox; a copy must not).
   */
  default boolean readOnly() {
    return false;
  }

  /** A held lock; closing releases it. */
  interface Lock extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * The first message not yet delivered: slot {@code slot} of page {@code page}.
   *
   * @param page a page number, from 1
   * @param slot a slot index, from 0
   */
  record Position(long page, int slot) {
    public static final Position START = new Position(1, 0);

    /** Whether the message at ({@code page}, {@code slot}) is at or after this position. */
    public boolean includes(long atPage, int atSlot) {
      return atPage > page || (atPage == page && atSlot >= slot);
    }
  }
}
