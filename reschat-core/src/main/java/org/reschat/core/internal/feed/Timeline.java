package org.reschat.core.internal.feed;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.reschat.core.FeedWarning;
import org.reschat.core.Message;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.Slot;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.LocalState;

/**
 * The merged timeline: opens the slots of verified pages and merges the feeds. Feeds merge by timestamp,
 * then writer tag; each feed's own order is kept even if its writer's clock went backwards, because this
 * is a merge of already ordered lists, not a sort.
 */
final class Timeline {
  private Timeline() {}

  /** Opens every slot at or after {@code from} of one feed's pages, in feed order; failures become warnings. */
  static List<Object> open(Conversation c, FeedReader feed, Map.Entry<Long, Page> entry, LocalState.Position from,
      int confirmedSlots) {
    long number = entry.getKey();
    Page page = entry.getValue();
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < page.slots().size(); i++) {
      if (from.includes(number, i)) {
        out.add(openSlot(c, feed, number, page, i, confirmedSlots));
      }
    }
    return out;
  }

  /** Slot {@code i} as a {@link Message}, or a {@link FeedWarning} when it does not open. */
  private static Object openSlot(Conversation c, FeedReader feed, long number, Page page, int i, int confirmedSlots) {
    byte[] plain;
    try {
      plain = SlotSeal.open(c, feed.feed, page, i);
    } catch (OneTimeKeyAead.OpenFailedException e) {
      return new FeedWarning(FeedWarning.Kind.UNDECRYPTABLE, feed.own, number,
          "message " + i + " does not open with the conversation's keys (" + e.getMessage() + ")",
          c.writerOf(feed.feed));
    }
    return message(c, feed, number, i, page.slots().get(i), plain, confirmedSlots);
  }

  /** The message in slot {@code i} of page {@code number} of a feed, given its opened body. */
  static Message message(Conversation c, FeedReader feed, long number, int i, Slot slot, byte[] plain,
      int confirmedSlots) {
    String text = slot.type().equals(Message.TEXT) ? decodeText(plain)
        : org.reschat.core.internal.page.MessageText.isOperation(slot.type()) ? "[" + decodeText(slot.extension()) + "]" // the sender's summary
        : "[a " + slot.type() + " message, which this version cannot show]";
    return new Message(feed.feed.writer() + ":" + number + ":" + i,
        feed.own || feed.sibling ? Message.Direction.SENT : Message.Direction.RECEIVED, c.writerOf(feed.feed),
        Instant.ofEpochMilli(slot.timestampMillis()), slot.type(), text, number, i,
        i < confirmedSlots ? Message.Status.CONFIRMED : Message.Status.QUEUED, slot.extension(), plain);
  }

  /**
   * Opens one slot of a page held locally, as {@link #open} would show it; empty when it does not open. For
   * the messages other messages refer to (a reply's quote, an edit's target), outside what a call loaded.
   */
  static java.util.Optional<Message> openOne(Conversation c, FeedReader feed, long number, Page page, int slot) {
    if (slot < 0 || slot >= page.slots().size()) {
      return java.util.Optional.empty();
    }
    Object opened = openSlot(c, feed, number, page, slot, page.slots().size());
    return opened instanceof Message ? java.util.Optional.of((Message) opened) : java.util.Optional.empty();
  }

  /** Merges feeds, each already in order, by timestamp then writer tag. */
  static List<Message> merge(List<List<Message>> feeds) {
    Comparator<Message> order = Comparator.comparing(Message::sentAt)
        .thenComparing(m -> m.id().substring(0, m.id().indexOf(':')));
    PriorityQueue<int[]> heads = new PriorityQueue<>((x, y) -> order.compare(feeds.get(x[0]).get(x[1]),
        feeds.get(y[0]).get(y[1])));
    int total = 0;
    for (int f = 0; f < feeds.size(); f++) {
      if (!feeds.get(f).isEmpty()) {
        heads.add(new int[] {f, 0});
      }
      total += feeds.get(f).size();
    }
    List<Message> out = new ArrayList<>(total);
    while (!heads.isEmpty()) {
      int[] h = heads.poll();
      out.add(feeds.get(h[0]).get(h[1]));
      if (h[1] + 1 < feeds.get(h[0]).size()) {
        heads.add(new int[] {h[0], h[1] + 1});
      }
    }
    return out;
  }

  static String decodeText(byte[] plain) {
    // Authenticated, so written by the sender; invalid UTF-8 is their client's bug, shown with replacement marks.
    // new String replaces each malformed sequence as the charset's decoder does, without allocating one (issue 24).
    return new String(plain, StandardCharsets.UTF_8);
  }
}
