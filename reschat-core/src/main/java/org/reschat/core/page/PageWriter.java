package org.reschat.core.page;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.conversation.FeedId;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Hpke;
import org.reschat.core.identity.Identity;

/**
 * Builds the writer's pages: seals each message twice (to the writer and to the receiver), appends it
 * to the tail page or starts the next one, and signs. Thread-safe.
 */
public final class PageWriter {
  /** HPKE {@code info} of every sealed copy. */
  public static final byte[] HPKE_INFO = "reschat/v1 message".getBytes(StandardCharsets.UTF_8);

  private final Identity me;
  private final Conversation conversation;
  private final Hpke hpke;

  public PageWriter(Identity me, Conversation conversation, Hpke hpke) {
    this.me = Objects.requireNonNull(me);
    this.conversation = Objects.requireNonNull(conversation);
    this.hpke = Objects.requireNonNull(hpke);
    if (!conversation.me().equals(me.card())) {
      throw new IllegalArgumentException("The conversation is not this identity's");
    }
  }

  /**
   * A message to add.
   *
   * @param type field 1, e.g. {@code TEXT}
   * @param timestampMillis field 2
   * @param extension field 3
   * @param body the plaintext, at most {@link PageLimits#MAX_MESSAGE_BYTES}
   */
  public record Draft(String type, long timestampMillis, String extension, byte[] body) {}

  /**
   * The page that results from adding {@code draft} after {@code tail} (null for the feed's first
   * message): the tail with one more slot, or, when the tail is full or the message would push it past
   * {@link PageLimits#MAX_PAGE_BYTES}, the next page linked to it.
   */
  public Page append(Page tail, Draft draft) throws InvalidMessageException {
    if (draft.body().length > PageLimits.MAX_MESSAGE_BYTES) {
      throw new InvalidMessageException("The message is " + draft.body().length + " bytes; the limit is "
          + PageLimits.MAX_MESSAGE_BYTES + " bytes (16 KiB) of UTF-8 text.");
    }
    if (tail != null && !tail.isFull()) {
      Page grown = withSlot(tail.number(), tail.previous(), tail.slots(), draft);
      if (PageCodec.utf8Length(PageCodec.toJson(grown)) <= PageLimits.MAX_PAGE_BYTES) {
        return grown;
      }
    }
    long number = tail == null ? 1 : tail.number() + 1;
    String previous = tail == null ? Page.NO_PREVIOUS : tail.hashText();
    Page fresh = withSlot(number, previous, List.of(), draft);
    if (PageCodec.utf8Length(PageCodec.toJson(fresh)) > PageLimits.MAX_PAGE_BYTES) {
      throw new InvalidMessageException("The message does not fit in a page; shorten it.");
    }
    return fresh;
  }

  private Page withSlot(long number, String previous, List<Slot> before, Draft draft) throws InvalidMessageException {
    FeedId feed = conversation.myFeed();
    int index = before.size();
    String receiver = conversation.theirTag();
    String timestamp = Long.toString(draft.timestampMillis());
    String forSender = seal(number, index, receiver, draft, timestamp, Page.Copy.FOR_SENDER,
        conversation.me().encryptionKey());
    String forReceiver = seal(number, index, receiver, draft, timestamp, Page.Copy.FOR_RECEIVER,
        conversation.them().encryptionKey());
    Slot slot = new Slot(receiver, draft.type(), timestamp, draft.extension(), forSender, forReceiver);
    String problem = PageCodec.slotProblem(slot);
    if (problem != null) {
      throw new InvalidMessageException("The message cannot be stored: its slot " + problem + ".");
    }
    List<Slot> slots = new ArrayList<>(before);
    slots.add(slot);
    Page unsigned = new Page(Page.VERSION, feed.conversation(), feed.writer(), number, previous, slots, "");
    String signature = Base64Url.encode(me.sign(unsigned.signedBytes()));
    return new Page(Page.VERSION, feed.conversation(), feed.writer(), number, previous, slots, signature);
  }

  private String seal(long number, int index, String receiver, Draft draft, String timestamp, Page.Copy copy,
      byte[] recipientKey) {
    byte[] aad = Page.slotAad(conversation.id(), conversation.myTag(), number, index, receiver, draft.type(), timestamp,
        draft.extension(), copy);
    return Base64Url.encode(hpke.seal(recipientKey, HPKE_INFO, aad, draft.body()));
  }
}
