package org.reschat.core.feed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.reschat.core.FeedWarning;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.HistoryRequest;
import org.reschat.core.LocalStateException;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.conversation.FeedId;
import org.reschat.core.page.Page;
import org.reschat.core.page.PageCodec;
import org.reschat.core.page.PageFormatException;
import org.reschat.core.page.PageRejectedException;
import org.reschat.core.page.PageVerifier;
import org.reschat.core.state.LocalState;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Reads, verifies and repairs the two feeds of one conversation, for one operation, under the
 * conversation's lock. Collects the {@link FeedWarning}s it finds. Not thread-safe: one per operation.
 *
 * <p>The rules: a page is shown only if it parses, sits at its own key, and carries its writer's
 * signature. The local copy of a verified page wins over the store when the store shows less (rollback)
 * or something else (rewrite, garbage, a missing page). Pages link by hash to their predecessor; a broken
 * link is reported. This person's own damaged pages go back into the outbox, to be written again.
 */
final class FeedSync {
  private final Conversation conversation;
  private final KvStore store;
  private final LocalState state;
  private final ExecutorService io;
  private final List<FeedWarning> warnings = new ArrayList<>();
  private final AtomicInteger pagesRead = new AtomicInteger();

  FeedSync(Conversation conversation, KvStore store, LocalState state, ExecutorService io) {
    this.conversation = conversation;
    this.store = store;
    this.state = state;
    this.io = io;
  }

  List<FeedWarning> warnings() {
    return warnings;
  }

  int pagesRead() {
    return pagesRead.get();
  }

  boolean isOwn(FeedId feed) {
    return feed.writer().equals(conversation.myTag());
  }

  // --- one page -------------------------------------------------------------------------------------

  Fetched fetch(FeedId feed, long number) throws KvException {
    Optional<String> raw;
    try {
      raw = store.get(feed.key(number));
    } catch (KvCorruptValueException e) {
      return Fetched.rejected(number, Kind.CORRUPT, "the store holds something under its key that is not a page");
    } finally {
      pagesRead.incrementAndGet();
    }
    if (raw.isEmpty()) {
      return Fetched.absent(number);
    }
    Page page;
    try {
      page = PageCodec.parse(raw.get());
    } catch (PageFormatException e) {
      return Fetched.rejected(number, Kind.CORRUPT, e.getMessage());
    }
    try {
      PageVerifier.verify(page, conversation, feed, number);
    } catch (PageRejectedException e) {
      return Fetched.rejected(number, e.kind(), "it was rejected: " + e.getMessage());
    }
    return Fetched.valid(number, page, raw.get());
  }

