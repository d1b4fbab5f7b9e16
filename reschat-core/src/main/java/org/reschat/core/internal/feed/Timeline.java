package org.reschat.core.internal.feed;

import java.nio.ByteBuffer;
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
      if (!from.includes(number, i)) {
        continue;
      }
      Slot slot = page.slots().get(i);
      String text;
      byte[] plain;
      try {
        plain = SlotSeal.open(c, feed.feed, page, i);
        text = slot.type().equals(Message.TEXT) ? decodeText(plain)
            : org.reschat.core.internal.page.MessageText.isOperation(slot.type()) ? "[" + decodeText(slot.extension()) + "]" // the sender's summary
            : "[a " + slot.type() + " message, which this version cannot show]";
      } catch (OneTimeKeyAead.OpenFailedException e) {
        out.add(new FeedWarning(FeedWarning.Kind.UNDECRYPTABLE, feed.own, number,
            "message " + i + " does not open with the conversation's keys (" + e.getMessage() + ")",
            c.writerOf(feed.feed)));
        continue;
      }
      out.add(new Message(feed.feed.writer() + ":" + number + ":" + i,
          feed.own || feed.sibling ? Message.Direction.SENT : Message.Direction.RECEIVED, c.writerOf(feed.feed),
          Instant.ofEpochMilli(slot.timestampMillis()), slot.type(), text, number, i,
          i < confirmedSlots ? Message.Status.CONFIRMED : Message.Status.QUEUED, slot.extension(), plain));
    }
    return out;
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
    return StandardCharsets.UTF_8.decode(ByteBuffer.wrap(plain)).toString();
  }
}
