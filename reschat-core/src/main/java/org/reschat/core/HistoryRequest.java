package org.reschat.core;

import java.util.Objects;

/**
 * How much history to load: the newest N pages of each feed (ResChat shows 2), or all of it down to page 1.
 *
 * @param pagesPerFeed pages of each feed, newest first; {@link Integer#MAX_VALUE} for all
 * @param progress told as pages are read from the store
 */
public record HistoryRequest(int pagesPerFeed, Progress progress) {
  /** ResChat's default view. */
  public static final int DEFAULT_PAGES = 2;

  public HistoryRequest {
    if (pagesPerFeed < 1) {
      throw new IllegalArgumentException("pagesPerFeed must be at least 1, not " + pagesPerFeed);
    }
    Objects.requireNonNull(progress, "progress");
  }

  public static HistoryRequest newest(int pagesPerFeed) {
    return new HistoryRequest(pagesPerFeed, Progress.NONE);
  }

  public static HistoryRequest all() {
    return new HistoryRequest(Integer.MAX_VALUE, Progress.NONE);
  }

  public HistoryRequest withProgress(Progress progress) {
    return new HistoryRequest(pagesPerFeed, progress);
  }

  /** Progress of a long load. Called from loading threads; implementations must be thread-safe. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (done, total) -> { };

    /** {@code done} of {@code total} pages have been read from the store. */
    void pagesRead(int done, int total);
  }
}
