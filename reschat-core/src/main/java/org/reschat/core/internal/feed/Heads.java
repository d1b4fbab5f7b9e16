package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.FeedWarning;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.Head;
import org.reschat.core.internal.page.Page;
import org.reschat.kv.KvException;

/**
 * Freshness. Every page carries its writer's view of the other feeds; a reader compares those views with
 * what the store served it. A head is its writer's claim, nothing more: any member can write any head, for
 * any feed, the reader's own included. So a mismatch is reported as that member's claim, naming them
 * ({@link FeedWarning#claimedBy}): "3a7f 91c2 claims (their page 4) that this feed reached page 3 …". A
 * claim that the feed got further than the store serves is {@link Kind#WITHHELD} (the store withholds it,
 * or the claim is false: the reader cannot tell which). A claim to have read another version of a page is
 * {@link Kind#EQUIVOCATION} only when a second version signed by the feed's writer, with the claimed hash,
 * is in hand: kept as evidence earlier, or fetched from the store now (and then kept). Otherwise it too is
 * a claim, reported as withheld.
 */
final class Heads {
  /** Heads compared with what this client holds, in this process: a count for tests, never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong COMPARED = new java.util.concurrent.atomic.AtomicLong();

  private Heads() {}

  /** How many heads were compared with what this client holds so far (tests count what a path compares). */
  static long compared() {
    return COMPARED.get();
  }

