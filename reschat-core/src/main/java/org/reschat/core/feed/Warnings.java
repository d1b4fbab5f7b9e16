package org.reschat.core.feed;

import java.util.ArrayList;
import java.util.List;
import org.reschat.core.FeedWarning;

/** The warnings of one operation, each reported once, in the order found. Thread-safe. */
final class Warnings {
  private final List<FeedWarning> found = new ArrayList<>();

  synchronized void add(FeedWarning w) {
    if (!found.contains(w)) {
      found.add(w);
    }
  }

  synchronized List<FeedWarning> all() {
    return List.copyOf(found);
  }
}
