package org.reschat.core.internal.feed;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.reschat.core.FeedWarning;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageCodec;
import org.reschat.core.internal.page.QueuedRecords;
import org.reschat.core.internal.page.PageFormatException;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStore;

/**
 * One writer's feed during one operation: fetches pages, finds the newest, verifies and keeps them.
 *
 * <p>The rules. A page counts only if it opens at its key and verifies as that page of that writer.
 * Verified history is append-only: a later version is accepted only if it extends the verified one (same
 * number and link, old slots a byte-for-byte prefix). An older version is a rollback; any other signed
 * version is equivocation, kept as evidence while the first verified version stays. Every search is
 * bounded whatever the store holds: page numbers are capped, probes are logarithmic, and garbage skipped
 * past the tail is bounded and reported once. Damage to this member's own pages is queued for
 * republishing from the verified copy.
 *
 * <p>Results of reads are remembered for the operation, so no key is read twice. Not thread-safe except
 * {@link #fetch}, which loaders call in parallel.
 */
final class FeedReader {
  /** Local values opened (decrypted and parsed) in this process: a count for tests, never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong LOCAL_OPENS = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong HELD_LOOKUPS = new java.util.concurrent.atomic.AtomicLong();
  /** Unreadable values read past the newest page before giving up, per operation. */
  static final int GARBAGE_BUDGET = 8;

  final FeedId feed;
  final boolean own;
  /** Another device's feed of this same member (protocol §15.3): what this person sent from elsewhere. */
  final boolean sibling;
  /** A member's identity feed (device 0's): the feeds pages carry heads of. */
  final boolean identityFeed;
  /** A revoked device's feed (protocol §15.7): what it says about other feeds is not taken. */
  final boolean revoked;
  private final Conversation c;
  private final KvStore store;
  private final LocalState state;
  private final Warnings warnings;
  private final AtomicInteger reads;
  /** Pages read live a second time in this operation, to confirm a contradicting answer: once each. */
  private final java.util.Set<Long> confirmedLive = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Map<Long, Fetched> seen = new java.util.concurrent.ConcurrentHashMap<>();
  /** Local values opened before, by this operation or an earlier one: a send needs its tail page five times. */
  private final OpenedPages opened;

  FeedReader(Conversation c, FeedId feed, KvStore store, LocalState state, Warnings warnings, AtomicInteger reads,
      OpenedPages opened) {
    this.c = c;
    this.feed = feed;
    this.own = c.isMine(feed);
    this.sibling = c.isSibling(feed);
    this.identityFeed = c.isIdentityFeed(feed);
    this.revoked = c.endOf(feed).isPresent();
    this.store = store;
    this.state = state;
    this.warnings = warnings;
    this.reads = reads;
    this.opened = opened;
  }

  // --- the store ------------------------------------------------------------------------------------

  /** What the store holds at page {@code number}, read once per operation. */
  Fetched fetch(long number) throws KvException {
    Fetched known = seen.get(number);
    if (known != null) {
      return known;
    }
    Fetched f = read(number);
    seen.put(number, f);
    return f;
  }

  /**
   * What the store holds at page {@code number} now, not what a receive pass read before this call took the
   * conversation's lock: for the read before a write, and to confirm an answer that contradicts the copy
   * held here (another process of this profile may have moved on since the pass read the key).
   */
  Fetched fetchLive(long number) throws KvException {
    Fetched f = read(number, true);
    seen.put(number, f);
    return f;
  }

  /**
   * {@link #fetch}, read live once more when the answer contradicts {@code local} (absent, unreadable, older or
   * another version): a value the pass read earlier must not pass for tampering. A tagged version held back that
   * grows {@code local} contradicts nothing: it is left unread again, as a version the reader takes would be.
   */
  Fetched confirmed(long number, Page local) throws KvException {
    Fetched f = fetch(number);
    Page served = f.isValid() ? f.page() : f.heldBack();
    boolean agrees = served != null && (served.equals(local) || local.isPrefixOf(served));
    if (agrees || !(store instanceof PassCache) || !confirmedLive.add(number)) {
      return f;
    }
    return fetchLive(number);
  }

  private Fetched read(long number) throws KvException {
    return read(number, false);
  }

  private Fetched read(long number, boolean live) throws KvException {
    String key = c.pageKey(feed, number);
    KvRead raw;
    try {
      reads.incrementAndGet();
      raw = KvRead.of(live && store instanceof PassCache ? ((PassCache) store).getLive(key) : store.get(key));
    } catch (KvCorruptValueException e) {
      raw = new KvRead.Corrupt(e.getMessage());
    }
    return interpret(number, raw);
  }

