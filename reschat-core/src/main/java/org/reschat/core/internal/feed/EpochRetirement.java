package org.reschat.core.internal.feed;

import java.util.Arrays;
import java.util.List;
import org.reschat.core.LocalStateException;
import org.reschat.core.Update;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.Received;
import org.reschat.core.spi.FeedId;

/**
 * When a direct chat's older epoch may leave the receive path (protocol §3.1, "Retiring an epoch"). It has
 * <b>moved on</b> when it is older than the epoch this client writes in and every feed that counts in it (each
 * identity's device 0 and each device its kept list certifies; a revoked one left out, as for {@code PAIR_READS})
 * holds a page this client verified in a newer epoch: each writer took the new key, and a writer publishes what it
 * wrote in the old epoch (its signed tail included, §4.7 "Leaving an epoch") before its first page in the new one.
 * It is retired by a read of it made after this client saw that and <b>clean</b>: nothing new, nothing queued,
 * nothing found wrong, so every message of it is delivered.
 */
final class EpochRetirement {
  private final ConversationEngine engine;

  EpochRetirement(ConversationEngine engine) {
    this.engine = engine;
  }

  /** Whether every feed that counts in {@code c} has written in a newer epoch of its chat, in this client's view. */
  boolean movedOn(Conversation c) throws LocalStateException {
    List<Conversation> chain = engine.conversationsWith(c.them());
    int at = indexOf(chain, c);
    if (at < 0 || at >= indexOf(chain, engine.currentWith(c.them()))) {
      return false; // the epoch written in, or a newer one, is never retired
    }
    List<Conversation> newer = new java.util.ArrayList<>();
    for (Conversation n : chain.subList(at + 1, chain.size())) {
      newer.add(engine.withDevices(n));
    }
    Conversation old = engine.withDevices(c);
    for (FeedId feed : old.feeds()) {
      if (old.endOf(feed).isEmpty() && !wroteIn(newer, old.fingerprintOf(feed))) {
        return false;
      }
    }
    return true;
  }

  /** Whether a read found the epoch with nothing to deliver, publish or report: everything in it was passed on. */
  static boolean clean(Received r) {
    Update u = r.update();
    return u.received().isEmpty() && u.pending() == 0 && u.warnings().isEmpty() && u.problem().isEmpty();
  }

  /** Whether the feed of {@code writer} (a device's or identity's fingerprint) holds a page in any of {@code epochs} (devices attached). */
  private boolean wroteIn(List<Conversation> epochs, byte[] writer) throws LocalStateException {
    for (Conversation c : epochs) {
      for (FeedId feed : c.feeds()) {
        if (Arrays.equals(c.fingerprintOf(feed), writer) && engine.state().newestPage(feed) > 0) {
          return true;
        }
      }
    }
    return false;
  }

  private static int indexOf(List<Conversation> chain, Conversation c) {
    for (int i = 0; i < chain.size(); i++) {
      if (chain.get(i).id().equals(c.id())) {
        return i;
      }
    }
    return -1;
  }
}
