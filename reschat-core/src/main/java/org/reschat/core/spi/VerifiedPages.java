package org.reschat.core.spi;

import java.util.Optional;
import org.reschat.core.LocalStateException;

/**
 * Part of {@link LocalState}: the verified copies of pages and the evidence of equivocation: the client's memory of the ledger. When the
 * ledger later shows less, or something else, the verified copy wins. Thread-safe; each call atomic and durable before it returns.
 */
public interface VerifiedPages {
  /** The newest verified version of page {@code number} of {@code feed}, as its sealed ledger value. */
  Optional<String> page(FeedId feed, long number) throws LocalStateException;
  /** Records a verified page, replacing a version it extends (callers never replace one it contradicts). */
  void savePage(FeedId feed, long number, String value) throws LocalStateException;
  /** The highest page number held for {@code feed}, or 0 when none. */
  long newestPage(FeedId feed) throws LocalStateException;
  /**
   * Says the verified pages of {@code feed} numbered below {@code number} are no longer needed: the records of this
   * device's own pages that have closed, each page verified whole in their place (protocol §4.8). An implementation
   * may drop them, at once or later, or keep them; nothing needs to be durable. The caller never reads them again.
   */
  default void forgetPagesBelow(FeedId feed, long number) throws LocalStateException {
    // kept: dropping them is a saving, never a duty
  }

  /**
   * Keeps a second signed version of a page that contradicts the verified one: evidence of
   * equivocation. Never replaces the verified copy. Keeping the same value twice keeps it once.
   */
  void saveEvidence(FeedId feed, long number, String value) throws LocalStateException;
  /** The evidence kept for page {@code number} of {@code feed}, oldest first. */
  java.util.List<String> evidence(FeedId feed, long number) throws LocalStateException;
}
