package org.reschat.core.page;

import org.reschat.core.conversation.Conversation;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Hpke;
import org.reschat.core.identity.Identity;

/** Opens the copy of a slot that was sealed for this reader: field 4 in their own pages, field 5 in the other's. */
public final class PageOpener {
  private PageOpener() {}

  /**
   * The plaintext of slot {@code index}, or throws when it does not open. Call only on verified pages.
   */
  public static byte[] open(Identity me, Conversation conversation, Page page, int index) throws Hpke.OpenFailedException {
    Slot slot = page.slots().get(index);
    boolean mine = page.writer().equals(conversation.myTag());
    Page.Copy copy = mine ? Page.Copy.FOR_SENDER : Page.Copy.FOR_RECEIVER;
    byte[] aad = Page.slotAad(page.conversation(), page.writer(), page.number(), index, slot.receiver(), slot.type(),
        slot.timestamp(), slot.extension(), copy);
    byte[] sealed = Base64Url.decode(mine ? slot.forSender() : slot.forReceiver())
        .orElseThrow(() -> new Hpke.OpenFailedException("not base64url"));
    return me.open(PageWriter.HPKE_INFO, aad, sealed);
  }
}
