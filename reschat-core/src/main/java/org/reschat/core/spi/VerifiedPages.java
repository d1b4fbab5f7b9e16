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
   * Keeps a second signed version of a page that contradicts the verified one: evidence of
   * equivocation. Never replaces the verified copy. Keeping the same value twice keeps it once.
   */
  void saveEvidence(FeedId feed, long number, String value) throws LocalStateException;
  /** The evidence kept for page {@code number} of {@code feed}, oldest first. */
  java.util.List<String> evidence(FeedId feed, long number) throws LocalStateException;
}
