package org.reschat.core.page;

import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.conversation.FeedId;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.identity.PublicCard;

/**
 * Checks that a parsed page belongs at its key and was written by the feed's owner: the conversation,
 * writer and page number match the key; the signature verifies under the writer's card; page 1 starts
 * the chain; every slot names the other party as receiver. The hash chain between pages is checked by
 * the feed reader, which holds the neighbours.
 */
public final class PageVerifier {
  private PageVerifier() {}

  public static void verify(Page page, Conversation conversation, FeedId feed, long number) throws PageRejectedException {
    if (!page.conversation().equals(feed.conversation())) {
      throw new PageRejectedException(Kind.MISPLACED, "a page of another conversation was stored here");
    }
    if (!page.writer().equals(feed.writer())) {
      throw new PageRejectedException(Kind.MISPLACED, "a page of another writer was stored here");
    }
    if (page.number() != number) {
      throw new PageRejectedException(Kind.MISPLACED, "page " + page.number() + " was stored in the place of page " + number);
    }
    PublicCard writer = conversation.writerOf(feed);
    byte[] signature = Base64Url.decode(page.signature()).orElseThrow();
    if (!writer.verify(page.signedBytes(), signature)) {
      throw new PageRejectedException(Kind.FORGED, "its signature is not the writer's");
    }
    // Checked after the signature: a signed page with these faults is the writer's own mistake.
    if (number == 1 && !page.previous().equals(Page.NO_PREVIOUS)) {
      throw new PageRejectedException(Kind.CHAIN_BROKEN, "page 1 claims a previous page");
    }
    String receiver = conversation.receiverTagOf(feed);
    for (int i = 0; i < page.slots().size(); i++) {
      if (!page.slots().get(i).receiver().equals(receiver)) {
        throw new PageRejectedException(Kind.MISPLACED, "slot " + i + " is addressed to someone else");
      }
    }
  }
}
