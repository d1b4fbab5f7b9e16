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
  private final List<Lasting> lasting = new ArrayList<>();

  private record Lasting(FeedWarning warning, Object feed) {}

  /** Adds {@code w}, found in {@code feed} (a feed id, or another name), unless that feed's page has one of its kind. */
  synchronized void add(FeedWarning w, Object feed) {
    if (seen.add(w.kind() + "/" + feed + "/" + w.page())) {
      found.add(w);
    }
  }

  /**
   * Adds {@code w} as one found once only: what it rests on is not read again (tagged records a signed page
   * contradicted, dropped once the page is taken), so a second read of the same operation keeps it ({@link #lasting}).
   */
  synchronized void addLasting(FeedWarning w, Object feed) {
    if (seen.add(w.kind() + "/" + feed + "/" + w.page())) {
      found.add(w);
      lasting.add(new Lasting(w, feed));
    }
  }

  /** A new set holding only the warnings added as lasting: what a second read of the operation starts from. */
  synchronized Warnings lasting() {
    Warnings w = new Warnings();
    for (Lasting l : lasting) {
      w.addLasting(l.warning(), l.feed());
    }
    return w;
  }

  synchronized List<FeedWarning> all() {
    return List.copyOf(found);
  }
}
