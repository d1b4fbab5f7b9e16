package org.reschat.core.feed;

import java.util.ArrayList;
import java.util.List;
import org.reschat.core.FeedWarning;

/**
 * The warnings of one operation in the order found, one per kind and page of a feed (the first
 * explanation found is kept: a page read twice in a call is not reported twice). Thread-safe.
 */
final class Warnings {
  private final List<FeedWarning> found = new ArrayList<>();

  synchronized void add(FeedWarning w) {
    if (found.stream().noneMatch(f -> f.kind() == w.kind() && f.ownFeed() == w.ownFeed() && f.page() == w.page())) {
      found.add(w);
    }
  }

  synchronized List<FeedWarning> all() {
    return List.copyOf(found);
  }
}
