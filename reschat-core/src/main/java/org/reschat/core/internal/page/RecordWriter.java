package org.reschat.core.internal.page;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.identity.Secrets;

/**
 * Writes this member's open page as slot records (protocol §4.8): each message sealed once into its own record,
 * linked to the one before, authenticated as {@link org.reschat.core.internal.conversation.TailRule} says for its
 * one message (a sender tag where the rule tags, else a signature); and the page whole, signed, once it closes,
 * its slots exactly the records'. Stateless and thread-safe.
 */
public final class RecordWriter {
  static final byte[] SIGNING_CONTEXT = "reschat/v5 record\0".getBytes(StandardCharsets.UTF_8);

  private final Conversation conversation;
  private final PageWriter pages;

  public RecordWriter(Conversation conversation) {
    this.conversation = conversation;
    this.pages = new PageWriter(conversation);
  }

  /**
   * The record of {@code draft} after {@code open}, the records of page {@code number} written so far (empty: the
   * page's first, linked to {@code previousPage}, the final version of page {@code number − 1}, or null for
   * page 1); empty when the page is closed by count or by size and the message starts page {@code number + 1}.
   */
  public java.util.Optional<SlotRecord> append(long number, byte[] previousPage, List<SlotRecord> open,
      List<Head> heads, SlotSeal.Draft draft) throws InvalidMessageException {
    PageWriter.checkDraft(draft);
    if (number > Conversation.MAX_PAGE_NUMBER) {
      throw new InvalidMessageException("This conversation has reached the last page number; start a new one.");
    }
    if (!open.isEmpty() && open.get(0).page() != number) {
      throw new IllegalArgumentException("records of page " + open.get(0).page() + " given for page " + number);
    }
    int index = open.size();
    if (index >= PageLimits.SLOTS_PER_PAGE) {
      return java.util.Optional.empty();
    }
    Slot slot = SlotSeal.seal(conversation, number, index, draft);
    if (index > 0 && closingSize(open, heads, slot) > PageLimits.MAX_PAGE_BYTES) {
      return java.util.Optional.empty();
    }
    byte[] previous = index > 0 ? open.get(index - 1).hash() : previousPage == null ? Page.NO_PREVIOUS : previousPage;
    return java.util.Optional.of(record(number, index, previous, heads, slot));
  }

  /**
   * Record {@code index} of {@code page}, a page of this member's sealed with its slots (queued, not yet written),
   * after {@code previous} (the hash of record {@code index − 1}, or for record 0 the final version of the page
   * before). The same page and link give the same record byte for byte: its slot is the page's, and a tag and an
   * Ed25519 signature are both deterministic.
   */
  public SlotRecord recordOf(Page page, int index, byte[] previous) {
    return record(page.number(), index, previous, page.heads(), page.slots().get(index));
  }

  private SlotRecord record(long number, int index, byte[] previous, List<Head> heads, Slot slot) {
    boolean tag = conversation.tails().tags(List.of(slot.type()));
    byte[] body = RecordCodec.encodeBody(number, index, previous, heads, slot, tag);
    byte[] authenticator = tag ? SenderTag.of(conversation, conversation.myFeed(), body)
        : Secrets.of(conversation.identity()).signPage(PageVerifier.signed(SIGNING_CONTEXT, conversation,
            conversation.myFeed(), body));
    return new SlotRecord(number, index, previous, heads, slot, authenticator, PageCodec.withSignature(body,
        authenticator));
  }

  /**
   * Page {@code open}'s whole, signed, to be written at its page key when it closes: its link is record 0's, its
   * slots the records' in order, its heads the last record's.
   */
  public Page close(List<SlotRecord> open) {
    return close(open, null);
  }

  /**
   * {@link #close(List)}, or {@code queued} itself when it is that page already (a full page queued signed): the
   * page is then not signed twice.
   */
  public Page close(List<SlotRecord> open, Page queued) {
    SlotRecord first = open.get(0);
    SlotRecord last = open.get(open.size() - 1);
    return pages.signed(first.page(), first.previous(), last.heads(), open.stream().map(SlotRecord::slot).toList(),
        queued);
  }

  /** The ledger value of {@code record} at its key. */
  public String seal(SlotRecord record) {
    return Envelope.seal(conversation, conversation.recordKey(conversation.myFeed(), record.page(), record.index()),
        record.encoded());
  }

  /** The size of the page that would close {@code open} with {@code slot} after it, signed (a signature is the larger). */
  private int closingSize(List<SlotRecord> open, List<Head> heads, Slot slot) {
    List<Slot> slots = new java.util.ArrayList<>(open.stream().map(SlotRecord::slot).toList());
    slots.add(slot);
    byte[] body = conversation.tails().writesVersion4()
        ? PageCodec.encodeTailBody(open.get(0).page(), open.get(0).previous(), heads, slots, false)
        : PageCodec.encodeBody(open.get(0).page(), open.get(0).previous(), heads, slots);
    return body.length + PageLimits.SIGNATURE_BYTES;
  }
}
