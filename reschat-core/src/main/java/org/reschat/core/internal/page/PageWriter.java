package org.reschat.core.internal.page;

import org.reschat.core.internal.identity.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.internal.conversation.Conversation;

/**
 * Builds this member's pages: seals a message into a slot, appends it to the tail page or starts the
 * next one, records the writer's view of the other feeds, and authenticates the page as the conversation's
 * {@link org.reschat.core.internal.conversation.TailRule} says: a sender tag on an open tail of version 4, else a
 * signature, made when the page's bytes are first asked for (an open page of records is not written whole until it
 * closes). Stateless and thread-safe: a rewrite after a crash seals again with fresh salts.
 */
public final class PageWriter {
  static final byte[] SIGNING_CONTEXT = "reschat/v2 page\0".getBytes(StandardCharsets.UTF_8);

  private final Conversation conversation;

  public PageWriter(Conversation conversation) {
    this.conversation = conversation;
  }

  /**
   * The page that results from adding {@code draft} after {@code tail} (null for the feed's first
   * message): the tail with one more slot, or, when the tail is full or the message would push it past
   * {@link PageLimits#MAX_PAGE_BYTES}, the next page linked to it.
   *
   * @param heads this writer's view of the other members' feeds, by member index
   */
  public Page append(Page tail, List<Head> heads, SlotSeal.Draft draft) throws InvalidMessageException {
    checkDraft(draft);
    if (tail != null && !tail.isFull()) {
      Page grown = build(tail.number(), tail.previous(), heads, tail.slots(), draft);
      if (grown.encodedLength() <= PageLimits.MAX_PAGE_BYTES) {
        return grown;
      }
    }
    long number = tail == null ? 1 : tail.number() + 1;
    if (number > Conversation.MAX_PAGE_NUMBER) {
      throw new InvalidMessageException("This conversation has reached the last page number; start a new one.");
    }
    return build(number, tail == null ? Page.NO_PREVIOUS : tail.hash(), heads, List.of(), draft);
  }

  /** Refuses a message no page can hold: a body or type extension over its limit. */
  static void checkDraft(SlotSeal.Draft draft) throws InvalidMessageException {
    MessageText.checkBody(draft.body());
    if (draft.extension().length > PageLimits.MAX_EXTENSION_BYTES) {
      throw new InvalidMessageException("The message's type extension is over " + PageLimits.MAX_EXTENSION_BYTES + " bytes.");
    }
  }

  /**
   * {@code tail} once more with the same slots and heads, signed (protocol §4.7, "Leaving an epoch"): for readers
   * to whom its unsigned versions no longer count. The same page if it is signed already.
   */
  public Page signed(Page tail) {
    return tail.isTagged() ? authenticate(tail.number(), tail.previous(), tail.heads(), tail.slots(), false) : tail;
  }

  private Page build(long number, byte[] previous, List<Head> heads, List<Slot> before, SlotSeal.Draft draft) {
    List<Slot> slots = new ArrayList<>(before);
    slots.add(SlotSeal.seal(conversation, number, slots.size(), draft));
    return page(number, previous, heads, slots);
  }

  /**
   * The page of {@code slots}, authenticated as the conversation's rule says for them (a sender tag or a signature):
   * what {@link #append} builds when they are its slots.
   */
  public Page page(long number, byte[] previous, List<Head> heads, List<Slot> slots) {
    return authenticate(number, previous, heads, slots, conversation.tails().tags(slots.stream().map(Slot::type).toList()));
  }

  Page authenticate(long number, byte[] previous, List<Head> heads, List<Slot> slots, boolean tag) {
    return authenticate(number, previous, heads, slots, tag, null);
  }

  /**
   * The page of these fields, signed; {@code known} itself when it is that very page already (the same body, signed:
   * Ed25519 is deterministic, so signing it again would give the same bytes).
   */
  Page signed(long number, byte[] previous, List<Head> heads, List<Slot> slots, Page known) {
    return authenticate(number, previous, heads, slots, false, known);
  }

  private Page authenticate(long number, byte[] previous, List<Head> heads, List<Slot> slots, boolean tag, Page known) {
    byte[] body = conversation.tails().writesVersion4() ? PageCodec.encodeTailBody(number, previous, heads, slots, tag)
        : PageCodec.encodeBody(number, previous, heads, slots);
    if (known != null && known.isSignedBody(body)) {
      return known;
    }
    // Authenticated when first written or hashed: an open page of records is not, until it closes (issue 24).
    Conversation c = conversation;
    return tag ? new Page(number, previous, heads, slots, body, PageLimits.TAG_BYTES,
        b -> SenderTag.of(c, c.myFeed(), b))
        : new Page(number, previous, heads, slots, body, PageLimits.SIGNATURE_BYTES,
            b -> Secrets.of(c.identity()).signPage(PageVerifier.signed(c, c.myFeed(), b)));
  }
}
