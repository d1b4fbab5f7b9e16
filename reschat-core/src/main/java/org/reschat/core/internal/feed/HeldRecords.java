package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.QueuedRecords;
import org.reschat.core.internal.page.PageFormatException;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.RecordCodec;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;

/**
 * The records of one feed this client verified (protocol §4.8): read, or, in its own feed, written and confirmed.
 * They are kept as the pages of a companion feed, the feed's writer tag followed by {@code -records}, record
 * {@code (n, i)} at number {@code 32·n + i}: no new state interface or file format, and a record is never mistaken
 * for one of the feed's own pages (its newest page, what its outbox confirms). Writer tags are of one length, so no
 * companion is any feed's name. What a writer has not written yet stays queued as its page ({@link OwnRecords}).
 */
final class HeldRecords {
  /** Record numbers per page: twenty records, and room below the next page's. */
  static final int PER_PAGE = 32;
  /** Kept records opened (decrypted and parsed) in this process: a count for tests, never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong OPENS = new java.util.concurrent.atomic.AtomicLong();

  /** Views made in this process: a count for tests, never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong MADE = new java.util.concurrent.atomic.AtomicLong();

  private final Conversation c;
  private final FeedId feed;
  private final FeedId companion;
  private final LocalState state;
  private final OpenedPages opened;

  /** {@code opened}: the engine's values opened before, so a record kept is opened once, not at every operation. */
  HeldRecords(Conversation c, FeedId feed, LocalState state, OpenedPages opened) {
    this.c = c;
    this.feed = feed;
    MADE.incrementAndGet();
    this.companion = companion(feed);
    this.state = state;
    this.opened = opened;
  }

  /** How many views of kept records were made in this process so far (tests count a path's). */
  static long made() {
    return MADE.get();
  }

  /** How many kept records were opened in this process so far (tests count what a path opens). */
  static long opens() {
    return OPENS.get();
  }

  /** The companion feed under which {@code feed}'s records are kept. */
  static FeedId companion(FeedId feed) {
    return new FeedId(feed.conversation(), feed.writer() + "-records", feed.member());
  }

  /** The number record {@code index} of page {@code page} is kept and queued under. */
  static long number(long page, int index) {
    if (index < 0 || index >= PageLimits.SLOTS_PER_PAGE) {
      throw new IllegalArgumentException("no record " + page + "/" + index);
    }
    return PER_PAGE * page + index;
  }

  /**
   * The records of page {@code page} verified here, in order, as a chain linked to {@code previousPage} (see
   * {@link RecordChain#RecordChain}): a reader goes on from them and never takes another version in their place.
   */
  RecordChain verified(long page, byte[] previousPage) throws LocalStateException {
    RecordChain chain = new RecordChain(page, previousPage);
    List<SlotRecord> known = opened.keptRecords(companion, page);
    for (int i = 0; i < PageLimits.SLOTS_PER_PAGE; i++) {
      SlotRecord r;
      if (i < known.size()) {
        r = known.get(i); // kept by this client, in order: never replaced since
      } else {
        Optional<String> value = state.page(companion, number(page, i));
        if (value.isEmpty()) {
          break;
        }
        r = local(page, i, value.get());
      }
      try {
        chain.add(r);
      } catch (PageRejectedException e) {
        throw damaged(record(page, i), e);
      }
    }
    if (chain.next() > known.size()) {
      opened.keptRecords(companion, page, chain.records());
    }
    return chain;
  }

  /** Whether a record of page {@code page} is kept here: its writer began it as records (protocol §4.8). */
  boolean holds(long page) throws LocalStateException {
    // kept in order: the first is kept if any is
    return opened.keptCount(companion, page) > 0 || state.page(companion, number(page, 0)).isPresent();
  }

  /**
   * How many records of page {@code page} are kept here (they are kept in order, never removed), without opening
   * them: the local state is read only past those this client knows kept (another process may have kept more).
   */
  int count(long page) throws LocalStateException {
    int n = opened.keptCount(companion, page);
    while (n < PageLimits.SLOTS_PER_PAGE && state.page(companion, number(page, n)).isPresent()) {
      n++;
    }
    return n;
  }

  /**
   * Keeps {@code record}, verified as read: sealed again under its key for the device (a record's bytes are what was
   * verified; the envelope around them is the ledger's and proves nothing more).
   */
  void keep(SlotRecord record) throws LocalStateException {
    keep(record, Envelope.seal(c, c.recordKey(feed, record.page(), record.index()), record));
  }

  /**
   * Keeps {@code record} as {@code sealed}, a value that opens to it under its key: the one this device sealed for
   * the ledger, or the one it verified the record from there (sealing again would cost a seal and prove nothing more).
   */
  void keep(SlotRecord record, String sealed) throws LocalStateException {
    long number = number(record.page(), record.index());
    state.savePage(companion, number, sealed);
    opened.putRecord(companion, number, sealed, record); // opened already: the next operation reads it as is
    opened.kept(companion, record);
  }

  /**
   * Remembers {@code record} as what {@code sealed}, a value this device sealed for it, opens to: a record queued in
   * the outbox ({@link QueuedRecords}) is then opened by nobody in this process.
   */
  void sealed(SlotRecord record, String sealed) {
    opened.putRecord(companion, number(record.page(), record.index()), sealed, record);
  }

  /**
   * Own page {@code page} as the outbox holds it open, as its records ({@link QueuedRecords}, values this device
   * sealed): the page they make, authenticated as {@link PageWriter#append} authenticates it.
   */
  Page queuedPage(long page, String value) throws LocalStateException {
    List<String> parts = queuedParts(page, value);
    List<SlotRecord> records = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      records.add(local(page, i, parts.get(i)));
    }
    SlotRecord last = records.get(records.size() - 1);
    return new PageWriter(c).page(page, records.get(0).previous(), last.heads(),
        records.stream().map(SlotRecord::slot).toList());
  }

  /** The record values own page {@code page} is queued as, {@code value} ({@link QueuedRecords}), split. */
  List<String> queuedParts(long page, String value) throws LocalStateException {
    try {
      return QueuedRecords.parts(value);
    } catch (PageFormatException e) {
      throw damaged("queued page " + page, e);
    }
  }

  /** A record kept or queued here: it was verified (or sealed here), so it is opened and parsed only. */
  SlotRecord local(long page, int index, String value) throws LocalStateException {
    SlotRecord known = opened.record(companion, number(page, index), value);
    if (known != null) {
      return known;
    }
    SlotRecord r;
    OPENS.incrementAndGet();
    try {
      r = RecordCodec.parse(Envelope.open(c, c.recordKey(feed, page, index), value));
    } catch (PageFormatException e) {
      throw damaged(record(page, index), e);
    }
    if (r.page() != page || r.index() != index) {
      throw damaged(record(page, index), new IllegalStateException("it names record " + r.page() + "/" + r.index()));
    }
    opened.putRecord(companion, number(page, index), value, r);
    return r;
  }

  private static String record(long page, int index) {
    return "record " + page + "/" + index;
  }

  /** The one sentence for a record, or a queued page of records, kept here that no longer parses. */
  private LocalStateException damaged(String what, Exception e) {
    return new LocalStateException("The locally kept " + what + " of " + feed + " is damaged (" + e.getMessage()
        + "); restore the profile directory from a backup.", e);
  }
}
