package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Problem;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Head;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.QueuedRecords;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.Slot;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.PutIfUnchanged;

/**
 * This member's feed as a writer: the outbox and publishing without forks.
 *
 * <p>A message is sealed into the tail page, which goes into the outbox on disk before the network sees
 * it, or, on a store whose writes are local transactions, only when writing it fails ({@link #send}); pages are
 * published in page order. A page is written only over what the store was seen to
 * hold there. When this client's last-seen copy of the page (verified, or nothing for a new page) is an
 * older version of the queued one, the write is one conditional put over exactly those bytes
 * ({@link KvStore#putIfUnchanged}: no read first). Otherwise, or when the store refuses and answers what it
 * holds, that answer (or a live read) decides as a read before the write always did: if it is the queued
 * version the write had landed; if nothing, junk or an older version, the page is put; if another device
 * of this identity (or a restored backup's twin) wrote something else there, that page is verified and
 * adopted and the unconfirmed messages are sealed again after it. So two devices sending in turn converge
 * on one chain, and a stale profile never overwrites a confirmed message. Where the store compares
 * atomically (etcd, the embedded ledger, memory) two devices writing over the same page at the same
 * instant converge too: one is refused and seals again after the other. On ResilientDB, which cannot
 * compare atomically, they can still fork it; readers then see equivocation.
 *
 * <p>Where every device of both people reads slot records (protocol §4.8) a page begun after that is published as
 * records while it is open ({@link OwnRecords}): it stays queued, its written records count as confirmed, and only
 * once it is full or the writer moved on to the next page is it written whole at its key, signed, as any page.
 */
final class OwnFeed {
  private final Conversation c;
  private final FeedReader reader;
  private final KvStore store;
  private final LocalState state;
  private final PageWriter writer;
  private final OwnRecords records;
  private final HeldRecords held;
  private final boolean recordsReadHere;

  OwnFeed(Conversation c, FeedReader reader, KvStore store, LocalState state) {
    this(c, reader, store, state, TailRule.RECORDS_READ_HERE);
  }

  /** {@code recordsReadHere}: whether this client writes records where the chat allows it (tests of the writer). */
  OwnFeed(Conversation c, FeedReader reader, KvStore store, LocalState state, boolean recordsReadHere) {
    this.c = c;
    this.reader = reader;
    this.store = store;
    this.state = state;
    this.writer = new PageWriter(c);
    this.records = new OwnRecords(c, store, state, reader.opened());
    this.held = new HeldRecords(c, c.myFeed(), state, reader.opened());
    this.recordsReadHere = recordsReadHere;
  }

  /** A message sealed: the page it was sealed into (the message is its last slot), and why publishing stopped early. */
  record Sent(Page page, Optional<Problem> problem) {}

  /**
   * Seals {@code draft} after the newest own page and publishes it, after any page queued before it.
   *
   * <p>Where the store's writes are local transactions ({@link KvStore#writesAreLocalTransactions}: the embedded
   * ledger, memory) and nothing is queued, the page is written first, over what this client last saw there, and
   * goes into the outbox only when that write fails or finds another device's page. A crash before the write
   * returns leaves a page no one saw and a send no one was told of; after it, the store holds the page, and the
   * next write there compares against it. Elsewhere a write that times out may still land later, so the page is
   * queued on disk before the store sees it: it is then never sealed again differently, and never lost.
   */
  Sent send(SlotSeal.Draft draft, List<Head> heads) throws InvalidMessageException, LocalStateException, KvException {
    Page tail = tail();
    long last = tail == null ? 0 : tail.slots().get(tail.slots().size() - 1).timestampMillis();
    // Timestamps never go backwards within a feed, so merging by time keeps each feed's order.
    SlotSeal.Draft stamped = new SlotSeal.Draft(draft.type(), Math.max(draft.timestampMillis(), last),
        draft.extension(), draft.body());
    Page page = writer.append(tail, heads, stamped);
    if (writesFirst() && !asRecords(page.number())) {
      String value = sealed(page);
      try {
        if (writeOverLastSeen(page.number(), page, value).isEmpty()) {
          recordWritten(page.number(), value);
          return new Sent(page, Optional.empty());
        } // another device wrote there: queued, and published as any queued page (its write decides again)
      } catch (KvException e) {
        state.putOutbox(reader.feed, page.number(), value);
        return new Sent(page, Optional.of(Problem.of(e)));
      }
      state.putOutbox(reader.feed, page.number(), value);
      return new Sent(page, flush(() -> heads));
    }
    state.putOutbox(reader.feed, page.number(), queuedValue(page));
    return new Sent(page, flush(() -> heads));
  }

