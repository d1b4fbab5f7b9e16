package org.reschat.core.page;

import java.util.Arrays;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.conversation.FeedId;

/**
 * Checks that a page opened at a feed's key was written there by that feed's member: the signature
 * (over the conversation id, the writer's fingerprint and the page) verifies under the writer's card; the
 * number is the key's; page 1 starts the chain; every slot names this conversation's epoch; heads name
 * other members. The links between pages are checked by the feed reader, which holds the neighbours.
 */
public final class PageVerifier {
  private PageVerifier() {}

  /** Opens the envelope at {@code key}, parses and verifies it as page {@code number} of {@code feed}. */
  public static Page openAndVerify(Conversation c, FeedId feed, long number, String key, String value)
      throws PageFormatException, PageRejectedException {
    Page page = PageCodec.parse(Envelope.open(c, key, value));
    verify(c, feed, number, page);
    return page;
  }

  public static void verify(Conversation c, FeedId feed, long number, Page page) throws PageRejectedException {
    byte[] encoded = page.encoded();
    byte[] body = Arrays.copyOf(encoded, encoded.length - PageLimits.SIGNATURE_BYTES);
    if (!c.writerOf(feed).verify(signed(c, feed, body), page.signature())) {
      throw new PageRejectedException(Kind.FORGED, "its signature is not the writer's");
    }
    // Checked after the signature: a signed page with these faults is its writer's own doing.
    if (page.number() != number) {
      throw new PageRejectedException(Kind.MISPLACED, "page " + page.number() + " was stored in the place of page " + number);
    }
    if (number == 1 && !Arrays.equals(page.previous(), Page.NO_PREVIOUS)) {
      throw new PageRejectedException(Kind.CHAIN_BROKEN, "page 1 claims a previous page");
    }
    byte[] epoch = c.epochTag();
    for (int i = 0; i < page.slots().size(); i++) {
      if (!Arrays.equals(page.slots().get(i).receiver(), epoch)) {
        throw new PageRejectedException(Kind.MISPLACED, "slot " + i + " is sealed for another conversation");
      }
    }
    for (Head h : page.heads()) {
      if (h.member() >= c.members().size() || h.member() == feed.member()) {
        throw new PageRejectedException(Kind.MISPLACED, "it describes a member this conversation does not have");
      }
    }
  }

  static byte[] signed(Conversation c, FeedId feed, byte[] body) {
    byte[] id = c.idBytes();
    byte[] fp = c.fingerprintOf(feed);
    byte[] out = new byte[PageWriter.SIGNING_CONTEXT.length + id.length + fp.length + body.length];
    int at = 0;
    for (byte[] part : new byte[][] {PageWriter.SIGNING_CONTEXT, id, fp, body}) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }
}
