package org.reschat.core.internal.feed;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.Update;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.ChainMerge;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.PairEpochs;
import org.reschat.core.internal.conversation.PairRotate;
import org.reschat.core.internal.conversation.Received;
import org.reschat.kv.KvException;

/**
 * A direct chat as a chain of conversations (protocol §3.1), as a group is a chain of epochs: history and
 * receive read every epoch held and merge them by time; a {@code PAIR_ROTATE} read in a friend's (or this
 * identity's) device 0 feed adds the next epoch, read in the same call, and a friend's epoch taken here is
 * acknowledged there with {@code PAIR_TAKEN}; a friend's first message in an epoch this identity started marks it
 * taken, from when on this client writes there.
 */
final class DirectChain {
  private final ConversationEngine engine;
  private final Taken taken;

  /** What follows when a friend first shows it holds an epoch this identity started. */
  interface Taken {
    void by(PublicCard friend) throws LocalStateException, KvException;
  }

  DirectChain(ConversationEngine engine, Taken taken) {
    this.engine = engine;
    this.taken = taken;
  }

  /** Every epoch's history, merged by time (each epoch's own order kept). */
  History history(PublicCard contact, HistoryRequest request) throws LocalStateException, KvException {
    ChainMerge merged = new ChainMerge();
    Set<String> read = new HashSet<>();
    for (List<Conversation> next = unread(contact, read); !next.isEmpty(); next = unread(contact, read)) {
      for (Conversation c : next) {
        History h = engine.history(c, request);
        adopt(c, h.messages(), merged.warnings()); // a profile that never received them reads every epoch too
        noteTaken(c, h.messages());
        merged.add(h, h.messages());
      }
    }
    return merged.history();
  }

  /** What is new in every epoch, not yet marked delivered, with the epochs it announced read too. */
  Receipt receive(PublicCard contact) throws LocalStateException, KvException {
    ChainMerge merged = new ChainMerge();
    List<Received> marks = new ArrayList<>();
    Set<String> read = new HashSet<>();
    for (List<Conversation> next = unread(contact, read); !next.isEmpty(); next = unread(contact, read)) {
      for (Conversation c : next) {
        Received r = engine.receive(c);
        marks.add(r);
        Update u = r.update();
        adopt(c, u.received(), merged.warnings());
        noteTaken(c, u.received());
        merged.add(u, u.received());
      }
    }
    return new Receipt(merged.update(), marks);
  }

  /**
   * The epochs of the chat not yet in {@code read}, now added to it: an epoch read may announce the next, at
   * most {@link PairEpochs#MAX_LATER} of them, so the calls end.
   */
  private List<Conversation> unread(PublicCard contact, Set<String> read) throws LocalStateException {
    List<Conversation> out = engine.conversationsWith(contact).stream().filter(c -> !read.contains(c.id())).toList();
    out.forEach(c -> read.add(c.id()));
    return out;
  }

  /** A direct chat's receive: the merged update, and each epoch's marks to commit once it was passed on. */
  record Receipt(Update update, List<Received> marks) {
    Receipt {
      marks = List.copyOf(marks);
    }
  }

  /** Refusals said per read of a chat; the rest are counted in one more. */
  static final int MAX_REFUSALS = 8;

  /**
   * Takes the epochs the {@code PAIR_ROTATE}s among {@code messages} (read in {@code c}) hand to this device: only
   * from a member's identity feed (device 0, which alone revokes), only when it opens here for these two cards
   * and to the epoch it names, up to {@link PairEpochs#MAX_LATER}; a replay changes nothing. What the friend wrote
   * and is refused is a {@code NOT_APPLIED} warning naming them (one this identity's device 0 wrote that holds
   * nothing for this device, as for a device linked later, is not). A friend's epoch is acknowledged at once.
   */
  private void adopt(Conversation c, List<Message> messages, List<FeedWarning> warnings)
      throws LocalStateException, KvException {
    PublicCard friend = c.them();
    int refused = 0;
    for (Message m : messages) {
      if (!m.type().equals(PairRotate.TYPE) || c.indexOf(m.sender()) < 0) {
        continue;
      }
      boolean fromFriend = m.sender().equals(friend);
      String why = null;
      Optional<byte[]> secret = Optional.empty();
      if (!m.id().startsWith(c.feed(c.indexOf(m.sender())).writer() + ":")) {
        why = "wrote a new key of this chat from a device other than their first";
      } else {
        secret = PairRotate.open(engine.identity(), friend, m.sender(), m.body());
        if (secret.isEmpty()) {
          why = "wrote a new key of this chat that does not open here";
        } else if (held(friend, secret.get())) {
          if (fromFriend) {
            acknowledge(c, secret.get()); // a replay, or an acknowledgement a failed store kept from being written
          }
          continue;
        } else if (!engine.pairs().keep(friend, secret.get(), fromFriend)) {
          why = "wrote more than " + PairEpochs.MAX_LATER + " new keys of this chat";
        }
      }
      if (why != null) {
        if (fromFriend && refused++ < MAX_REFUSALS) {
          warnings.add(new FeedWarning(FeedWarning.Kind.NOT_APPLIED, false, m.page(), FeedWarning.shortName(friend)
              + " " + why + " (message " + m.id() + "): not applied", friend));
        }
        continue;
      }
      if (fromFriend) {
        acknowledge(c, secret.get());
      }
    }
    if (refused > MAX_REFUSALS) {
      warnings.add(new FeedWarning(FeedWarning.Kind.NOT_APPLIED, false, 0, (refused - MAX_REFUSALS)
          + " more new keys of this chat were refused as above: not applied", friend));
    }
  }

  /**
   * Writes {@code PAIR_TAKEN} as this device's first message in the friend's epoch of {@code secret}, unless its
   * feed there holds anything (written or queued): one acknowledgement, however often the rotation is read.
   */
  private void acknowledge(Conversation c, byte[] secret) throws LocalStateException {
    if (engine.state().readOnly()) {
      return; // a copy opened read-only writes nothing: the writable profile acknowledges it
    }
    Conversation next = Conversation.of(engine.identity(), secret, c.members());
    if (engine.state().newestPage(next.myFeed()) > 0 || engine.pending(next) > 0) {
      return;
    }
    try {
      engine.send(next, PairRotate.TAKEN, "took the new key of this chat".getBytes(StandardCharsets.UTF_8),
          "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
    } catch (KvException e) {
      // the store could not be read to start the feed: written at a later read, which finds the feed empty
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("An acknowledgement is always a valid message", e);
    }
  }

  /** Whether {@code secret} is an epoch of the chat with {@code friend} held already. */
  private boolean held(PublicCard friend, byte[] secret) throws LocalStateException {
    String id = PairRotate.epochId(engine.identity(), friend, secret);
    return engine.conversationsWith(friend).stream().anyMatch(x -> x.id().equals(id));
  }

  /** A later epoch in which the friend wrote is one they hold: this client writes there from now on. */
  private void noteTaken(Conversation c, List<Message> messages) throws LocalStateException, KvException {
    if (c.id().equals(engine.conversationWith(c.them()).id())) {
      return;
    }
    for (Message m : messages) {
      if (m.sender().equals(c.them())) {
        if (engine.pairs().taken(c)) {
          taken.by(c.them());
        }
        return;
      }
    }
  }
}
