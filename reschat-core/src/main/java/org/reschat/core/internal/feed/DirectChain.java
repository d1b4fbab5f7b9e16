package org.reschat.core.internal.feed;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.Update;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.ChainMerge;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.PairEpochs;
import org.reschat.core.internal.conversation.PairTaking;
import org.reschat.core.internal.conversation.Received;
import org.reschat.kv.KvException;

/**
 * A direct chat as a chain of conversations (protocol §3.1), as a group is a chain of epochs: history and
 * receive read every epoch held and merge them by time; a {@code PAIR_ROTATE} read in a friend's (or this
 * identity's) device 0 feed adds the next epoch, read in the same call, and a friend's epoch taken here is
 * acknowledged there with {@code PAIR_TAKEN}; a friend's first message in an epoch this identity started marks it
 * taken, from when on this client writes there. Receive leaves out the older epochs retired
 * ({@link EpochRetirement}); history reads them all.
 */
final class DirectChain {
  private final ConversationEngine engine;
  private final PairTaking taking;
  private final EpochRetirement retirement;

  DirectChain(ConversationEngine engine, PairTaking taking) {
    this.engine = engine;
    this.taking = taking;
    this.retirement = new EpochRetirement(engine);
  }

  /** Every epoch's history, merged by time (each epoch's own order kept). */
  History history(PublicCard contact, HistoryRequest request) throws LocalStateException, KvException {
    ChainMerge merged = new ChainMerge();
    Set<String> read = new HashSet<>();
    for (List<Conversation> next = unread(contact, read); !next.isEmpty(); next = unread(contact, read)) {
      for (Conversation c : next) {
        History h = engine.history(c, request);
        if (engine.reads().learnt(engine, c, h.messages())) { // the pages read held the last notice naming version 5
          h = engine.history(c, request);
        }
        List<Message> shown = engine.reads().take(c, h.messages());
        taking.adopt(c, PairTaking.Carrier.DIRECT, h.messages(), merged.warnings()); // a profile that never received them reads every epoch too
        noteTaken(c, h.messages());
        merged.add(h, shown);
      }
    }
    announceReads(contact);
    return merged.history();
  }

  /** What is new in every epoch, not yet marked delivered, with the epochs it announced read too. */
  Receipt receive(PublicCard contact) throws LocalStateException, KvException {
    ChainMerge merged = new ChainMerge();
    List<Received> marks = new ArrayList<>();
    Set<String> read = new HashSet<>();
    Set<String> movedOn = new HashSet<>();
    for (List<Conversation> next = unreadLive(contact, read); !next.isEmpty(); next = unreadLive(contact, read)) {
      for (Conversation c : next) {
        if (c != next.get(next.size() - 1) && retirement.movedOn(c)) { // the newest read is never retired
          movedOn.add(c.id()); // known before this read: the read below is the one after it
        }
        Received r = engine.receive(c);
        boolean learnt = engine.reads().learnt(engine, c, r.update().received());
        List<Message> shown = take(c, r.update().received(), merged);
        // This device's notice, once the friend wrote (after adopting: to the epoch this read may have moved to); a
        // receive takes no own message, so a copy holding nothing shows its own notice here. Where the notices read
        // completed who reads records, or this device's own was written and the chat now follows records, read again
        // (nothing was marked delivered yet): the friend's open records come in this call, not the next. A notice
        // that taught nothing (a friend may write one on every page) reads nothing more, as in a group's epoch.
        boolean announced = announceReads(contact);
        if (learnt || (announced && followsRecords(c))) {
          Set<String> before = new HashSet<>();
          r.update().received().forEach(m -> before.add(m.id()));
          Update first = r.update();
          r = engine.receive(c);
          for (org.reschat.core.FeedWarning w : first.warnings()) {
            if (!r.update().warnings().contains(w)) {
              merged.warnings().add(w); // found by the first read only: still said
            }
          }
          shown = engine.reads().take(c, r.update().received());
          List<Message> fresh = r.update().received().stream().filter(m -> !before.contains(m.id())).toList();
          taking.adopt(c, PairTaking.Carrier.DIRECT, fresh, merged.warnings());
          noteTaken(c, fresh);
        }
        marks.add(r);
        merged.add(r.update(), shown);
      }
    }
    engine.readLive(marks.stream().map(Received::conversation).toList()); // a retired epoch read: due in 10 minutes
    retire(marks, movedOn, merged);
    return new Receipt(merged.update(), marks); // the notice was asked for after the last epoch read, above
  }

