package org.reschat.core.feed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.LocalStateException;
import org.reschat.core.page.Head;
import org.reschat.core.page.Page;

/**
 * Freshness. Every page carries its writer's view of the other feeds; a reader compares those views with
 * what the store served it. A feed another member saw further than the store now serves is reported as
 * withheld; a different version at the same point is equivocation (someone was shown another history).
 */
final class Heads {
  private Heads() {}

  /** This member's view of the other feeds, for a page it writes. */
  static List<Head> of(List<FeedReader> readers) throws LocalStateException {
    List<Head> out = new ArrayList<>();
    for (FeedReader r : readers) {
      if (r.own) {
        continue;
      }
      long n = r.newestVerified();
      if (n > 0) {
        Page p = r.verified(n).orElseThrow();
        out.add(new Head(r.feed.member(), n, p.slots().size(), Arrays.copyOf(p.hash(), 8)));
      }
    }
    out.sort((a, b) -> Integer.compare(a.member(), b.member()));
    return out;
  }

  /** Compares every feed's newest verified page's heads with what this reader holds of the feeds they name. */
  static void check(List<FeedReader> readers) throws LocalStateException {
    for (FeedReader by : readers) {
      long n = by.newestVerified();
      if (n == 0) {
        continue;
      }
      for (Head h : by.verified(n).orElseThrow().heads()) {
        FeedReader of = readers.stream().filter(r -> r.feed.member() == h.member()).findFirst().orElse(null);
        if (of != null) {
          check(by, n, h, of);
        }
      }
    }
  }

  private static void check(FeedReader by, long page, Head h, FeedReader of) throws LocalStateException {
    String who = by.own ? "your page " + page : "their page " + page;
    long newest = of.newestHeld();
    Optional<Page> held = of.shown(h.page());
    if (h.page() > newest || (held.isPresent() && held.get().slots().size() < h.slots())) {
      String serves = newest == 0 ? "nothing"
          : "only page " + newest + " (" + of.shown(newest).map(p -> p.slots().size()).orElse(0) + " messages)";
      of.warn(Kind.WITHHELD, h.page(), who + " says this feed reached page " + h.page() + " (" + h.slots()
          + " messages), but the store serves " + serves);
    } else if (held.isPresent() && held.get().slots().size() == h.slots()
        && !Arrays.equals(Arrays.copyOf(held.get().hash(), 8), h.hash8())) {
      of.warn(Kind.EQUIVOCATION, h.page(), who + " was written after reading another version of this page");
    }
  }
}