  /** The store key of page {@code number}, when this operation has not read it yet: to read it with others ({@link #took}). */
  Optional<String> unread(long number) {
    return seen.containsKey(number) ? Optional.empty() : Optional.of(c.pageKey(feed, number));
  }

  /**
   * What a read of page {@code number}'s key together with other keys answered, taken as this operation's read of it;
   * the record follower loading that page takes the same answer as its read of the page key ({@link #readAhead}).
   * {@code key} is that page's key, as {@link #unread} gave it: not derived again, once a member at each receive.
   */
  Fetched took(long number, String key, KvRead raw) {
    reads.incrementAndGet();
    readAhead.put(key, raw);
    return answered(number, raw);
  }

  /**
   * What the store answered it holds at page {@code number} now, without a read (a refused conditional write
   * carries it): checked exactly as a live read would be, and kept as this operation's read of the key.
   */
  Fetched answered(long number, KvRead now) {
    Fetched f = interpret(number, now);
    seen.put(number, f);
    return f;
  }

  /** {@link #held}, made once: a receive made one twice a feed or more, each naming the feed's companion anew (issue 24). */
  private volatile HeldRecords held;

  /** The records of this feed kept here (it keeps nothing but where they are: one view does for the operation). */
  HeldRecords held() {
    HeldRecords h = held;
    if (h == null) {
      h = new HeldRecords(c, feed, state, opened);
      held = h;
    }
    return h;
  }

  /** The values this reader opened before (pages and records), to share with the feed's writer. */
  OpenedPages opened() {
    return opened;
  }

  /** A value read at page {@code number}, opened and verified (or recognised as a copy held here). */
  private Fetched interpret(long number, KvRead raw) {
    if (raw instanceof KvRead.Corrupt) {
      return Fetched.rejected(number, Kind.CORRUPT, "the store holds something under its key that is not a value");
    }
    if (raw.value().isEmpty()) {
      return Fetched.absent(number);
    }
    String value = raw.value().get();
    // The store holds, byte for byte, a value this client holds at this very key: it opened and verified here
    // when it was kept (or this client sealed and signed it), and the same bytes at the same key verify the
    // same way, so the copy in hand is the page. Rollback, equivocation and forgery all change the bytes.
    Optional<Fetched> held = heldCopy(number, value);
    if (held.isPresent()) {
      return held.get();
    }
    try {
      Page page = PageVerifier.openAndVerify(c, feed, number, c.pageKey(feed, number), value);
      closesHeldRecords(number, page);
      return Fetched.valid(number, page, value);
    } catch (LocalStateException e) {
      return Fetched.rejected(number, Kind.CORRUPT, e.getMessage()); // this device's kept records, not the store's
    } catch (PageFormatException e) {
      return Fetched.rejected(number, Kind.CORRUPT, e.getMessage());
    } catch (PageRejectedException e) {
      String detail = "it was rejected: " + e.getMessage();
      return uncommitted(number, value).map(p -> Fetched.heldBack(number, p, value, e.kind(), detail))
          .orElse(Fetched.rejected(number, e.kind(), detail));
    }
  }

  /**
   * The tagged page at page {@code number}'s key, where tags no longer count in this reader's view but would have
   * before the closing it learnt of (protocol §4.7): its writer may not have learnt of it yet. Not for this device's
   * own feed, whose writer it is (it signs its tail as soon as it learns). Empty when it fails for any other reason.
   */
  private Optional<Page> uncommitted(long number, String value) {
    if (own || !c.tails().tagsWithdrawn()) {
      return Optional.empty();
    }
    try {
      Page page = PageVerifier.openAndVerify(c.withTails(c.tails().opened()), feed, number, c.pageKey(feed, number),
          value);
      return page.isTagged() ? Optional.of(page) : Optional.empty();
    } catch (PageFormatException | PageRejectedException e) {
      return Optional.empty();
    }
  }

  /**
   * A page at a key whose records this client verified (protocol §4.8) must close them, whichever path read it:
   * the page path reads the page key before records are followed, so without this a signed page with other
   * messages would replace records already shown. Throws EQUIVOCATION otherwise; the records stay.
   */
  private void closesHeldRecords(long number, Page page) throws LocalStateException, PageRejectedException {
    HeldRecords held = held();
    if (state.page(feed, number).isPresent() || !held.holds(number)) {
      return;
    }
    Optional<String> before = number == 1 ? Optional.empty() : state.page(feed, number - 1);
    byte[] link = number == 1 ? new byte[32] : before.isEmpty() ? null
        : local(number - 1, before.get(), "verified page").hash();
    held.verified(number, link).checkClosing(page);
  }