  /**
   * This member's view of the other feeds, for a page it writes: the other members' identity feeds (protocol
   * §15.3: a head names a member, so a device feed, this member's own devices' included, has none).
   */
  static List<Head> of(List<FeedReader> readers) throws LocalStateException {
    List<Head> out = new ArrayList<>();
    for (FeedReader r : readers) {
      if (r.own || r.sibling || !r.identityFeed) {
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

  /**
   * Compares every feed's newest verified page's heads with what this reader holds of the feeds they name, but for
   * pages {@code foundTrue} holds (and notes those whose heads all hold now).
   */
  static void check(List<FeedReader> readers, HeadsFoundTrue foundTrue) throws LocalStateException {
    // Found by member once: in a group every member's page names the others, so a search per head was n³ a receive.
    Map<Integer, FeedReader> identityFeeds = new HashMap<>();
    for (FeedReader r : readers) {
      if (r.identityFeed) {
        identityFeeds.putIfAbsent(r.feed.member(), r);
      }
    }
    HeldNow held = new HeldNow();
    for (FeedReader by : readers) {
      long n = by.newestVerified();
      if (n == 0 || by.revoked) { // a revoked device's pages claim nothing (protocol §15.7)
        continue;
      }
      Page page = by.verified(n).orElseThrow();
      if (foundTrue.holds(by.feed, page)) {
        continue;
      }
      boolean allTrue = true;
      for (Head h : page.heads()) {
        FeedReader of = identityFeeds.get(h.member());
        if (of != null) {
          allTrue &= check(by, n, h, of, held);
        }
      }
      if (allTrue) {
        foundTrue.found(by.feed, page);
      }
    }
  }

  /**
   * Compares one head with what this reader holds, warning when it does not hold; true when it holds for good: the
   * page it names is held, with as many messages or more, and with the same hash where as many.
   */
  private static boolean check(FeedReader by, long page, Head h, FeedReader of, HeldNow now) throws LocalStateException {
    COMPARED.incrementAndGet();
    long newest = now.newest(of);
    Optional<Page> held = now.shown(of, h.page());
    if (h.page() <= newest && held.isPresent() && (held.get().slots().size() > h.slots()
        || (held.get().slots().size() == h.slots() && hash8(held.get(), h)))) {
      return !now.queued(of, h.page()); // an own page still queued may yet give way to another device's version
    }
    if (h.page() > newest || (held.isPresent() && held.get().slots().size() < h.slots())) {
      String serves = newest == 0 ? "nothing"
          : "only page " + newest + " (" + messages(of.shown(newest).map(p -> p.slots().size()).orElse(0)) + ")";
      of.warn(Kind.WITHHELD, h.page(), claims(by, page) + " that this feed reached page " + h.page() + " (" + messages(h.slots())
          + "), but the store serves " + serves + (by.own ? "" : "; nothing else shows it: their word against the store's"),
          by.writer());
    } else if (held.isPresent() && held.get().slots().size() == h.slots() && !hash8(held.get(), h)) {
      PublicCard claimant = by.writer();
      if (secondSignedVersion(of, h, held.get())) {
        of.warn(Kind.EQUIVOCATION, h.page(), "the writer signed two versions of this page with " + messages(h.slots())
            + ": the one shown here, and the one " + (by.own ? "your page " + page + " was written after"
            : FeedWarning.shortName(claimant) + " read (their page " + page + ")") + "; the other is kept as evidence",
            claimant);
      } else if (!resigned(held.get())) {
        of.warn(Kind.WITHHELD, h.page(), claims(by, page) + " that it read another version of this page (" + messages(h.slots())
            + ") than the store serves; no second version signed by the writer is at hand, so it is "
            + (by.own ? "your own page's" : "their") + " word", claimant);
      }
    }
    return false;
  }

  /**
   * What each feed holds, looked up once per check: in a group of n every member's newest page names the n − 1 others,
   * mostly at the same page, so each feed's newest and shown pages would be looked up n times (protocol §4.9 cost).
   */
  private static final class HeldNow {
    private final Map<FeedReader, Long> newest = new HashMap<>();
    private final Map<FeedReader, Map<Long, Optional<Page>>> shown = new HashMap<>();

    long newest(FeedReader of) throws LocalStateException {
      Long n = newest.get(of);
      if (n == null) {
        n = of.newestHeld();
        newest.put(of, n);
      }
      return n;
    }

    /** Whether {@code of} is this member's own feed and its page {@code page} is queued, not yet verified. */
    boolean queued(FeedReader of, long page) throws LocalStateException {
      return of.own && of.queued(page).isPresent();
    }

    Optional<Page> shown(FeedReader of, long page) throws LocalStateException {
      Map<Long, Optional<Page>> pages = shown.computeIfAbsent(of, r -> new HashMap<>());
      Optional<Page> p = pages.get(page);
      if (p == null) {
        p = of.shown(page);
        pages.put(page, p);
      }
      return p;
    }
  }

  /** Who claims, for a warning only: naming them formats a fingerprint, and every head of every receive is checked. */
  private static String claims(FeedReader by, long page) {
    return by.own ? "your page " + page + " says" : FeedWarning.shortName(by.writer()) + " claims (their page " + page + ")";
  }

  /**
   * Whether {@code held} may be an unsigned version signed again with the same slots (protocol §4.7, "Leaving an
   * epoch"): a signed page of version 4. A head naming that unsigned version names the same messages; a contradicting
   * version is still caught when it is in hand ({@link #secondSignedVersion}).
   */
  private static boolean resigned(Page held) {
    return held.version() == org.reschat.core.internal.page.PageCodec.TAIL_VERSION && !held.isTagged();
  }

  /**
   * Whether a version of page {@code h.page()} signed by the feed's writer, with the claimed hash and other
   * than {@code held}, is in hand: kept as evidence, or served by the store now (then kept as evidence).
   */
  private static boolean secondSignedVersion(FeedReader of, Head h, Page held) throws LocalStateException {
    for (Page p : of.evidence(h.page())) {
      if (hash8(p, h) && !p.equals(held)) {
        return true;
      }
    }
    Fetched remote;
    try {
      remote = of.fetch(h.page());
    } catch (KvException e) {
      return false; // the store cannot show it now: the claim stays a claim
    }
    if (remote.isValid() && hash8(remote.page(), h) && !remote.page().equals(held)) {
      of.keepEvidence(remote);
      return true;
    }
    return false;
  }

  private static boolean hash8(Page p, Head h) {
    return Arrays.equals(Arrays.copyOf(p.hash(), 8), h.hash8());
  }

  private static String messages(int n) {
    return n + (n == 1 ? " message" : " messages");
  }
}
