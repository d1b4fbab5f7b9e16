package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.internal.page.QueuedRecords;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvRead;

/**
 * The keys a conversation's other members write next, and whether the store shows anything there this
 * client does not hold. Keys are derived, so a receive asks about these only, for every chat in one batch,
 * and runs the full verified read ({@link ConversationEngine#receive}) only for chats where they differ.
 *
 * <p>For each other member's feed whose newest held page is {@code n}: page {@code n} while it may still
 * grow, and page {@code n + 1} when it may have a successor ({@link FeedReader#firstReads}); page 1 for a
 * feed not seen yet. This client's own feed is not read: it writes it, and publishes what it queued. Where the
 * feed may write its open page as slot records (protocol §4.8), the record it writes next too: a record changes no
 * page key.
 */
final class NextKeys {
  private NextKeys() {}

  /**
   * The keys to read for {@code c}: the other members' feeds', and with {@code own} this member's own feed's too (for
   * a view that shows what this person sends from elsewhere); the pages held are opened through {@code opened}.
   */
  static List<String> of(Conversation c, LocalState state, boolean own, OpenedPages opened) throws LocalStateException {
    List<String> out = new ArrayList<>();
    for (FeedId feed : c.feeds()) {
      if (c.isMember() && c.isMine(feed) && !own) {
        continue;
      }
      FeedReader r = reader(c, feed, state, opened);
      for (long page : r.firstReads()) {
        if (page <= Conversation.MAX_PAGE_NUMBER) {
          out.add(c.pageKey(feed, page));
        }
      }
      nextRecord(c, r).ifPresent(next -> out.add(c.recordKey(feed, next.page(), next.slot())));
    }
    return out;
  }

  /**
   * Whether the store's answers at {@link #of} match what this client holds and has delivered, with nothing
   * queued: then a receive has nothing to do for {@code c}. With {@code own}, the own feed's keys hold what is held
   * here. Reads only local state, opening the pages held through {@code opened}.
   */
  static boolean caughtUp(Conversation c, LocalState state, Map<String, KvRead> got, boolean own, OpenedPages opened)
      throws LocalStateException {
    for (FeedId feed : c.feeds()) {
      boolean mine = c.isMember() && c.isMine(feed);
      if (mine && !state.outbox(feed).isEmpty() && !onlyWrittenRecords(c, feed, state, opened)) {
        return false;
      }
      if (mine && !own) {
        continue;
      }
      FeedReader r = reader(c, feed, state, opened);
      long n = r.newestVerified();
      for (long page : r.firstReads()) {
        KvRead read = got.get(c.pageKey(feed, page));
        if (read == null) {
          return false;
        }
        if (page == n) {
          Optional<String> held = state.page(feed, n);
          if (held.isEmpty() || !read.value().equals(held)) {
            return false;
          }
        } else if (!(read instanceof KvRead.Absent)) {
          return false;
        }
      }
      Optional<LocalState.Position> next = nextRecord(c, r);
      if (next.isPresent()) {
        KvRead read = got.get(c.recordKey(feed, next.get().page(), next.get().slot()));
        if (!(read instanceof KvRead.Absent)) {
          return false;
        }
      }
      if (!mine && next.isPresent() && next.get().slot() > 0) { // records held past page n: delivered up to them
        if (!state.delivered(feed).equals(next.get())) {
          return false;
        }
      } else if (n > 0 && !mine) {
        Page newest = r.verified(n).orElseThrow();
        if (!state.delivered(feed).equals(new LocalState.Position(n, newest.slots().size()))) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether this member's outbox holds only its open page in record form, every slot of it a record written (protocol
   * §4.8): it stays queued until it closes, with nothing to publish.
   */
  private static boolean onlyWrittenRecords(Conversation c, FeedId feed, LocalState state, OpenedPages opened)
      throws LocalStateException {
    Map<Long, String> outbox = state.outbox(feed);
    if (outbox.size() != 1) {
      return false;
    }
    Map.Entry<Long, String> open = outbox.entrySet().iterator().next();
    int kept = new HeldRecords(c, feed, state, opened).count(open.getKey());
    if (kept == 0) {
      return false;
    }
    if (QueuedRecords.is(open.getValue())) { // queued as its records: one a slot, and never a full page
      return kept >= QueuedRecords.slots(open.getValue());
    }
    Page queued = reader(c, feed, state, opened).local(open.getKey(), open.getValue(), "queued page");
    return !queued.isFull() && kept >= queued.slots().size();
  }

  /**
   * Where {@code r}'s feed's writer writes its next slot record (protocol §4.8), as page and index: where every device
   * showed version 5 in this client's view, or a record of the page after the newest is held ({@link
   * FeedReader#followsRecordsOf}), and the newest page held may have a successor (or none is held), the
   * record after those kept of the page after it. None otherwise, or when twenty are kept (the page key tells).
   */
  static Optional<LocalState.Position> nextRecord(Conversation c, FeedReader r) throws LocalStateException {
    long n = r.newestVerified();
    HeldRecords held = r.held();
    if (!FeedReader.followsRecordsOf(c, held, n + 1)
        || (n > 0 && !r.verified(n).orElseThrow().mayHaveSuccessor())) {
      return Optional.empty();
    }
    int kept = held.count(n + 1);
    return kept < PageLimits.SLOTS_PER_PAGE ? Optional.of(new LocalState.Position(n + 1, kept)) : Optional.empty();
  }

  private static FeedReader reader(Conversation c, FeedId feed, LocalState state, OpenedPages opened) {
    return new FeedReader(c, feed, null, state, new Warnings(), new AtomicInteger(), opened);
  }
}
