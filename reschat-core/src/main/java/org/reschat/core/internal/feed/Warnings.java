package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.List;
import org.reschat.core.FeedWarning;

/**
 * The warnings of one operation in the order found, one per kind and page of a feed (the first
 * explanation found is kept: a page read twice in a call is not reported twice). Thread-safe.
 */
final class Warnings {
  private final List<FeedWarning> found = new ArrayList<>();
  private final java.util.Set<String> seen = new java.util.HashSet<>();

  /** Adds {@code w}, found in {@code feed} (a feed id, or another name), unless that feed's page has one of its kind. */
  synchronized void add(FeedWarning w, Object feed) {
    if (seen.add(w.kind() + "/" + feed + "/" + w.page())) {
      found.add(w);
    }
  }

  synchronized List<FeedWarning> all() {
    return List.copyOf(found);
  }
}