  /** Fetches several pages at once, never more at a time than the store serves usefully. */
  Map<FeedId, Map<Long, Fetched>> fetchAll(Map<FeedId, List<Long>> wanted, HistoryRequest.Progress progress)
      throws KvException {
    int total = wanted.values().stream().mapToInt(List::size).sum();
    AtomicInteger done = new AtomicInteger();
    Map<FeedId, Map<Long, Future<Fetched>>> futures = new LinkedHashMap<>();
    for (Map.Entry<FeedId, List<Long>> e : wanted.entrySet()) {
      Map<Long, Future<Fetched>> perFeed = new HashMap<>();
      for (long number : e.getValue()) {
        perFeed.put(number, io.submit(() -> {
          Fetched f = fetch(e.getKey(), number);
          progress.pagesRead(done.incrementAndGet(), total);
          return f;
        }));
      }
      futures.put(e.getKey(), perFeed);
    }
    Map<FeedId, Map<Long, Fetched>> out = new HashMap<>();
    try {
      for (Map.Entry<FeedId, Map<Long, Future<Fetched>>> e : futures.entrySet()) {
        Map<Long, Fetched> perFeed = new HashMap<>();
        for (Map.Entry<Long, Future<Fetched>> f : e.getValue().entrySet()) {
          perFeed.put(f.getKey(), f.getValue().get());
        }
        out.put(e.getKey(), perFeed);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      futures.values().forEach(m -> m.values().forEach(f -> f.cancel(true)));
      throw new IllegalStateException("Interrupted while loading pages", e);
    } catch (ExecutionException e) {
      futures.values().forEach(m -> m.values().forEach(f -> f.cancel(true)));
      Throwable cause = e.getCause();
      if (cause instanceof KvException) {
        throw (KvException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException(cause);
    }
    return out;
  }

  /**
   * The newest page of a feed when this client has none, in O(log n) reads. A writer fills keys 1..n
   * without gaps and nobody can delete, so "the key holds a value" is true up to n at least: galloping
   * 1, 2, 4, … to the first empty key and bisecting the gap finds a boundary at or beyond n. Others can
   * only add values; if the boundary holds garbage, step down to the newest valid page, reporting what
   * was found. Pages read are left in {@code seen}.
   */
  long locateNewest(FeedId feed, Map<Long, Fetched> seen) throws KvException {
    if (!present(feed, 1, seen)) {
      return 0;
    }
    long low = 1;
    long high = 2;
    while (present(feed, high, seen)) {
      low = high;
      high *= 2;
    }
    while (high - low > 1) {
      long mid = low + (high - low) / 2;
      if (present(feed, mid, seen)) {
        low = mid;
      } else {
        high = mid;
      }
    }
    for (long k = low; k >= 1; k--) {
      Fetched f = seen.containsKey(k) ? seen.get(k) : fetch(feed, k);
      seen.put(k, f);
      if (f.isValid()) {
        return k;
      }
      if (!f.isAbsent()) {
        warn(f.problem(), feed, k, f.detail());
      }
    }
    return 0;
  }

  private boolean present(FeedId feed, long number, Map<Long, Fetched> seen) throws KvException {
    Fetched f = seen.get(number);
    if (f == null) {
      f = fetch(feed, number);
      seen.put(number, f);
    }
    return !f.isAbsent();
  }

  // --- the newest pages -----------------------------------------------------------------------------

  /**
   * Brings the local copy of each feed up to the store's newest page: re-reads the newest page held (it
   * may have grown), then reads forward until a key is empty. The first two reads of every feed go out
   * at once, so a call usually costs one round trip, not four.
   */
  void refresh(List<FeedId> feeds) throws KvException, LocalStateException {
    Map<FeedId, List<Long>> firstReads = new LinkedHashMap<>();
    Map<FeedId, Long> newest = new HashMap<>();
    for (FeedId feed : feeds) {
      long n = state.newestPage(feed);
      newest.put(feed, n);
      if (n > 0) {
        firstReads.put(feed, List.of(n, n + 1));
      } else if (!(isOwn(feed) && !state.outbox(feed).isEmpty())) {
        firstReads.put(feed, List.of(1L)); // the first probe of the search for the newest page
      }
      // An own feed with nothing confirmed yet is not read: publishing the outbox is the next step.
    }
    Map<FeedId, Map<Long, Fetched>> fetched = fetchAll(firstReads, HistoryRequest.Progress.NONE);
    for (FeedId feed : feeds) {
      Map<Long, Fetched> first = fetched.get(feed);
      long n = newest.get(feed);
      if (first == null) {
        continue;
      }
      if (n == 0) {
        Map<Long, Fetched> seen = new HashMap<>(first);
        long found = locateNewest(feed, seen);
        if (found > 0) {
          state.savePage(feed, found, seen.get(found).json());
        }
        continue;
      }
      Page previous = reconcile(feed, n, cached(feed, n).orElseThrow(), first.get(n));
      readForward(feed, n + 1, previous, first.get(n + 1));
    }
  }

  /** Reads pages {@code from}, {@code from + 1}, … until a key is empty ({@code first} is page {@code from}, read already). */
  private void readForward(FeedId feed, long from, Page previous, Fetched first) throws KvException, LocalStateException {
    Fetched next = first;
    for (long k = from; ; k++) {
      if (next == null) {
        next = fetch(feed, k);
      }
      if (next.isAbsent()) {
        return;
      }
      if (!next.isValid()) {
        // Garbage may sit over a real page: report it and look further, so it hides nothing after it.
        warn(next.problem(), feed, k, next.detail());
        previous = null;
      } else {
        if (previous != null && !next.page().previous().equals(previous.hashText())) {
          warn(Kind.CHAIN_BROKEN, feed, k, "it does not link to page " + (k - 1)
              + " as this client verified it, so messages may be missing between them");
        }
        accept(feed, next);
        previous = next.page();
      }
      next = null;
    }
  }

  /**
   * Confirms queued pages the store already holds exactly (a write that landed though its confirmation
   * did not), so they are not written twice.
   */
  void confirmLanded(FeedId feed) throws KvException, LocalStateException {
    for (Long number : state.outbox(feed).keySet()) {
      Fetched remote = fetch(feed, number);
      if (remote.isValid()) {
        confirmIfQueued(feed, remote);
      }
    }
  }

  /** Compares the store's copy of a page with the verified local copy and returns the one to trust. */
  private Page reconcile(FeedId feed, long number, Page local, Fetched remote) throws LocalStateException {
    if (remote.isAbsent()) {
      damaged(feed, number, Kind.MISSING, "it is gone from the store");
      return local;
    }
    if (!remote.isValid()) {
      damaged(feed, number, remote.problem(), remote.detail());
      return local;
    }
    Page page = remote.page();
    if (!isPrefix(page, local) && !isPrefix(local, page)) {
      damaged(feed, number, Kind.REWRITTEN, "the store's copy changes messages this client already verified");
      return local;
    }
    if (page.slots().size() < local.slots().size()) {
      damaged(feed, number, Kind.ROLLBACK, "the store shows an older version, with " + page.slots().size()
          + " of the " + local.slots().size() + " messages already verified");
      return local;
    }
    if (page.slots().size() > local.slots().size()) {
      accept(feed, remote);
      return page;
    }
    if (isOwn(feed)) {
      confirmIfQueued(feed, remote);
    }
    return local;
  }

  // --- older pages ------------------------------------------------------------------------------------

  /** A feed's pages to show, newest {@code to} down to {@code from}, after {@link #refresh}. */
  static final class Range {
    final FeedId feed;
    final long from;
    final long to;
    final TreeMap<Long, Page> pages = new TreeMap<>();

    Range(FeedId feed, long from, long to) {
      this.feed = feed;
      this.from = from;
      this.to = to;
    }

    /** The newest {@code pages} pages of a feed whose newest page is {@code newest}. */
    static Range newest(FeedId feed, long newest, int pages) {
      return new Range(feed, Math.max(1, newest - Math.min(newest, pages) + 1), newest);
    }
  }

  /** The newest page held for a feed, counting own pages still in the outbox. */
  long newestHeld(FeedId feed) throws LocalStateException {
    long newest = state.newestPage(feed);
    if (isOwn(feed)) {
      SortedMap<Long, String> outbox = state.outbox(feed);
      if (!outbox.isEmpty()) {
        newest = Math.max(newest, outbox.lastKey());
      }
    }
    return newest;
  }

  /**
   * Loads the pages of several ranges, reading from the store only what the verified cache cannot
   * vouch for, in parallel, then checking the hash chain from the newest page down.
   */
  void load(List<Range> ranges, HistoryRequest.Progress progress) throws KvException, LocalStateException {
    Map<FeedId, List<Long>> wanted = new LinkedHashMap<>();
    for (Range r : ranges) {
      List<Long> numbers = new ArrayList<>();
      for (long k = r.from; k < r.to; k++) {
        Optional<Page> local = shownVersion(r.feed, k);
        // Own pages are always compared with the store, so damage to them is found and repaired.
        if (isOwn(r.feed) ? !state.outbox(r.feed).containsKey(k) : local.isEmpty() || !local.get().isFull()) {
          numbers.add(k);
        }
      }
      wanted.put(r.feed, numbers);
    }
    Map<FeedId, Map<Long, Fetched>> fetched = fetchAll(wanted, progress);
    for (Range r : ranges) {
      walkDown(r, fetched.getOrDefault(r.feed, Map.of()));
    }
  }

  private void walkDown(Range r, Map<Long, Fetched> fetched) throws KvException, LocalStateException {
    FeedId feed = r.feed;
    Optional<Page> top = shownVersion(feed, r.to);
    if (top.isEmpty()) {
      return;
    }
    r.pages.put(r.to, top.get());
    String link = top.get().previous();
    for (long k = r.to - 1; k >= r.from; k--) {
      Optional<Page> local = shownVersion(feed, k);
      Fetched remote = fetched.get(k);
      if (remote == null && local.isPresent() && link != null && !local.get().hashText().equals(link)) {
        remote = fetch(feed, k); // the cached copy is not the final version: read the store after all
      }
      Page chosen = choose(feed, k, link, local, remote);
      if (chosen != null) {
        r.pages.put(k, chosen);
        link = chosen.previous();
      } else {
        link = null; // nothing to check the next link against
      }
    }
  }

  private Page choose(FeedId feed, long k, String link, Optional<Page> local, Fetched remote) throws LocalStateException {
    boolean remoteLinks = remote != null && remote.isValid() && (link == null || remote.page().hashText().equals(link));
    boolean localLinks = local.isPresent() && (link == null || local.get().hashText().equals(link));
    if (isOwn(feed) && state.outbox(feed).containsKey(k)) {
      return local.orElse(null); // a queued page: the local version is the truth until it is published
    }
    if (remoteLinks && (!localLinks || remote.page().slots().size() >= local.get().slots().size())) {
      if (local.isEmpty() || !local.get().equals(remote.page())) {
        accept(feed, remote);
      }
      return remote.page();
    }
    if (localLinks) {
      if (remote != null) {
        if (remote.isAbsent()) {
          damaged(feed, k, Kind.MISSING, "it is gone from the store");
        } else if (!remote.isValid()) {
          damaged(feed, k, remote.problem(), remote.detail());
        } else if (remote.page().slots().size() < local.get().slots().size()) {
          damaged(feed, k, Kind.ROLLBACK, "the store shows an older version, with " + remote.page().slots().size()
              + " of the " + local.get().slots().size() + " messages already verified");
        } else {
          damaged(feed, k, Kind.REWRITTEN, "the store's copy is not the page the next page links to");
        }
      }
      return local.get();
    }
    // Neither copy is the page the next one links to.
    if (remote != null && remote.isValid()) {
      warn(Kind.CHAIN_BROKEN, feed, k, "it is not the page page " + (k + 1) + " links to; messages may be missing");
      return remote.page();
    }
    if (local.isPresent()) {
      warn(Kind.CHAIN_BROKEN, feed, k, "it is not the page page " + (k + 1) + " links to; messages may be missing");
      return local.get();
    }
    if (remote == null || remote.isAbsent()) {
      warn(Kind.MISSING, feed, k, "it is gone from the store and not cached here; its messages cannot be shown");
    } else {
      warn(remote.problem(), feed, k, remote.detail() + "; its messages cannot be shown");
    }
    return null;
  }

  // --- local copies -----------------------------------------------------------------------------------

  /** The verified copy of a page held locally. */
  Optional<Page> cached(FeedId feed, long number) throws LocalStateException {
    Optional<String> json = state.page(feed, number);
    return json.isEmpty() ? Optional.empty() : Optional.of(parseLocal(json.get(), "cached page " + number));
  }

  /** The version to show: for own pages the queued version when there is one, else the verified copy. */
  Optional<Page> shownVersion(FeedId feed, long number) throws LocalStateException {
    if (isOwn(feed)) {
      String queued = state.outbox(feed).get(number);
      if (queued != null) {
        return Optional.of(parseLocal(queued, "queued page " + number));
      }
    }
    return cached(feed, number);
  }

  static Page parseLocal(String json, String what) throws LocalStateException {
    try {
      return PageCodec.parse(json);
    } catch (PageFormatException e) {
      throw new LocalStateException("The locally stored " + what + " is damaged (" + e.getMessage()
          + "); restore the profile directory from a backup.", e);
    }
  }

  private void accept(FeedId feed, Fetched remote) throws LocalStateException {
    state.savePage(feed, remote.number(), remote.json());
    if (isOwn(feed)) {
      confirmIfQueued(feed, remote);
    }
  }

  /** The store shows exactly a queued version: it is confirmed after all. */
  private void confirmIfQueued(FeedId feed, Fetched remote) throws LocalStateException {
    String queued = state.outbox(feed).get(remote.number());
    if (remote.json().equals(queued)) {
      state.savePage(feed, remote.number(), queued);
      state.removeOutbox(feed, remote.number(), queued);
    }
  }

  /** Reports damage; for own pages, queues the verified copy to be written again. */
  private void damaged(FeedId feed, long number, Kind kind, String detail) throws LocalStateException {
    warn(kind, feed, number, detail);
    if (isOwn(feed) && !state.outbox(feed).containsKey(number)) {
      Optional<String> local = state.page(feed, number);
      if (local.isPresent()) {
        state.putOutbox(feed, number, local.get());
        warn(Kind.REPUBLISHED, feed, number, "your verified copy is being written to the store again");
      }
    }
  }

  private void warn(Kind kind, FeedId feed, long number, String detail) {
    FeedWarning w = new FeedWarning(kind, isOwn(feed), number, detail);
    if (!warnings.contains(w)) {
      warnings.add(w);
    }
  }

  private static boolean isPrefix(Page shorter, Page longer) {
    List<?> a = shorter.slots();
    List<?> b = longer.slots();
    return a.size() <= b.size() && b.subList(0, a.size()).equals(a);
  }
}
