package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageFormatException;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.HeldBackRecords;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.RecordVerifier;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.spi.FeedId;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStore;

/**
 * Reads one page of a feed that may be open in record form (protocol §4.8): its page key and its twenty record keys
 * in one {@link KvStore#getAll} (one request on etcd, the embedded ledger and memory; twenty-one reads spread over
 * the endpoints on ResilientDB), then a reader that holds records {@code 0 … k − 1} polls record {@code k} with one
 * read. What a hostile ledger puts at record keys is bounded by the twenty keys a page has: junk is counted and
 * reported once, a record served past one that was not is WITHHELD, a contradiction EQUIVOCATION, and a closing
 * page that differs from the records is EQUIVOCATION with the records kept. Stateless.
 */
final class OpenPageLoader {
  /** What a load found: the closed page when it is written and agrees, the verified records, and what was wrong. */
  record Loaded(Optional<Page> closed, RecordChain records, List<Finding> findings) {}

  /**
   * One thing reported about the page: the warning's kind and what it says, and whether it is found {@code once}
   * only (tagged records held back that a signed record or page contradicted: dropped once it is taken).
   */
  record Finding(Kind kind, String detail, boolean once) {
    Finding(Kind kind, String detail) {
      this(kind, detail, false);
    }
  }

  private final Conversation c;
  private final FeedId feed;
  private final KvStore store;
  /**
   * What a batch read before this loader answered at keys it reads (the caller's first reads, §7, or its read of the
   * page key with the page's record keys): each taken once, in place of its read, and verified exactly as a value read
   * here. A poll of one record reads an unreadable answer again, as its own single read would not take it.
   */
  private final Map<String, KvRead> readAhead;
  /** The values this loader verified records from, so whoever keeps them stores those rather than seal them again. */
  private final Map<SlotRecord, String> values = new IdentityHashMap<>();

  OpenPageLoader(Conversation c, FeedId feed, KvStore store) {
    this(c, feed, store, Map.of());
  }

  OpenPageLoader(Conversation c, FeedId feed, KvStore store, Map<String, KvRead> readAhead) {
    this.c = c;
    this.feed = feed;
    this.store = store;
    this.readAhead = readAhead;
  }

  /** The value record {@code r} was verified from by this loader, if it was (it opens to {@code r} under its key). */
  Optional<String> valueOf(SlotRecord r) {
    return Optional.ofNullable(values.get(r));
  }

  /**
   * Loads page {@code n}: one batch read of its page key and record keys.
   *
   * @param previousPage the hash of page {@code n − 1}'s final version as verified, zero for page 1, null if not held
   */
  Loaded load(long n, byte[] previousPage) throws KvException {
    return loadAfter(n, new RecordChain(n, previousPage));
  }

  /**
   * Reads page {@code n}'s key and its record keys after those {@code chain} holds, in one batch, and goes on with
   * the chain. Where tags no longer count in this reader's view (an epoch closed mid-page, protocol §4.8), tagged
   * records that verify but for that are held back ({@link HeldBackRecords}): taken once a signed record or the
   * signed closing page commits to them, never reported before.
   */
  Loaded loadAfter(long n, RecordChain chain) throws KvException {
    int from = chain.next();
    List<String> keys = new ArrayList<>(1 + PageLimits.SLOTS_PER_PAGE - from);
    keys.add(c.pageKey(feed, n));
    for (int i = from; i < PageLimits.SLOTS_PER_PAGE; i++) {
      keys.add(c.recordKey(feed, n, i));
    }
    Map<String, KvRead> read = takeOrRead(keys);
    HeldBackRecords heldBack = new HeldBackRecords(chain);
    List<Finding> findings = new ArrayList<>();
    int junk = 0;
    for (int i = from; i < PageLimits.SLOTS_PER_PAGE; i++) {
      String key = keys.get(1 + i - from);
      Optional<String> value = read.get(key).value();
      if (value.isEmpty()) {
        junk += read.get(key) instanceof KvRead.Corrupt ? 1 : 0;
        continue; // a gap: a record past it is WITHHELD
      }
      SlotRecord record;
      try {
        record = RecordVerifier.openAndVerify(c, feed, n, i, key, value.get());
        values.put(record, value.get());
      } catch (PageFormatException e) {
        junk++; // a value that is no record here: skipped, counted once below
        continue;
      } catch (PageRejectedException e) {
        Optional<SlotRecord> tagged = e.kind() == Kind.FORGED ? uncommitted(n, i, key, value.get()) : Optional.empty();
        if (tagged.isEmpty()) {
          findings.add(new Finding(e.kind(), "record " + n + "/" + i + ": " + e.getMessage())); // at most twenty
          continue;
        }
        if (!heldBack.hold(tagged.get())) {
          break; // it continues nothing held: nothing past it is shown
        }
        continue;
      }
      try {
        heldBack.take(record);
      } catch (PageRejectedException e) {
        findings.add(new Finding(e.kind(), e.getMessage(), e.kind() == Kind.FORGED));
        break; // nothing past a gap or a contradiction is shown
      }
    }
    if (junk > 0) {
      findings.add(new Finding(Kind.CORRUPT, junk + " unreadable values at the record keys of page " + n
          + " were skipped"));
    }
    Optional<Page> closed = closing(n, read.get(keys.get(0)), chain, findings);
    if (closed.isPresent()) {
      heldBack.forgedUnder(closed.get()).ifPresent(f -> findings.add(new Finding(Kind.FORGED, f, true)));
    }
    return new Loaded(closed, chain, findings);
  }

