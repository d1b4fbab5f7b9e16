package org.reschat.core.internal.page;

import java.util.Arrays;
import java.util.List;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.spi.FeedId;
import org.reschat.core.internal.crypto.Sha;

/**
 * Checks that a page opened at a feed's key was written there by that feed's member: the signature
 * (over the conversation id, the writer's fingerprint and the page) verifies under the writer's card; the
 * number is the key's; page 1 starts the chain; every slot names this conversation's epoch; heads name
 * other members. The links between pages are checked by the feed reader, which holds the neighbours.
 */
public final class PageVerifier {
  /** Signatures checked since start: a count for tests (how often a path verifies), never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong VERIFIED = new java.util.concurrent.atomic.AtomicLong();

  private PageVerifier() {}

  /** Page signatures this process has checked so far. */
  public static long verifications() {
    return VERIFIED.get();
  }

  /** Opens the envelope at {@code key}, parses and verifies it as page {@code number} of {@code feed}. */
  public static Page openAndVerify(Conversation c, FeedId feed, long number, String key, String value)
      throws PageFormatException, PageRejectedException {
    Page page = PageCodec.parse(Envelope.open(c, key, value));
    verify(c, feed, number, page);
    return page;
  }

  public static void verify(Conversation c, FeedId feed, long number, Page page) throws PageRejectedException {
    checkAuthenticator(c, feed, page.slots().stream().map(Slot::type).toList(), PageWriter.SIGNING_CONTEXT, page.body(),
        page.authenticator());
    // Checked after the authenticator: an authenticated page with these faults is its writer's own doing.
    if (page.number() != number) {
      throw new PageRejectedException(Kind.MISPLACED, "page " + page.number() + " was stored in the place of page " + number);
    }
    if (number == 1 && !Arrays.equals(page.previous(), Page.NO_PREVIOUS)) {
      throw new PageRejectedException(Kind.CHAIN_BROKEN, "page 1 claims a previous page");
    }
    checkBelongs(c, feed, page.heads(), page.slots(), 0);
  }

  /** Every slot (the first numbered {@code firstIndex}) names this conversation's epoch; heads name other members. */
  static void checkBelongs(Conversation c, FeedId feed, List<Head> heads, List<Slot> slots, int firstIndex)
      throws PageRejectedException {
    byte[] epoch = c.epochTag();
    for (int i = 0; i < slots.size(); i++) {
      if (!Arrays.equals(slots.get(i).receiver(), epoch)) {
        throw new PageRejectedException(Kind.MISPLACED, "slot " + (firstIndex + i) + " is sealed for another conversation");
      }
    }
    for (Head h : heads) {
      if (h.member() >= c.members().size() || h.member() == feed.member()) {
        throw new PageRejectedException(Kind.MISPLACED, "it describes a member this conversation does not have");
      }
    }
  }

  /**
   * An unsigned open tail (protocol §4.7, §5): counts only in a chat of two whose epoch is open for unsigned
   * versions in this reader's view ({@code TailRule#open}); then, read by the writer's own identity, its tag must be
   * the identity's (the friend cannot make one), and read by the friend, the envelope that opened is the proof:
   * only the two hold the secret, and the friend knows it did not write this feed.
   */
  private static void checkTag(Conversation c, FeedId feed, List<String> types, byte[] body, byte[] tag)
      throws PageRejectedException {
    if (!c.tails().open() || c.tails().group() || c.members().size() != 2) {
      throw new PageRejectedException(Kind.FORGED, "it is an unsigned version where this reader takes only signed"
          + " ones (a device of this chat was revoked, or a newer key of it is known)");
    }
    if (TailRule.needsSignature(types)) {
      throw new PageRejectedException(Kind.FORGED, "it carries a new key or a device notice unsigned");
    }
    if (c.writerOf(feed).equals(c.me()) && !SenderTag.verifies(c, feed, body, tag)) {
      throw new PageRejectedException(Kind.FORGED, "its sender tag is not the writer's");
    }
  }

  /**
   * The one check of what authenticates a page or a slot record (§4.7, §4.8): a sender tag where this reader takes
   * one for messages of {@code types}, else the writer's signature over {@code context} and {@code body}.
   */
  static void checkAuthenticator(Conversation c, FeedId feed, List<String> types, byte[] context, byte[] body,
      byte[] authenticator) throws PageRejectedException {
    if (authenticator.length == PageLimits.TAG_BYTES) {
      checkTag(c, feed, types, body, authenticator);
      return;
    }
    VERIFIED.incrementAndGet();
    if (!c.verify(feed, signed(context, c, feed, body), authenticator)) { // the member's card, or a linked device's key
      throw new PageRejectedException(Kind.FORGED, "its signature is not the writer's");
    }
  }

  /**
   * What the writer's Ed25519 key signs: a label, the conversation id, the writer's fingerprint and the
   * SHA-256 of the page. Signing the digest, not the page, spares Ed25519's two pure-Java SHA-512 passes
   * over up to 64 KiB (69 → 30 µs for a full page); SHA-256's collision resistance is already what the
   * hash chain rests on.
   */
  static byte[] signed(Conversation c, FeedId feed, byte[] body) {
    return signed(PageWriter.SIGNING_CONTEXT, c, feed, body);
  }

  /** The same for another signing context (a slot record's, §4.8), so no signature of one kind is one of another. */
  static byte[] signed(byte[] context, Conversation c, FeedId feed, byte[] body) {
    byte[] id = c.idBytes();
    byte[] fp = c.fingerprintOf(feed);
    byte[] digest = Sha.sha256(body);
    byte[] out = new byte[context.length + id.length + fp.length + digest.length];
    int at = 0;
    for (byte[] part : new byte[][] {context, id, fp, digest}) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }
}
