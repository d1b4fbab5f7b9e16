package org.reschat.core.internal.page;

import java.util.Arrays;
import java.util.List;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;

/**
 * Checks that a record opened at {@code record key(W, n, i)} was written there by W (protocol §4.8, §5): its
 * authenticator is W's as for a page ({@link PageVerifier#checkAuthenticator}, with the record's own signing
 * context), it names page {@code n} and index {@code i}, record 0 of page 1 starts the chain, its slot names this
 * conversation's epoch and its heads other members. Links between records are {@link RecordChain}'s.
 */
public final class RecordVerifier {
  private RecordVerifier() {}

  /** Opens the envelope at {@code key}, parses and verifies it as record {@code index} of page {@code number} of {@code feed}. */
  public static SlotRecord openAndVerify(Conversation c, FeedId feed, long number, int index, String key, String value)
      throws PageFormatException, PageRejectedException {
    SlotRecord record = RecordCodec.parse(Envelope.open(c, key, value));
    verify(c, feed, number, index, record);
    return record;
  }

  public static void verify(Conversation c, FeedId feed, long number, int index, SlotRecord record)
      throws PageRejectedException {
    PageVerifier.checkAuthenticator(c, feed, List.of(record.slot().type()), RecordWriter.SIGNING_CONTEXT, record.body(),
        record.authenticator());
    // Checked after the authenticator: an authenticated record with these faults is its writer's own doing.
    if (record.page() != number || record.index() != index) {
      throw new PageRejectedException(Kind.MISPLACED, "record " + record.page() + "/" + record.index()
          + " was stored in the place of record " + number + "/" + index);
    }
    if (number == 1 && index == 0 && !Arrays.equals(record.previous(), Page.NO_PREVIOUS)) {
      throw new PageRejectedException(Kind.CHAIN_BROKEN, "the first record of page 1 claims a previous page");
    }
    PageVerifier.checkBelongs(c, feed, record.heads(), List.of(record.slot()), index);
  }
}
