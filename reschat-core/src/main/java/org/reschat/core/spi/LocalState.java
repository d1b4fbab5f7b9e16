package org.reschat.core.spi;

import java.util.Optional;
import java.util.SortedMap;
import org.reschat.core.LocalStateException;
import org.reschat.core.spi.FeedId;

/**
 * What one person's client keeps between runs, per feed: the verified pages it has seen (sealed, as on
 * the ledger), the outbox of its own pages not yet confirmed by the store, evidence of equivocation, and
 * how far {@code update} has delivered. The verified pages are the client's memory of the ledger: when the ledger later shows
 * less, or something else, the verified copy wins.
 *
 * <p>Implementations are thread-safe, and make each call atomic and durable before it returns (a crash
 * leaves either the old or the new state). {@link #lock} serialises work on one conversation across
 * threads and, for on-disk implementations, across processes. An in-memory implementation is
 * {@link InMemoryLocalState}; the on-disk one lives in local-db.
 */
public interface LocalState {

  /** The newest verified version of page {@code number} of {@code feed}, as its sealed ledger value. */
  Optional<String> page(FeedId feed, long number) throws LocalStateException;

  /** Records a verified page, replacing a version it extends (callers never replace one it contradicts). */
  void savePage(FeedId feed, long number, String value) throws LocalStateException;

  /** The highest page number held for {@code feed}, or 0 when none. */
  long newestPage(FeedId feed) throws LocalStateException;

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

  /**
   * Records the queued version {@code value} of own page {@code number} as verified and removes it from the
   * outbox, once the store has confirmed it: {@link #savePage} then {@link #removeOutbox}, which an
   * implementation may do in one atomic step (the profile on disk renames the outbox file over the page).
   * The one call that need not be durable when it returns, only atomic: a crash or power loss leaves the page
   * queued or verified, never neither, and a page still queued that the store holds is confirmed again by the
   * next publish (which reads the store first), writing nothing.
   */
  default void confirmOutbox(FeedId feed, long number, String value) throws LocalStateException {
    savePage(feed, number, value);
    removeOutbox(feed, number, value);
  }

  /**
   * Keeps a second signed version of a page that contradicts the verified one: evidence of
   * equivocation. Never replaces the verified copy. Keeping the same value twice keeps it once.
   */
  void saveEvidence(FeedId feed, long number, String value) throws LocalStateException;

  /** The evidence kept for page {@code number} of {@code feed}, oldest first. */
  java.util.List<String> evidence(FeedId feed, long number) throws LocalStateException;

  /** A group's state, sealed by the caller, by group id; empty when this profile is in no such group. */
  Optional<String> group(String id) throws LocalStateException;

  /** Records a group's state, replacing the previous one. */
  void saveGroup(String id, String sealed) throws LocalStateException;

  /** The ids of every group recorded. */
  java.util.List<String> groupIds() throws LocalStateException;

  /** The message-request inbox's record (what was read, who asked, who is ignored); empty before the first. */
  Optional<String> requests() throws LocalStateException;

  /** Replaces the message-request record. */
  void saveRequests(String record) throws LocalStateException;

  /** How far {@code update} has delivered messages of {@code feed}. */
  Position delivered(FeedId feed) throws LocalStateException;

  void saveDelivered(FeedId feed, Position position) throws LocalStateException;

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