  /**
   * The outbox value of {@code page}: where it stays open as records, its records' values, each sealed once
   * ({@link QueuedRecords}: a send seals its own record, not the whole page again); else the page sealed whole.
   */
  private String queuedValue(Page page) throws LocalStateException {
    long n = page.number();
    if (page.isFull() || c.tails().tagsWithdrawn() || !asRecords(n)) {
      return sealed(page); // it closes at once: written whole at its key
    }
    String value = records.queuedValue(page, previousPage(n), state.outbox(reader.feed).get(n));
    if (value.length() > PageLimits.MAX_VALUE_CHARS) {
      return sealed(page); // the outbox holds no larger value
    }
    reader.sealed(page, value);
    return value;
  }

  /** The final version of own page {@code n − 1} that records of page {@code n} link to (zero for page 1). */
  private byte[] previousPage(long n) throws LocalStateException {
    return n == 1 ? new byte[32] : reader.verified(n - 1).orElseThrow().hash();
  }

  /**
   * Records a page written first as verified. The store holds it whatever happens here, so the message is sent: a
   * failure to record it (the profile's disk full or read-only while the ledger's is not) is what a power cut does
   * to this record ({@link org.reschat.core.spi.LocalState#confirmOutbox}), and the next write over the older
   * version is refused with this page and adopts it. The profile's fault shows at its next durable write.
   */
  private void recordWritten(long number, String value) {
    try {
      state.confirmOutbox(reader.feed, number, value);
    } catch (LocalStateException e) {
      // sent all the same; see above
    }
  }

  /** Whether a page may be written before it is queued: see {@link #send}; a read-only profile publishes nothing. */
  private boolean writesFirst() throws LocalStateException {
    return store.writesAreLocalTransactions() && !state.readOnly() && state.outbox(reader.feed).isEmpty();
  }

  /**
   * Queues the newest own page once more with the same slots, signed, when it carries a sender tag (protocol §4.7:
   * an epoch left, or no longer open for unsigned versions). True when it did, or when that page is open as records,
   * which the flush then closes early, signed, at its key (§4.8: a record is never written again, so the signed
   * page is what commits to the tagged ones); the caller publishes.
   */
  boolean signTail() throws LocalStateException {
    long newest = reader.newestHeld();
    Page tail = newest == 0 ? null : reader.shown(newest).orElseThrow();
    if (tail == null || state.readOnly()) {
      return false;
    }
    if (state.outbox(reader.feed).containsKey(newest) && asRecords(newest)) {
      return true; // an open page of records: the flush closes it, signed, at its key (publishRecords)
    }
    if (!tail.isTagged()) {
      return false;
    }
    queue(writer.signed(tail));
    return true;
  }

  /**
   * The newest own page: queued, verified, or found on the store when this client holds none; or, with nothing
   * queued, the open page after it as the records kept of it show it (read here from another copy of this device,
   * a restored backup's, {@link FeedReader#followRecords}), so a message goes on after them.
   */
  Page tail() throws LocalStateException, KvException {
    long newest = reader.newestHeld();
    if (newest == 0) {
      reader.locate();
      newest = reader.newestVerified();
    }
    Page page = newest == 0 ? null : reader.shown(newest).orElseThrow();
    if (state.outbox(reader.feed).isEmpty() && (page == null || page.mayHaveSuccessor()) && held.holds(newest + 1)) {
      return new RecordWriter(c).close(held.verified(newest + 1, page == null ? new byte[32] : page.hash()).records());
    }
    return page;
  }

  /** This member's view of the other feeds, computed only when a page must be sealed again. */
  interface HeadsSource {
    List<Head> get() throws LocalStateException;
  }