  /**
   * What this client last saw at page {@code number}, from its own copies and without I/O: the verified copy,
   * or nothing when it holds none. A belief, not a read: only a write conditional on it may act on it.
   */
  Fetched lastSeen(long number) throws LocalStateException {
    Optional<String> value = state.page(feed, number);
    return value.isEmpty() ? Fetched.absent(number)
        : Fetched.valid(number, local(number, value.get(), "verified page"), value.get());
  }

  /** The page, when {@code raw} is the value of page {@code number} held here (verified, or this member's queued one). */
  private Optional<Fetched> heldCopy(long number, String raw) {
    try {
      HeldNewest newest = heldNewest();
      Optional<String> verified = newest != null && newest.number() == number ? newest.value : state.page(feed, number);
      String value = verified.isPresent() && verified.get().equals(raw) ? verified.get()
          : own && raw.equals(state.outbox(feed).get(number)) ? state.outbox(feed).get(number) : null;
      return value == null ? Optional.empty() : Optional.of(Fetched.valid(number, local(number, value, "page"), value));
    } catch (LocalStateException e) {
      return Optional.empty(); // a damaged local copy proves nothing: verify what the store holds
    }
  }

  /** Records that this operation wrote {@code value} as page {@code page}. */
  void wrote(Page page, String value) {
    seen.put(page.number(), Fetched.valid(page.number(), page, value));
  }

  /** Records that {@code value}, about to be kept locally as page {@code page}, is that page: no need to open it. */
  void sealed(Page page, String value) {
    opened.put(feed, page.number(), value, page);
  }

  // --- local copies -----------------------------------------------------------------------------------

  /** The verified copy of a page held locally. */
  Optional<Page> verified(long number) throws LocalStateException {
    HeldNewest held = heldNewest();
    if (held != null && held.number() == number) {
      return held.page(this);
    }
    Optional<String> value = state.page(feed, number);
    return value.isEmpty() ? Optional.empty() : Optional.of(local(number, value.get(), "verified page"));
  }

  /**
   * The newest verified page of another member's feed as this operation holds it: its number, its value, and the page
   * once asked for. A receive asks for each feed's newest page about fifteen times (its first reads, the batch's
   * answer, its refresh, its record follower, the delivery, the heads), each a synchronized look-up in the operation's
   * maps keyed by feed (issue 24). Kept only where that answer cannot change behind this reader: under the
   * conversation's lock ({@link OperationState}), for a feed only this reader writes ({@link #accept} forgets it);
   * this device's own feed is written by its {@link OwnFeed} too, and is looked up as before.
   */
  private static final class HeldNewest {
    private final long number;
    private final Optional<String> value;
    private volatile Optional<Page> page;

    HeldNewest(long number, Optional<String> value) {
      this.number = number;
      this.value = value;
    }

    long number() {
      return number;
    }

    Optional<Page> page(FeedReader r) throws LocalStateException {
      Optional<Page> p = page;
      if (p == null) {
        p = value.isEmpty() ? Optional.empty() : Optional.of(r.local(number, value.get(), "verified page"));
        page = p;
      }
      return p;
    }
  }

  private volatile HeldNewest heldNewest;

  /** {@link HeldNewest}, looked up once; null where it is not kept. */
  private HeldNewest heldNewest() throws LocalStateException {
    if (own || !(state instanceof OperationState)) {
      return null;
    }
    HeldNewest held = heldNewest;
    if (held == null) {
      long n = state.newestPage(feed);
      held = new HeldNewest(n, n == 0 ? Optional.empty() : state.page(feed, n));
      heldNewest = held;
    }
    return held;
  }

  /** This member's queued version of a page, if any. */
  Optional<Page> queued(long number) throws LocalStateException {
    if (!own) {
      return Optional.empty();
    }
    String value = state.outbox(feed).get(number);
    return value == null ? Optional.empty() : Optional.of(local(number, value, "queued page"));
  }

  /** Whether this is this device's own feed with pages queued: it writes it, and holds what it wrote. */
  private boolean writesHere() throws LocalStateException {
    return own && !state.outbox(feed).isEmpty();
  }

  /** The version to show: the queued one for own pages that have one, else the verified copy. */
  Optional<Page> shown(long number) throws LocalStateException {
    HELD_LOOKUPS.incrementAndGet();
    Optional<Page> q = queued(number);
    return q.isPresent() ? q : verified(number);
  }

  long newestVerified() throws LocalStateException {
    HeldNewest held = heldNewest();
    return held != null ? held.number() : state.newestPage(feed);
  }

  /** The newest page held, counting own pages still in the outbox. */
  long newestHeld() throws LocalStateException {
    HELD_LOOKUPS.incrementAndGet();
    long newest = newestVerified();
    if (own) {
      SortedMap<Long, String> outbox = state.outbox(feed);
      if (!outbox.isEmpty()) {
        newest = Math.max(newest, outbox.lastKey());
      }
    }
    return newest;
  }

