package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.List;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.QueuedRecords;
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Writes this member's queued open page as slot records (protocol §4.8, §7). The outbox keeps holding the page, as
 * for every writer: one entry, replaced atomically as the page grows, so a message is never sealed again differently
 * and never lost, whatever the crash; its value is the records' values ({@link #queuedValue}, {@link QueuedRecords}),
 * so a send seals its one record, not the whole page again. Publishing derives from it the records of the slots not
 * yet written (the same page and link give the same record byte for byte; a record queued is written as the very
 * value queued, so a retry after a crash writes the same bytes) and writes each once ({@link RecordPublisher}); a record written is kept as verified ({@link HeldRecords}),
 * never filed among the feed's pages. A record another device of this identity wrote at that place is adopted and
 * the messages not yet written are sealed again after it, in one replacement of the queued page (or two, when they
 * no longer fit and the page closes); one that contradicts what this device wrote is EQUIVOCATION, nothing written.
 */
final class OwnRecords {
  /** What publishing a queued page did. */
  sealed interface Outcome permits Written, Rebased {}

  /** Every slot of the queued page is a record at its key, kept here. */
  record Written(List<SlotRecord> records) implements Outcome {}

  /** Another device's record was adopted: {@code pages} (page n, and n + 1 when they overflowed) are to be queued. */
  record Rebased(List<Page> pages) implements Outcome {}

  private final Conversation c;
  private final HeldRecords held;
  private final RecordPublisher publisher;
  private final RecordWriter records;
  private final PageWriter pages;
  private final OpenTail ownTail;
  private final OpenedPages opened;
  /**
   * Records this object made for the outbox, by their number ({@link HeldRecords#number}), with the value each was
   * sealed as (a send's one, mostly): keyed by place, not by value, as hashing a value of a few hundred characters
   * at each look-up would cost more than comparing it with the one made there.
   */
  private final java.util.Map<Long, Made> madeHere = new java.util.HashMap<>();

  private record Made(String value, SlotRecord record) {}

  OwnRecords(Conversation c, KvStore store, LocalState state, OpenedPages opened) {
    this.c = c;
    this.held = new HeldRecords(c, c.myFeed(), state, opened);
    this.publisher = new RecordPublisher(c, store);
    this.records = new RecordWriter(c);
    this.pages = new PageWriter(c);
    this.ownTail = new OpenTail(c, c.myFeed(), store, state, opened);
    this.opened = opened;
  }

  /**
   * Writes the slots of {@code queued} (this member's page, queued) that are not records at their keys yet, in order,
   * after {@code previousPage}, the final version of the page before (zero for page 1). Throws EQUIVOCATION when the
   * store holds another record of this identity that contradicts those this device kept; a store failure stops it
   * where it is, and the next call goes on from there.
   */
  Outcome publish(Page queued, byte[] previousPage) throws KvException, LocalStateException, PageRejectedException {
    return publish(queued, previousPage, null);
  }

  /**
   * {@link #publish(Page, byte[])} for a page queued as {@code value}: where it holds the page's records
   * ({@link QueuedRecords}), a record it holds as this page would make it now is written as the very value queued,
   * not sealed again.
   */
  Outcome publish(Page queued, byte[] previousPage, String value) throws KvException, LocalStateException,
      PageRejectedException {
    List<String> parts = queuedParts(queued.number(), value);
    RecordChain chain = held.verified(queued.number(), previousPage);
    List<SlotRecord> kept = chain.records();
    for (int i = 0; i < kept.size(); i++) {
      if (i >= queued.slots().size() || !kept.get(i).slot().equals(queued.slots().get(i))) {
        return rebase(queued, chain, i); // another device's record was adopted here by an earlier pass
      }
    }
    for (int i = chain.next(); i < queued.slots().size(); i++) {
      byte[] link = i == 0 ? previousPage : chain.records().get(i - 1).hash();
      SlotRecord mine = i < parts.size() ? madeHere(parts.get(i), queued, i, link) : null;
      if (mine == null) {
        mine = records.recordOf(queued, i, link);
      }
      String sealed = i < parts.size() && held.local(queued.number(), i, parts.get(i)).equals(mine) ? parts.get(i)
          : records.seal(mine);
      RecordPublisher.Outcome o = publisher.publish(chain, mine, sealed);
      if (o instanceof RecordPublisher.Adopted adopted) {
        held.keep(adopted.theirs());
        return rebase(queued, theirs(queued.number(), previousPage), i);
      }
      held.keep(mine, sealed);
    }
    return new Written(chain.records());
  }