  /**
   * Publishes queued pages in page order; stops at the first write the store does not confirm.
   *
   * @param heads asked only if another device's page must be adopted and messages sealed again after it
   * @return why publishing stopped early, when it did
   */
  Optional<Problem> flush(HeadsSource heads) throws LocalStateException {
    try {
      for (int round = 0; ; round++) {
        if (round > 100_000) {
          throw new IllegalStateException("Publishing does not converge");
        }
        SortedMap<Long, String> outbox = state.outbox(reader.feed);
        if (outbox.isEmpty()) {
          return Optional.empty();
        }
        if (state.readOnly()) {
          return Optional.of(new Problem(Problem.Kind.READ_ONLY,
              "the profile is opened read-only, so its queued messages are not published from here"));
        }
        long n = outbox.firstKey();
        String value = outbox.get(n);
        Page queued = reader.local(n, value, "queued page");
        if (asRecords(n)) {
          RecordsStep step = publishRecords(n, queued, value, outbox.lastKey() > n, heads);
          if (step == RecordsStep.OPEN) {
            return Optional.empty(); // its records are written; the page stays queued until it closes
          }
          if (step == RecordsStep.FORKED) {
            return Optional.of(forked());
          }
          if (step == RecordsStep.REQUEUED) {
            continue;
          } // CLOSING: the queued page is the one closing its records, written at its key as any page
        } else if (QueuedRecords.is(value)) {
          queue(queued); // no longer written as records (another device wrote the page whole): sealed whole
          continue;
        }
        Optional<Fetched> found = writeOverLastSeen(n, queued, value);
        if (found.isEmpty()) {
          state.confirmOutbox(reader.feed, n, value); // written over exactly what this client last saw there
          continue;
        }
        Fetched remote = found.get(); // what decides a write is read now, never from an earlier pass
        if (remote.isValid() && !remote.page().equals(queued) && !remote.page().isPrefixOf(queued)) {
          if (queued.isPrefixOf(remote.page())) {
            reader.accept(remote); // it landed, and another device has written more after it since
            state.removeOutbox(reader.feed, n, value);
          } else if (!adoptAndRebase(n, remote, heads)) {
            return Optional.of(forked());
          }
          continue;
        }
        if (writesOver(remote, queued)) {
          store.put(c.pageKey(reader.feed, n), value); // over nothing, junk or an older version: as it was found
          reader.wrote(queued, value);
        }
        state.confirmOutbox(reader.feed, n, value); // one atomic step on disk: verified, and out of the outbox
      }
    } catch (KvException e) {
      return Optional.of(Problem.of(e));
    }
  }

  /**
   * Writes page {@code n} in one request when what this client last saw there (its verified copy, or nothing)
   * is what the queued version goes over: a conditional put, so the store writes only if the key still holds
   * exactly that. Returns empty when written; otherwise what the store holds now (the refusal's answer, or,
   * when the last-seen copy could not decide a write, a live read), for the checks a read before a write has.
   */
  private Optional<Fetched> writeOverLastSeen(long n, Page queued, String value) throws KvException, LocalStateException {
    Fetched seen = reader.lastSeen(n);
    if (!writesOver(seen, queued)) {
      return Optional.of(reader.fetchLive(n)); // confirmed or adopted only on what the store says now
    }
    PutIfUnchanged put = store.putIfUnchanged(c.pageKey(reader.feed, n), Optional.ofNullable(seen.value()), value);
    if (!put.written()) {
      return Optional.of(reader.answered(n, put.current()));
    }
    reader.wrote(queued, value);
    return Optional.empty();
  }

  /** Whether the queued page is written over what the store holds: nothing, junk, or an older version of it. */
  private static boolean writesOver(Fetched remote, Page queued) {
    return !remote.isValid() || (remote.page().isPrefixOf(queued) && !remote.page().equals(queued));
  }