  /** How many times a page shown or the newest page held was looked up in this process (tests count a path's). */
  static long heldLookups() {
    return HELD_LOOKUPS.get();
  }

  /** How many pages held here were opened in this process so far (tests count what a path opens). */
  static long localOpens() {
    return LOCAL_OPENS.get();
  }

  /** The page {@link #local} gave last, with its number and value: one operation asks for a feed's newest page often. */
  private record LastLocal(long number, String value, Page page) {}

  /**
   * {@link #local}'s last answer: a receive asks for each feed's newest page about ten times, and each ask looked it
   * up in the engine's opened pages (a synchronized map), ten look-ups a member at each receive in a group (issue 24).
   * The same value at the same page of this feed always opens to the same page. Volatile: loaders may ask in parallel.
   */
  private volatile LastLocal lastLocal;

  /** Opens a page kept locally (it was verified when kept). */
  Page local(long number, String value, String what) throws LocalStateException {
    LastLocal last = lastLocal;
    if (last != null && last.number() == number && last.value().equals(value)) {
      return last.page();
    }
    Page page = open(number, value, what);
    lastLocal = new LastLocal(number, value, page);
    return page;
  }

  private Page open(long number, String value, String what) throws LocalStateException {
    Page known = opened.get(feed, number, value);
    if (known != null) {
      return known;
    }
    LOCAL_OPENS.incrementAndGet();
    if (own && QueuedRecords.is(value)) { // an open page this device queued as its records (OwnRecords)
      Page page = held().queuedPage(number, value);
      opened.put(feed, number, value, page);
      return page;
    }
    try {
      Page page = PageCodec.parse(Envelope.open(c, c.pageKey(feed, number), value));
      opened.put(feed, number, value, page);
      return page;
    } catch (PageFormatException e) {
      throw new LocalStateException("The locally stored " + what + " " + number + " of " + feed + " is damaged ("
          + e.getMessage() + "); restore the profile directory from a backup.", e);
    }
  }

  // --- finding and following the newest page ----------------------------------------------------------

  /**
   * Brings the local copy up to the store's newest page. With a verified newest page n that is complete,
   * reads forward from n + 1 (the next page's link vouches for n). Otherwise compares the store's page n
   * with it, and reads forward only if that version may have a successor ({@link Page#mayHaveSuccessor}):
   * one read per feed in the usual case. {@link #firstReads} says which reads to issue in parallel first.
   * Without a verified page: {@link #locate}.
   */
  void refresh() throws KvException, LocalStateException {
    long n = newestVerified();
    if (n == 0) {
      if (!(own && !state.outbox(feed).isEmpty())) { // an own feed with only queued pages: publishing comes first
        locate();
      }
      return;
    }
    Page held = verified(n).orElseThrow();
    if (held.isFull()) {
      forward(n + 1, held);
      return;
    }
    Fetched remote = confirmed(n, held);
    Page top = reconcile(n, held, remote);
    // A damaged or older copy of page n hides whether the writer moved on: then look at n + 1 anyway.
    boolean hidden = !remote.isValid() || !top.equals(remote.page());
    if (top.mayHaveSuccessor() || hidden) {
      forward(n + 1, top);
    }
  }

  // --- an open page in record form (protocol §4.8) ------------------------------------------------------

  /**
   * What this operation's batches read at record keys ({@link #nextRecordKeys}, {@link #fetchWithRecords}) and at page
   * keys with them, for the record follower to take once instead of reading the key, verified as its own read. At most
   * one page's keys a batch: twenty record keys and two page keys.
   */
  private final Map<String, KvRead> readAhead = new java.util.concurrent.ConcurrentHashMap<>();
  /** Whether {@link #fetchWithRecords} carried a page's record keys in this operation: once, however far it reads. */
  private boolean recordsCarried;

  /**
   * The record keys {@link #followRecords} reads first, to read with the first pages in one request (issue 24), where
   * it follows the page after the newest ({@link NextKeys#nextRecord}): holding records of it, the next record and the
   * one after (a receive of one message reads both); holding none (past a full page), all twenty, which it would
   * otherwise read with the page key in a request of its own, the page key being among the first reads. None where
   * tags are withdrawn (records are followed before the first reads), nor for this device's own feed while it writes
   * it.
   */
  List<String> nextRecordKeys() throws LocalStateException {
    if ((own && !state.outbox(feed).isEmpty()) || c.tails().tagsWithdrawn()) {
      return List.of();
    }
    Optional<LocalState.Position> next = NextKeys.nextRecord(c, this);
    if (next.isEmpty()) {
      return List.of();
    }
    int from = next.get().slot();
    return recordKeys(next.get().page(), from, from == 0 ? PageLimits.SLOTS_PER_PAGE : from + 2);
  }

