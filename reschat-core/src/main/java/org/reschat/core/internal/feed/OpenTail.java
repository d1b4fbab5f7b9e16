package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * One feed's open page in record form as this client follows it from one operation to the next (protocol §4.8):
 * the records it verified are kept ({@link HeldRecords}) and never taken again in another version; a page it holds
 * nothing of is loaded in one batch ({@link OpenPageLoader#load}); one it holds records of is polled, one read a
 * quiet pass, one more per new record (at most twenty a page), and the page key with the record key once the records
 * may have closed it. Where tags no longer count in this client's view (an epoch closed mid-page), every pass reads
 * the page key and the record keys after those held in one batch: tagged records are held back until a signed
 * record or the signed closing page commits to them ({@link HeldBackRecords}), and never kept before. What the ledger serves wrongly comes back as findings for the caller's warnings.
 */
final class OpenTail {
  /** What a pass found: every record held of the page, how many are new, the closing page, and what was wrong. */
  record Followed(List<SlotRecord> records, int fresh, Optional<Page> closed, List<OpenPageLoader.Finding> findings) {}

  private final Conversation c;
  private final OpenPageLoader loader;
  private final HeldRecords held;

  OpenTail(Conversation c, FeedId feed, KvStore store, LocalState state, OpenedPages opened) {
    this(c, feed, store, new HeldRecords(c, feed, state, opened), java.util.Map.of());
  }

  /**
   * A tail keeping its records in {@code held} (the caller's, of the same feed), whose polls take first what
   * {@code readAhead} read at their record keys ({@link OpenPageLoader}).
   */
  OpenTail(Conversation c, FeedId feed, KvStore store, HeldRecords held,
      java.util.Map<String, org.reschat.kv.KvRead> readAhead) {
    this.c = c;
    this.loader = new OpenPageLoader(c, feed, store, readAhead);
    this.held = held;
  }

  /**
   * Follows page {@code n}, the page after the newest closed page held, whose final version hashes to
   * {@code previousPage} (zero for page 1, null when not held).
   */
  Followed follow(long n, byte[] previousPage) throws KvException, LocalStateException {
    RecordChain chain = held.verified(n, previousPage);
    int before = chain.next();
    List<OpenPageLoader.Finding> findings = new ArrayList<>();
    Optional<Page> closed = Optional.empty();
    if (before == 0 || c.tails().tagsWithdrawn()) {
      // Where tags no longer count, what commits to records held back may be any later record or the page key.
      OpenPageLoader.Loaded loaded = loader.loadAfter(n, chain);
      chain = loaded.records();
      findings.addAll(loaded.findings());
      closed = loaded.closed();
    } else {
      for (int k = before; k <= PageLimits.SLOTS_PER_PAGE && closed.isEmpty(); k++) {
        OpenPageLoader.Polled polled;
        try {
          polled = loader.poll(chain, n);
        } catch (PageRejectedException e) {
          findings.add(new OpenPageLoader.Finding(e.kind(), e.getMessage()));
          break;
        }
        closed = polled.closed();
        if (polled.record().isEmpty()) {
          break;
        }
      }
    }
    List<SlotRecord> records = chain.records();
    for (SlotRecord r : records.subList(before, records.size())) {
      // As read (it opened to r under its key), or sealed again; a read-only profile keeps it in memory.
      Optional<String> value = loader.valueOf(r);
      if (value.isPresent()) {
        held.keep(r, value.get());
      } else {
        held.keep(r);
      }
    }
    return new Followed(records, records.size() - before, closed, findings);
  }
}