  /**
   * Another device wrote page {@code n}: adopt its version if it continues this client's chain, then seal
   * the messages not yet confirmed again after it. Returns false when the store's page forks the chain
   * this client verified; nothing is written then.
   */
  private boolean adoptAndRebase(long n, Fetched remote, HeadsSource headsSource)
      throws LocalStateException, KvException {
    Page theirs = remote.page();
    Optional<Page> before = n > 1 ? reader.verified(n - 1) : Optional.empty();
    if (before.isPresent() && !before.get().isLinkedFrom(theirs)) {
      reader.warn(Kind.EQUIVOCATION, n, "another device of yours wrote a page that does not follow your page "
          + (n - 1) + " as this client verified it");
      state.saveEvidence(reader.feed, n, remote.value());
      return false;
    }
    Optional<Page> mine = reader.verified(n);
    if (mine.isPresent() && !mine.get().isPrefixOf(theirs)) {
      reader.warn(Kind.EQUIVOCATION, n, "another device of yours replaced messages of this page that were"
          + " already confirmed");
      state.saveEvidence(reader.feed, n, remote.value());
      return false;
    }
    List<SlotSeal.Draft> unconfirmed = new ArrayList<>();
    for (Map.Entry<Long, String> e : state.outbox(reader.feed).entrySet()) {
      Page q = reader.local(e.getKey(), e.getValue(), "queued page");
      int confirmed = reader.verified(e.getKey()).filter(v -> v.isPrefixOf(q)).map(v -> v.slots().size()).orElse(0);
      for (int i = confirmed; i < q.slots().size(); i++) {
        unconfirmed.add(reopen(q, i));
      }
    }
    for (Map.Entry<Long, String> e : state.outbox(reader.feed).entrySet()) {
      state.removeOutbox(reader.feed, e.getKey(), e.getValue());
    }
    reader.accept(remote);
    queueAfter(theirs, unconfirmed, headsSource);
    return true;
  }

  /** Seals {@code drafts} again after {@code tail}, in order, queuing each page as it grows. */
  private void queueAfter(Page tail, List<SlotSeal.Draft> drafts, HeadsSource headsSource)
      throws LocalStateException {
    List<Head> heads = drafts.isEmpty() ? List.of() : headsSource.get();
    for (SlotSeal.Draft d : drafts) {
      long last = tail.slots().get(tail.slots().size() - 1).timestampMillis();
      try {
        tail = writer.append(tail, heads, new SlotSeal.Draft(d.type(), Math.max(d.timestampMillis(), last),
            d.extension(), d.body()));
      } catch (InvalidMessageException ex) {
        throw new IllegalStateException("A message that was sealed once no longer fits a page", ex);
      }
      queue(tail);
    }
  }

  private static Problem forked() {
    return new Problem(Problem.Kind.FORKED, "your feed on the store was changed by another device in a way that"
        + " contradicts this one, so nothing more is published from here");
  }

  // --- an open page written as slot records (protocol §4.8) -----------------------------------------------

  /**
   * Whether own page {@code n} is published as records: begun as records (a record of it is kept here), or, where
   * every device reads them, a page no version of which this client verified, after a verified page (or page 1).
   * A page begun whole stays whole until it is full: records start at the next page, since a reader looks past a
   * page only when it may have a successor (§4.4), and closing it early would hide them. Where tags no longer count
   * (an epoch closed mid-page) no page begins as records: each would be closed at once (publishRecords).
   */
  private boolean asRecords(long n) throws LocalStateException {
    if (reader.verified(n).isPresent() || (n > 1 && reader.verified(n - 1).isEmpty())) {
      return false;
    }
    return held.holds(n) || (!c.tails().tagsWithdrawn() && c.tails().writesRecords(recordsReadHere));
  }

  /** What publishing a queued page begun as records left to do. */
  private enum RecordsStep { OPEN, REQUEUED, CLOSING, FORKED }