  /**
   * The keys {@link #fetchWithRecords} reads should one more message fill the page this feed's writer grows (its newest
   * page one slot short of full, or nineteen records of the page after it held): that page's key past it and its record
   * keys. For a receive pass that knows the chat changed, to read them with its other first keys (issue 24); a live
   * receive does not know, and would carry them at every quiet receive. None otherwise.
   */
  List<String> keysPastAFill() throws LocalStateException {
    long n = newestVerified();
    if (n == 0 || writesHere() || c.tails().tagsWithdrawn()) {
      return List.of();
    }
    Page top = verified(n).orElseThrow();
    HeldRecords held = held();
    long past;
    if (top.mayHaveSuccessor() && held.count(n + 1) == PageLimits.SLOTS_PER_PAGE - 1) {
      past = n + 2; // the record filling page n + 1 closes it
    } else if (!top.mayHaveSuccessor() && top.slots().size() == PageLimits.SLOTS_PER_PAGE - 1) {
      past = n + 1;
    } else {
      return List.of();
    }
    if (past > Conversation.MAX_PAGE_NUMBER || !followsRecordsOf(c, held, past)) {
      return List.of();
    }
    return pageAndRecordKeys(past);
  }

  /** Page {@code page}'s key, then its twenty record keys: what the follower reads of a page it holds nothing of. */
  private List<String> pageAndRecordKeys(long page) {
    List<String> keys = new java.util.ArrayList<>(List.of(c.pageKey(feed, page)));
    keys.addAll(recordKeys(page, 0, PageLimits.SLOTS_PER_PAGE));
    return keys;
  }

  /** The keys of records {@code from} to {@code to} (exclusive, at most the page's last) of page {@code page}. */
  private List<String> recordKeys(long page, int from, int to) {
    List<String> keys = new java.util.ArrayList<>();
    for (int k = from; k < Math.min(to, PageLimits.SLOTS_PER_PAGE); k++) {
      keys.add(c.recordKey(feed, page, k));
    }
    return keys;
  }

  /** What a batch read at one of {@link #nextRecordKeys}: the follower takes it once, verified as its own read. */
  void tookRecord(String key, KvRead raw) {
    readAhead.put(key, raw);
  }

  /**
   * Page {@code k}, read past the pages held after {@code previous} (page {@code k − 1}, which may have a successor):
   * where the record follower would load page {@code k} next if it is not there (it holds none of its records, §4.8),
   * the page's record keys go in the same request, once an operation (issue 24: the message that fills a page was
   * three requests, the page key alone and then again with its record keys). Otherwise {@link #fetch}.
   */
  private Fetched fetchWithRecords(long k, Page previous) throws KvException, LocalStateException {
    if (recordsCarried || previous == null || !previous.mayHaveSuccessor() || writesHere()
        || c.tails().tagsWithdrawn() || k > Conversation.MAX_PAGE_NUMBER) {
      return fetch(k);
    }
    HeldRecords held = held();
    if (!followsRecordsOf(c, held, k) || held.holds(k)) {
      return fetch(k);
    }
    recordsCarried = true;
    List<String> keys = pageAndRecordKeys(k);
    String pageKey = keys.get(0);
    Map<String, KvRead> got = store.getAll(keys);
    for (String key : keys.subList(1, keys.size())) {
      KvRead read = got.get(key);
      if (read != null) { // unanswered: the follower reads it itself
        readAhead.put(key, read);
      }
    }
    KvRead page = got.get(pageKey);
    return page == null ? fetch(k) : took(k, pageKey, page);
  }

  /** The records of the open page this pass followed, and its number; none when the feed has no such page. */
  private List<SlotRecord> openRecords = List.of();
  private long openPage;

  /** The records of the open page {@link #followRecords} found, in order (the page is {@link #openPage}). */
  List<SlotRecord> openRecords() {
    return openRecords;
  }

  long openPage() {
    return openPage;
  }