  /**
   * The outbox value of {@code queued}, a page open as records after {@code previousPage} (the final version of the
   * page before, zero for page 1): its records' ledger values ({@link QueuedRecords}). Those of {@code before}, the
   * value it replaces, are kept where they are this page's first records, so a send seals only its own record; the
   * others are sealed here (each remembered as opened, so publishing opens none of them).
   */
  String queuedValue(Page queued, byte[] previousPage, String before) throws LocalStateException {
    long n = queued.number();
    OpenedPages.Queued known = queuedHere(n, before);
    List<String> parts = new ArrayList<>(known != null ? known.parts() : split(n, before));
    List<SlotRecord> made = new ArrayList<>();
    byte[] link = previousPage;
    if (parts.size() >= queued.slots().size()) {
      parts.clear();
    }
    for (int i = 0; i < parts.size(); i++) {
      // queued here before: the records it was made of, not split and looked up again at every send
      SlotRecord r = known != null ? known.records().get(i) : held.local(n, i, parts.get(i));
      if (!r.slot().equals(queued.slots().get(i)) || !java.util.Arrays.equals(r.previous(), link)) {
        parts.clear(); // not this page's records: all sealed again below
        made.clear();
        link = previousPage;
        break;
      }
      made.add(r);
      link = r.hash();
    }
    for (int i = parts.size(); i < queued.slots().size(); i++) {
      SlotRecord r = records.recordOf(queued, i, link);
      String sealed = records.seal(r);
      held.sealed(r, sealed);
      madeHere.put(HeldRecords.number(n, i), new Made(sealed, r));
      parts.add(sealed);
      made.add(r);
      link = r.hash();
    }
    String value = QueuedRecords.of(parts);
    opened.putQueued(c.myFeed(), n, new OpenedPages.Queued(value, List.copyOf(parts), List.copyOf(made)));
    return value;
  }

  /**
   * The record this object made and sealed as {@code value} ({@link #queuedValue}, under the same conversation and
   * rule) when it is record {@code i} of {@code queued} after {@code link}: its fields are those, and a record is
   * determined by them, so it need not be made again. Null otherwise.
   */
  private SlotRecord madeHere(String value, Page queued, int i, byte[] link) {
    Made made = madeHere.get(HeldRecords.number(queued.number(), i));
    SlotRecord r = made != null && made.value().equals(value) ? made.record() : null;
    return r != null && r.slot().equals(queued.slots().get(i)) && r.heads().equals(queued.heads())
        && java.util.Arrays.equals(r.previous(), link) ? r : null;
  }

  /** {@link #split} of page {@code page}'s outbox value, as queued here when it was (not split again). */
  private List<String> queuedParts(long page, String value) throws LocalStateException {
    OpenedPages.Queued known = queuedHere(page, value);
    return known != null ? known.parts() : split(page, value);
  }

  /** Page {@code page} as this client queued it last, when {@code value} (an outbox value, or null) is that; else null. */
  private OpenedPages.Queued queuedHere(long page, String value) {
    return value == null ? null : opened.queued(c.myFeed(), page, value);
  }

  /** The record values page {@code page}'s outbox value (or null) holds: none when it is a page sealed whole. */
  private List<String> split(long page, String value) throws LocalStateException {
    return value == null || !QueuedRecords.is(value) ? List.of() : held.queuedParts(page, value);
  }

  /**
   * The other device's records after the one adopted, read as any reader follows them ({@link OpenTail}: one read
   * each, at most twenty), so the messages are sealed again once after all of them, not once per record.
   */
  private RecordChain theirs(long n, byte[] previousPage) throws KvException, LocalStateException,
      PageRejectedException {
    for (OpenPageLoader.Finding f : ownTail.follow(n, previousPage).findings()) {
      if (f.kind() == org.reschat.core.FeedWarning.Kind.EQUIVOCATION) {
        throw new PageRejectedException(f.kind(), f.detail());
      }
    }
    return held.verified(n, previousPage);
  }

  /**
   * The queued page's messages from slot {@code from} on, sealed again after the records {@code chain} holds (which
   * end with another device's): page {@code n} grown from them, and page {@code n + 1} when they do not all fit.
   */
  private Rebased rebase(Page queued, RecordChain chain, int from) throws LocalStateException {
    List<SlotRecord> theirs = chain.records();
    Page tail = records.close(theirs);
    List<Page> out = new ArrayList<>(List.of(tail));
    for (int i = from; i < queued.slots().size(); i++) {
      try {
        Page grown = pages.append(tail, queued.heads(), reopen(queued, i));
        if (grown.number() != tail.number()) {
          out.add(grown);
        } else {
          out.set(out.size() - 1, grown);
        }
        tail = grown;
      } catch (InvalidMessageException e) {
        throw new IllegalStateException("A message that was sealed once no longer fits a page", e);
      }
    }
    return new Rebased(out);
  }

  private SlotSeal.Draft reopen(Page page, int index) throws LocalStateException {
    try {
      var s = page.slots().get(index);
      return new SlotSeal.Draft(s.type(), s.timestampMillis(), s.extension(), SlotSeal.open(c, c.myFeed(), page, index));
    } catch (OneTimeKeyAead.OpenFailedException e) {
      throw new LocalStateException("A queued message of page " + page.number() + " no longer opens with your keys;"
          + " the outbox of " + c.myFeed() + " is damaged.", e);
    }
  }
}