  /** Takes what a read of {@code c} found: notices noted, new keys adopted, the friend's epoch marked taken. */
  private List<Message> take(Conversation c, List<Message> messages, ChainMerge merged)
      throws LocalStateException, KvException {
    List<Message> shown = engine.reads().take(c, messages);
    taking.adopt(c, PairTaking.Carrier.DIRECT, messages, merged.warnings());
    noteTaken(c, messages);
    return shown;
  }

  /**
   * Retires the older epochs this call read clean once every feed in them moved on (protocol §3.1, "Retiring an
   * epoch"): at once where that was known before the read; where this call learnt it (from a newer epoch read
   * after), after one read more, whose messages, if it found any, are passed on with the rest instead.
   */
  private void retire(List<Received> marks, Set<String> movedOn, ChainMerge merged)
      throws LocalStateException, KvException {
    for (int i = 0; i < marks.size() - 1; i++) { // the last is the newest epoch read: never retired
      Received r = marks.get(i);
      Conversation c = r.conversation();
      if (!EpochRetirement.clean(r)) {
        continue;
      }
      if (!movedOn.contains(c.id())) {
        if (!retirement.movedOn(c)) {
          continue;
        }
        r = engine.receive(c); // the read after this client saw every feed move on
        if (!EpochRetirement.clean(r)) {
          marks.set(i, r); // the first read found nothing: nothing is passed on twice
          merged.add(r.update(), take(c, r.update().received(), merged));
          continue;
        }
      }
      engine.retired().retire(c);
    }
  }

  /**
   * Whether this client follows the open record pages of {@code c} (protocol §4.8): every feed of both showed
   * version 5 in its view. A copy holding nothing of the chat learns it from the pages it reads, in the same call.
   */
  private boolean followsRecords(Conversation c) throws LocalStateException {
    return engine.followsRecords(c);
  }

  /**
   * The epochs of the chat not yet in {@code read}, now added to it: an epoch read may announce the next, at
   * most {@link PairEpochs#MAX_LATER} of them, so the calls end.
   */
  private List<Conversation> unread(PublicCard contact, Set<String> read) throws LocalStateException {
    return unread(engine.conversationsWith(contact), read);
  }

  /** As {@link #unread}, of the epochs receive reads: the retired ones left out. */
  private List<Conversation> unreadLive(PublicCard contact, Set<String> read) throws LocalStateException {
    return unread(engine.liveConversationsWith(contact), read);
  }

  private static List<Conversation> unread(List<Conversation> epochs, Set<String> read) {
    List<Conversation> out = epochs.stream().filter(c -> !read.contains(c.id())).toList();
    out.forEach(c -> read.add(c.id()));
    return out;
  }

  /** A direct chat's receive: the merged update, and each epoch's marks to commit once it was passed on. */
  record Receipt(Update update, List<Received> marks) {
    Receipt {
      marks = List.copyOf(marks);
    }
  }

  /**
   * Writes this device's {@code PAIR_READS} once in its feed of the chat's current epoch (protocol §4.7), at its
   * first read there (a receive or a history) once the friend has written there: a device that has never read the
   * chat has read no page it could fail to parse, and until it writes this nobody seals version 4 for it; once more
   * after this client learnt to read records (§4.8), for version 5. Queued when the store fails, as any message; a
   * copy opened read-only writes nothing (the writable profile does).
   */
  boolean announceReads(PublicCard contact) throws LocalStateException {
    Conversation c = engine.currentWith(contact);
    if (engine.state().readOnly() || engine.reads().shownByMe(c) || !friendWrote(c)) {
      return false;
    }
    return engine.reads().write(engine, c); // false when not sealed: written at the next send or read
  }

  /**
   * Whether any feed of the friend in {@code c} holds a page here: a chat nobody answered yet (a stranger's first
   * messages, a request) gets no notice, so a later call of the sender writes nothing its first page could be linked
   * to by time (protocol §13), and a notice is written only where a reader of it exists.
   */
  private boolean friendWrote(Conversation c) throws LocalStateException {
    Conversation all = engine.withDevices(c);
    for (org.reschat.core.spi.FeedId feed : all.feeds()) {
      if (all.writerOf(feed).equals(c.them()) && engine.state().newestPage(feed) > 0) {
        return true;
      }
    }
    return false;
  }

  /** A later epoch in which the friend wrote is one they hold: this client writes there from now on. */
  private void noteTaken(Conversation c, List<Message> messages) throws LocalStateException, KvException {
    if (c.id().equals(engine.conversationWith(c.them()).id())) {
      return;
    }
    for (Message m : messages) {
      if (m.sender().equals(c.them())) {
        if (engine.pairs().taken(c)) {
          taking.followUp(List.of(c.them()));
        }
        return;
      }
    }
  }
}