  /**
   * After {@link #refresh}: where the writer may write records (every device of both people showed it reads
   * them, in this client's view), follows the page after the newest verified one when that one may have a
   * successor, or page 1 when none is held ({@link OpenTail}); a page its records closed is verified and kept as
   * any page, and the one after it followed in turn. This device's own feed too while nothing of it is queued here:
   * another copy of this device (a restored backup's) may have written records this one has not seen; while a page
   * is queued, this device is its writer and holds what it wrote.
   */
  void followRecords() throws KvException, LocalStateException {
    if (own && !state.outbox(feed).isEmpty()) {
      return;
    }
    HeldRecords held = held();
    OpenTail tail = null; // made only for a feed that may have records to follow: in a group, one member's of n
    for (long n = newestVerified(); n < Conversation.MAX_PAGE_NUMBER; n = newestVerified()) {
      Optional<Page> top = n == 0 ? Optional.empty() : verified(n);
      if (top.isPresent() && !top.get().mayHaveSuccessor()) {
        return; // the writer still grows page n whole
      }
      if (!followsRecordsOf(c, held, n + 1)) {
        return;
      }
      if (tail == null) {
        tail = new OpenTail(c, feed, store, held, readAhead); // one held-records view of the feed
      }
      OpenTail.Followed f = tail.follow(n + 1, top.map(Page::hash).orElse(new byte[32]));
      for (OpenPageLoader.Finding finding : f.findings()) {
        if (finding.once()) {
          warnings.addLasting(new FeedWarning(finding.kind(), own, n + 1, finding.detail(), c.writerOf(feed), null), feed);
        } else {
          warn(finding.kind(), n + 1, finding.detail());
        }
      }
      if (f.closed().isEmpty()) {
        openPage = n + 1;
        openRecords = f.records();
        return;
      }
      Page closed = f.closed().get(); // agrees with the records: the page, as if read at its key
      accept(Fetched.valid(n + 1, closed, Envelope.seal(c, c.pageKey(feed, n + 1), closed)));
    }
  }

  /**
   * Whether a reader follows a feed's records of page {@code page}: where every device showed version 5 in its view,
   * or where it holds a record of that page or of the one before. A writer keeps a page it began as records as
   * records (§4.8), and begins the next as records until it learns of a device that has not shown version 5, which
   * this reader may learn first; so such a device (a hostile member's that never reads, §4.9) must not stop the
   * reading of either. Where the writer began the page whole, the page key read with the records says so.
   */
  static boolean followsRecordsOf(Conversation c, HeldRecords held, long page) throws LocalStateException {
    return c.tails().everyoneReads5() || held.holds(page) || (page > 1 && held.holds(page - 1));
  }

  /** The pages {@link #refresh} reads first, for the caller to fetch in parallel with other feeds'. */
  java.util.List<Long> firstReads() throws LocalStateException {
    long n = newestVerified();
    if (n == 0) {
      return java.util.List.of(1L); // the first probe of the search for the newest page
    }
    Page held = verified(n).orElseThrow();
    return held.isFull() ? java.util.List.of(n + 1)
        : held.mayHaveSuccessor() ? java.util.List.of(n, n + 1) : java.util.List.of(n);
  }

  /**
   * Finds the newest page of a feed this client holds nothing of, in O(log n) reads whatever the store
   * holds: gallop 1, 2, 4, … while pages verify, bisect the last gap, then read forward past values
   * that do not verify (vandalised pages), within {@link #GARBAGE_BUDGET}. A probe counts only if a page
   * opens and verifies there, which nobody but the writer can arrange.
   */
  void locate() throws KvException, LocalStateException {
    long low = 0;
    long high = 1;
    while (high <= Conversation.MAX_PAGE_NUMBER && fetch(high).isValid()) {
      low = high;
      high = Math.min(high * 2, Conversation.MAX_PAGE_NUMBER + 1);
      if (low == Conversation.MAX_PAGE_NUMBER) {
        break;
      }
    }
    while (high - low > 1) {
      long mid = low + (high - low) / 2;
      if (fetch(mid).isValid()) {
        low = mid;
      } else {
        high = mid;
      }
    }
    Page top = null;
    if (low > 0) {
      accept(fetch(low));
      top = fetch(low).page();
    }
    forward(low + 1, top);
  }

  /** Reads pages {@code from}, {@code from + 1}, … until a key is empty or the garbage budget is spent. */
  private void forward(long from, Page previous) throws KvException, LocalStateException {
    int garbage = 0;
    int skipped = 0;
    Fetched firstGarbage = null;
    long lastGood = from - 1;
    for (long k = from; k <= Conversation.MAX_PAGE_NUMBER; k++) {
      Fetched next = seen.containsKey(k) ? fetch(k) : fetchWithRecords(k, previous);
      if (next.isAbsent()) {
        break;
      }
      if (!next.isValid()) {
        // Garbage may sit over a real page: look a little further, so it cannot hide what follows. A tagged version
        // held back is no garbage: what follows, when it links elsewhere, says it was forged (pages()).
        if (!next.isHeldBack()) {
          firstGarbage = garbage == 0 ? next : firstGarbage;
          garbage++;
        }
        if (++skipped > GARBAGE_BUDGET) {
          break;
        }
        previous = null;
        continue;
      }
      Page page = next.page();
      Optional<Page> mine = verified(k);
      if (mine.isPresent()) {
        previous = reconcile(k, mine.get(), confirmed(k, mine.get()));
        lastGood = k;
        continue;
      }
      Fetched before = seen.get(k - 1);
      if (previous != null && !previous.isLinkedFrom(page) && committed(before, page)
          && previous.isPrefixOf(before.heldBack())) {
        Fetched taken = Fetched.valid(k - 1, before.heldBack(), before.value());
        seen.put(k - 1, taken);
        accept(taken);
      } else if (previous != null && !previous.isLinkedFrom(page)) {
        if (previous.isFull()) {
          equivocation(k, next, "it links to a version of page " + (k - 1)
              + " other than the complete one this client verified: the writer forked the feed");
          return; // nothing after a fork is shown
        }
        warn(Kind.WITHHELD, k - 1, "the store serves a version of it older than the one page " + k
            + " links to, so messages in it may be missing");
      }
      accept(next);
      previous = page;
      lastGood = k;
    }
    if (garbage == 1) {
      warn(firstGarbage.problem(), firstGarbage.number(), firstGarbage.detail());
    } else if (garbage > 1) {
      // One warning however much junk there is: the ledger has no delete, so it would repeat forever.
      warn(Kind.CORRUPT, lastGood, garbage + " unreadable values were found after it and skipped"
          + (skipped > GARBAGE_BUDGET ? " (the search stopped there)" : "") + "; the first, at page "
          + firstGarbage.number() + ": " + firstGarbage.detail());
    }
  }