  /**
   * Record {@code i}, tagged, where tags no longer count in this reader's view but would have before the closing it
   * learnt of: a record held back, not a forgery yet. Empty when it fails for any other reason.
   */
  private Optional<SlotRecord> uncommitted(long n, int i, String key, String value) {
    if (!c.tails().tagsWithdrawn()) {
      return Optional.empty();
    }
    try {
      SlotRecord r = RecordVerifier.openAndVerify(c.withTails(c.tails().opened()), feed, n, i, key, value);
      if (r.isTagged()) {
        values.put(r, value);
      }
      return r.isTagged() ? Optional.of(r) : Optional.empty();
    } catch (PageFormatException | PageRejectedException e) {
      return Optional.empty();
    }
  }

  /** What a poll found: the next record, or the page closed (then the reader goes on at the next page). */
  record Polled(Optional<SlotRecord> record, Optional<Page> closed) {
    static final Polled NOTHING = new Polled(Optional.empty(), Optional.empty());
  }

  /**
   * Looks for what follows the records {@code chain} holds of page {@code n}: one read of the next record's key, or,
   * when the writer may have closed the page ({@link RecordChain#mayBeClosed}: twenty records, or too full for the
   * largest message), one batch of that key and the page key, whose closing page must agree with the records.
   */
  Polled poll(RecordChain chain, long n) throws KvException, PageRejectedException {
    int k = chain.next();
    String recordKey = k < PageLimits.SLOTS_PER_PAGE ? c.recordKey(feed, n, k) : null;
    Optional<String> record;
    if (chain.mayBeClosed()) {
      String pageKey = c.pageKey(feed, n);
      Map<String, KvRead> read = takeOrRead(recordKey == null ? List.of(pageKey) : List.of(recordKey, pageKey));
      List<Finding> ignored = new ArrayList<>();
      Optional<Page> closed = closing(n, read.get(pageKey), chain, ignored);
      if (closed.isPresent()) {
        return new Polled(Optional.empty(), closed);
      }
      for (Finding f : ignored) {
        if (f.kind() == Kind.EQUIVOCATION) {
          throw new PageRejectedException(f.kind(), f.detail());
        }
      }
      record = recordKey == null ? Optional.empty() : read.get(recordKey).value();
    } else {
      record = readAheadOr(recordKey);
    }
    if (record.isEmpty()) {
      return Polled.NOTHING;
    }
    try {
      SlotRecord r = RecordVerifier.openAndVerify(c, feed, n, k, recordKey, record.get());
      values.put(r, record.get());
      chain.add(r);
      return new Polled(Optional.of(r), Optional.empty());
    } catch (PageFormatException e) {
      return Polled.NOTHING; // junk where the record will be: the writer puts over it
    }
  }

  /**
   * What the batch read before answered at {@code keys}, each taken once, and the others read now in one batch: every
   * answer as {@link KvStore#getAll} gives it, verified by the caller as its own read.
   */
  private Map<String, KvRead> takeOrRead(List<String> keys) throws KvException {
    Map<String, KvRead> out = new java.util.HashMap<>();
    List<String> unread = new ArrayList<>();
    for (String key : keys) {
      KvRead ahead = readAhead.isEmpty() ? null : readAhead.remove(key);
      if (ahead == null) {
        unread.add(key);
      } else {
        out.put(key, ahead);
      }
    }
    if (!unread.isEmpty()) {
      out.putAll(store.getAll(unread));
    }
    return out;
  }

  /** What the batch read before answered at {@code key}, taken once; read now where it has no readable answer. */
  private Optional<String> readAheadOr(String key) throws KvException {
    KvRead ahead = readAhead.isEmpty() ? null : readAhead.remove(key);
    return ahead == null || ahead instanceof KvRead.Corrupt ? store.get(key) : ahead.value();
  }

  private Optional<Page> closing(long n, KvRead value, RecordChain chain, List<Finding> findings) {
    if (value.value().isEmpty()) {
      return Optional.empty();
    }
    try {
      Page page = PageVerifier.openAndVerify(c, feed, n, c.pageKey(feed, n), value.value().get());
      chain.checkClosing(page);
      return Optional.of(page);
    } catch (PageFormatException e) {
      findings.add(new Finding(Kind.CORRUPT, "page " + n + " is unreadable: " + e.getMessage()));
    } catch (PageRejectedException e) {
      findings.add(new Finding(e.kind(), e.getMessage()));
    }
    return Optional.empty();
  }
}