  /**
   * Writes queued page {@code n}'s slots not yet written as records. The page stays queued while it is open; once it
   * is full, {@code followed} by a queued page, or its epoch is closed here, the page that closes its records (signed) replaces it in the queue,
   * to be written at its key. Another device's records adopted: the messages are queued again after them, those of
   * the pages queued after {@code n} too.
   */
  private RecordsStep publishRecords(long n, Page queued, String value, boolean followed, HeadsSource heads)
      throws KvException, LocalStateException {
    // Where tags no longer count, the page closes now, signed: it commits to the tagged records readers hold back
    // (§4.8). It is not final: a later message grows it at its key as a signed page, so nothing after it is hidden.
    boolean closes = queued.isFull() || followed || c.tails().tagsWithdrawn();
    if (!closes && held.count(n) >= queued.slots().size()) {
      return RecordsStep.OPEN; // every slot is a record already: a pass with nothing to write opens none of them
    }
    OwnRecords.Outcome outcome;
    try {
      outcome = records.publish(queued, previousPage(n), value);
    } catch (PageRejectedException e) {
      reader.warn(e.kind(), n, e.getMessage());
      return RecordsStep.FORKED;
    }
    if (outcome instanceof OwnRecords.Rebased rebased) {
      requeue(n, rebased.pages(), heads);
      return RecordsStep.REQUEUED;
    }
    if (!closes) {
      return RecordsStep.OPEN;
    }
    Page closing = new RecordWriter(c).close(((OwnRecords.Written) outcome).records(), queued);
    if (closing.equals(queued) && !QueuedRecords.is(value)) {
      return RecordsStep.CLOSING;
    }
    queue(closing);
    return RecordsStep.REQUEUED;
  }

  /** Queues {@code pages} (page {@code n} sealed again after adopted records) and after them the later queued messages. */
  private void requeue(long n, List<Page> pages, HeadsSource heads) throws LocalStateException {
    List<SlotSeal.Draft> later = new ArrayList<>();
    List<Map.Entry<Long, String>> after = new ArrayList<>(state.outbox(reader.feed).tailMap(n + 1).entrySet());
    for (Map.Entry<Long, String> e : after) {
      Page q = reader.local(e.getKey(), e.getValue(), "queued page");
      for (int i = 0; i < q.slots().size(); i++) {
        later.add(reopen(q, i));
      }
    }
    for (Map.Entry<Long, String> e : after) {
      state.removeOutbox(reader.feed, e.getKey(), e.getValue());
    }
    for (Page p : pages) {
      queue(p);
    }
    queueAfter(pages.get(pages.size() - 1), later, heads);
  }

  /**
   * How many slots of queued page {@code number} are records kept here: confirmed. Counted without opening them: the
   * queued page goes on from the records kept (sealed after them, {@link #tail}, or again after adopted ones).
   */
  private int recordsKept(long number, Page shown) throws LocalStateException {
    return Math.min(held.count(number), shown.slots().size());
  }

  private SlotSeal.Draft reopen(Page page, int index) throws LocalStateException {
    Slot s = page.slots().get(index);
    try {
      return new SlotSeal.Draft(s.type(), s.timestampMillis(), s.extension(),
          SlotSeal.open(c, reader.feed, page, index));
    } catch (OneTimeKeyAead.OpenFailedException e) {
      throw new LocalStateException("A queued message of page " + page.number() + " no longer opens with your keys;"
          + " the outbox of " + reader.feed + " is damaged.", e);
    }
  }

  private void queue(Page page) throws LocalStateException {
    state.putOutbox(reader.feed, page.number(), sealed(page));
  }

  /** The page sealed into its value, remembered as that value's page: publishing need not open it again. */
  private String sealed(Page page) {
    String value = Envelope.seal(c, c.pageKey(reader.feed, page.number()), page);
    reader.sealed(page, value);
    return value;
  }

  /** Slots of own page {@code number} the store has confirmed: those of the verified copy the queued one extends. */
  int confirmedSlots(long number, Page shown) throws LocalStateException {
    if (state.outbox(reader.feed).get(number) == null) {
      return shown.slots().size();
    }
    if (reader.verified(number).isEmpty() && held.holds(number)) {
      return recordsKept(number, shown);
    }
    return reader.verified(number).filter(v -> v.isPrefixOf(shown)).map(v -> v.slots().size()).orElse(0);
  }

  /** Own messages still queued. */
  int pending() throws LocalStateException {
    int pending = 0;
    for (Map.Entry<Long, String> e : state.outbox(reader.feed).entrySet()) {
      Page q = reader.local(e.getKey(), e.getValue(), "queued page");
      pending += q.slots().size() - confirmedSlots(e.getKey(), q);
    }
    return pending;
  }
}