  /**
   * Whether {@code remote} is a tagged version held back that {@code next}, the verified page after it, links to:
   * the writer's signed chain commits to it (protocol §4.7), so it counts.
   */
  private static boolean committed(Fetched remote, Page next) {
    return remote != null && remote.isHeldBack() && next != null && remote.heldBack().isLinkedFrom(next);
  }

  /**
   * Compares the store's copy of a page with the verified local copy and returns the version to trust:
   * the store's when it extends the local one, the local one otherwise.
   */
  Page reconcile(long number, Page local, Fetched remote) throws LocalStateException {
    if (remote.isAbsent()) {
      damaged(number, Kind.MISSING, "it is gone from the store");
      return local;
    }
    if (remote.isHeldBack() && local.isPrefixOf(remote.heldBack())) {
      return local; // what this reader verified, grown unsigned where tags no longer count: nothing to show yet
    }
    if (!remote.isValid() && !remote.isHeldBack()) {
      damaged(number, remote.problem(), remote.detail());
      return local;
    }
    Page page = remote.isValid() ? remote.page() : remote.heldBack();
    if (remote.isHeldBack() && !page.isPrefixOf(local)) {
      damaged(number, remote.problem(), "it is an unsigned version that changes messages this client verified:"
          + " not its writer's");
      return local;
    }
    if (page.equals(local)) {
      confirmIfQueued(remote);
      return local;
    }
    if (local.isPrefixOf(page)) {
      accept(remote);
      return page;
    }
    if (page.isPrefixOf(local)) {
      damaged(number, Kind.ROLLBACK, "the store shows an older version, with " + page.slots().size() + " of the "
          + local.slots().size() + " messages already verified");
      return local;
    }
    equivocation(number, remote, "the writer signed a second version that changes messages this client already"
        + " verified; the first version is shown and both are kept as evidence");
    return local;
  }

  // --- pages for display ------------------------------------------------------------------------------

  /**
   * The pages {@code from} to {@code to} as they should be shown, after {@link #refresh}. Reads from the
   * store only what the verified copies cannot vouch for: pages not held, pages not known to be final,
   * and this member's own pages (so damage to them is found and repaired). Callers prefetch
   * {@link #toRead} in parallel. Checks the hash chain from the newest page down.
   */
  SortedMap<Long, Page> pages(long from, long to) throws KvException, LocalStateException {
    java.util.Set<Long> read = new java.util.HashSet<>(toRead(from, to));
    SortedMap<Long, Page> out = new TreeMap<>();
    Page link = null;
    for (long k = to; k >= from; k--) {
      Optional<Page> queued = queued(k);
      Page chosen;
      if (queued.isPresent()) {
        chosen = queued.get(); // the local version is the truth until it is published
      } else {
        Optional<Page> local = verified(k);
        Fetched remote = read.contains(k) ? fetch(k) : null;
        if (remote == null && local.isPresent() && link != null && !local.get().isLinkedFrom(link)) {
          remote = fetch(k); // the cached copy is not the version the next page links to: ask the store
        }
        if (remote != null && local.isPresent()) {
          remote = confirmed(k, local.get());
        }
        if (committed(remote, link)) {
          remote = Fetched.valid(k, remote.heldBack(), remote.value());
        }
        chosen = remote == null ? local.orElse(null)
            : local.isPresent() ? reconcile(k, local.get(), remote) : take(k, remote, link);
      }
      if (chosen != null && link != null && !chosen.isLinkedFrom(link) && !(own && queued.isPresent())) {
        warn(Kind.WITHHELD, k, "page " + (k + 1) + " links to a version of it that the store does not serve;"
            + " messages may be missing");
      }
      if (chosen != null) {
        out.put(k, chosen);
      }
      link = chosen;
    }
    return out;
  }

