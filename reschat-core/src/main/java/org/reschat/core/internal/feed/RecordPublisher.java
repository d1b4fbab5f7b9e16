package org.reschat.core.internal.feed;

import java.util.Optional;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.PageFormatException;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.RecordVerifier;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.PutIfUnchanged;

/**
 * Writes this member's records, each once (protocol §4.8, §7): a conditional put on nothing being at its key
 * ({@link KvStore#putIfUnchanged}, one request). A refusal's answer decides, as for a page: this very record (it
 * had landed): written; junk or a value that is not this writer's record there: put over it, as found; another
 * record of this writer that continues what this client verified (another device of the identity, or a restored
 * backup's live twin): adopted, and the caller seals its message again after it; one that contradicts it:
 * EQUIVOCATION, nothing written. Stateless; the caller's {@link RecordChain} is the verified state.
 */
final class RecordPublisher {
  /** What became of a write. */
  sealed interface Outcome permits Written, Adopted {}

  /** The record is at its key. */
  record Written(SlotRecord record) implements Outcome {}

  /** Another device's record is at that key and continues this chain: seal the message again after it. */
  record Adopted(SlotRecord theirs) implements Outcome {}

  private final Conversation c;
  private final KvStore store;

  RecordPublisher(Conversation c, KvStore store) {
    this.c = c;
    this.store = store;
  }

  /**
   * Writes {@code record}, sealed as {@code value}, after the records {@code chain} holds of its page; on success
   * {@code chain} holds the record written or adopted. Throws EQUIVOCATION when the store holds another record of
   * this writer there that contradicts {@code chain}.
   */
  Outcome publish(RecordChain chain, SlotRecord record, String value) throws KvException, PageRejectedException {
    String key = c.recordKey(c.myFeed(), record.page(), record.index());
    PutIfUnchanged put = store.putIfUnchanged(key, Optional.empty(), value);
    if (put.written() || put.current().value().filter(value::equals).isPresent()) {
      chain.add(record);
      return new Written(record);
    }
    Optional<SlotRecord> theirs = verified(key, record, put.current().value());
    if (theirs.isPresent() && theirs.get().equals(record)) { // it had landed, in another envelope (a retry)
      chain.add(record);
      return new Written(record);
    }
    if (theirs.isEmpty()) {
      store.put(key, value); // over junk, or what another member wrote into this feed
      chain.add(record);
      return new Written(record);
    }
    chain.add(theirs.get()); // throws EQUIVOCATION when it does not continue what this client verified
    return new Adopted(theirs.get());
  }

  private Optional<SlotRecord> verified(String key, SlotRecord mine, Optional<String> current) {
    if (current.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(RecordVerifier.openAndVerify(c, c.myFeed(), mine.page(), mine.index(), key, current.get()));
    } catch (PageFormatException | PageRejectedException e) {
      return Optional.empty();
    }
  }
}