  /** Which pages in {@code from..to} must be read from the store for {@link #pages}. */
  java.util.List<Long> toRead(long from, long to) throws LocalStateException {
    java.util.List<Long> out = new java.util.ArrayList<>();
    SortedMap<Long, String> outbox = own ? state.outbox(feed) : new TreeMap<>();
    Optional<Page> above = verified(to);
    for (long k = to - 1; k >= from; k--) {
      Optional<Page> local = verified(k);
      boolean knownFinal = local.isPresent() && above.isPresent() && local.get().isLinkedFrom(above.get());
      if (own ? !outbox.containsKey(k) : !knownFinal) {
        out.add(k);
      }
      above = local;
    }
    return out;
  }

  /** Page {@code k}, held nowhere here, as the store serves it; {@code link} is the verified page after it, if any. */
  private Page take(long k, Fetched remote, Page link) throws LocalStateException {
    if (remote.isHeldBack() && link != null) { // not the version the page after it links to (committed() above)
      warn(remote.problem(), k, "it is an unsigned version other than the one its writer's page " + (k + 1)
          + " links to: not its writer's; its messages cannot be shown");
      return null;
    }
    if (remote.isValid()) {
      accept(remote);
      return remote.page();
    }
    if (remote.isHeldBack()) {
      return null; // the newest page, unsigned where tags no longer count: evidence of nothing until signed
    }
    if (remote.isAbsent()) {
      warn(Kind.MISSING, k, "it is gone from the store and not kept here; its messages cannot be shown");
    } else {
      warn(remote.problem(), k, remote.detail() + "; its messages cannot be shown");
    }
    return null;
  }

  // --- keeping ----------------------------------------------------------------------------------------

  void accept(Fetched remote) throws LocalStateException {
    heldNewest = null; // what is held changes: look it up again
    state.savePage(feed, remote.number(), remote.value());
    opened.put(feed, remote.number(), remote.value(), remote.page()); // held now, and opened already
    confirmIfQueued(remote);
  }

  /** The store shows exactly a queued version: it is confirmed after all. */
  private void confirmIfQueued(Fetched remote) throws LocalStateException {
    if (!own) {
      return;
    }
    String queued = state.outbox(feed).get(remote.number());
    if (queued != null && local(remote.number(), queued, "queued page").equals(remote.page())) {
      state.confirmOutbox(feed, remote.number(), queued);
    }
  }

  private void equivocation(long number, Fetched remote, String detail) throws LocalStateException {
    state.saveEvidence(feed, number, remote.value());
    warn(Kind.EQUIVOCATION, number, detail);
  }

  /** Reports damage; for own pages, queues the verified copy to be written again (not from a read-only profile). */
  private void damaged(long number, Kind kind, String detail) throws LocalStateException {
    warn(kind, number, detail);
    if (own && !state.readOnly() && !state.outbox(feed).containsKey(number)) {
      Optional<String> local = state.page(feed, number);
      if (local.isPresent()) {
        state.putOutbox(feed, number, local.get());
        warn(Kind.REPUBLISHED, number, "your verified copy is being written to the store again");
      }
    }
  }

  void warn(Kind kind, long number, String detail) {
    warn(kind, number, detail, null);
  }

  // --- for Heads: claims about this feed, and the evidence that settles them --------------------------

  /** A warning that rests on what {@code claimant}'s page says about this feed. */
  void warn(Kind kind, long number, String detail, org.reschat.core.identity.PublicCard claimant) {
    warnings.add(new FeedWarning(kind, own, number, detail, c.writerOf(feed), claimant), feed);
  }

  /** The card of this feed's writer. */
  org.reschat.core.identity.PublicCard writer() {
    return c.writerOf(feed);
  }

  /** The other signed versions of page {@code number} kept as evidence, each verified again. */
  java.util.List<Page> evidence(long number) throws LocalStateException {
    java.util.List<Page> out = new java.util.ArrayList<>();
    for (String value : state.evidence(feed, number)) {
      try {
        out.add(PageVerifier.openAndVerify(c, feed, number, c.pageKey(feed, number), value));
      } catch (PageFormatException | PageRejectedException e) {
        // not a signed version of this page after all: it proves nothing
      }
    }
    return out;
  }

  /** Keeps {@code remote}, a second signed version of a page, as evidence. */
  void keepEvidence(Fetched remote) throws LocalStateException {
    state.saveEvidence(feed, remote.number(), remote.value());
  }
}
