package org.reschat.core.requests;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.reschat.core.ConversationClient;
import org.reschat.core.HistoryRequest;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.board.Board;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.state.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Messages from people who are not friends yet. A friend list is one-sided: Bob can add Alice and write
 * to her, but Alice's client reads only the feeds of cards it holds. So with his first message Bob's
 * client posts his card to Alice's {@link Inbox}; Alice's client finds it there, and reads Bob's feed in
 * their conversation, verified as any friend's. A request is shown only with at least one message Bob
 * really wrote to Alice (signed, in that conversation), so a card posted by someone else shows nothing.
 *
 * <p>Hostile input stays bounded: a month's board is read at most once per slot, junk is skipped, the
 * record keeps at most {@link InboxRecord#MAX_REQUESTS} requesters, and one check reads the feeds of at
 * most {@link #MAX_CHECKED} of them (the newest).
 */
public final class MessageRequests {
  /** Requesters whose feeds one {@link #pending} reads, newest first. */
  public static final int MAX_CHECKED = 64;
  /** Months of boards a check reads back, when the previous check was long ago. */
  static final int MAX_MONTHS = 24;
  private static final String LOCK = "requests";

  /** Someone who is not a friend, and the messages they sent (their newest page). */
  public record Request(PublicCard from, Instant seen, List<Message> messages) {
    public Request {
      messages = List.copyOf(messages);
    }
  }

  private final Identity me;
  private final ConversationClient chats;
  private final LocalState state;
  private final KvStore store;
  private final Clock clock;

  public MessageRequests(Identity me, ConversationClient chats, LocalState state, KvStore store, Clock clock) {
    this.me = me;
    this.chats = chats;
    this.state = state;
    this.store = store;
    this.clock = clock;
  }

  /** Every request from someone not in {@code known} and not ignored, newest first; reads the inbox first. */
  public List<Request> pending(Collection<PublicCard> known) throws KvException, LocalStateException {
    check();
    return withMessages(record().requests(), known);
  }

  /** The requests first found by this call (what a {@code receive} announces). */
  public List<Request> arrived(Collection<PublicCard> known) throws KvException, LocalStateException {
    return withMessages(check(), known);
  }

  /** Never shows requests from {@code from} again. */
  public void ignore(PublicCard from) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(LOCK)) {
      state.saveRequests(record().ignoring(from).toJson());
    }
  }

  /** Forgets the request from {@code from}, now a friend (so removing them later does not bring it back). */
  public void accepted(PublicCard from) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(LOCK)) {
      state.saveRequests(record().withoutRequestFrom(from).introducedTo(from).toJson());
    }
  }

  /**
   * Tells {@code contact} this person writes to them, once: posts a request to their inbox unless it was
   * posted before or they wrote first (then they know this card). Called after a message to them is sent;
   * a store that cannot be reached leaves it for the next call. A full inbox is given up on: the messages
   * stay in the feed, and {@code contact} sees them once they add this card.
   */
  public void introduce(PublicCard contact) throws LocalStateException {
    if (state.readOnly()) {
      return; // a copy opened read-only publishes nothing (as its outbox): the writable profile posts it
    }
    Conversation c = chats.conversationWith(contact);
    if (record().wasIntroducedTo(contact) || state.newestPage(c.myFeed()) == 0) {
      return;
    }
    try (LocalState.Lock lock = state.lock(LOCK)) {
      if (record().wasIntroducedTo(contact)) {
        return;
      }
      if (state.newestPage(c.feed(c.indexOf(contact))) == 0) {
        try {
          Inbox.board(contact, month()).post(store, key -> Inbox.seal(contact, me.card(), key));
        } catch (Board.FullException e) {
          // given up: see above
        } catch (KvException e) {
          return; // the message is sent or queued; a later send or update posts the request
        }
      }
      state.saveRequests(record().introducedTo(contact).toJson());
    }
  }

  /** Reads every board since the last check; returns the requesters found for the first time. */
  private List<InboxRecord.Entry> check() throws KvException, LocalStateException {
    try (LocalState.Lock lock = state.lock(LOCK)) {
      InboxRecord record = record();
      YearMonth now = month();
      // From the month before the last check (a request posted as that month ended), at most MAX_MONTHS back;
      // a last check "in the future" (the clock was set back) counts as now.
      YearMonth lastCheck = record.checked().filter(m -> !m.isAfter(now)).orElse(now);
      YearMonth from = lastCheck.minusMonths(1).isBefore(now.minusMonths(MAX_MONTHS)) ? now.minusMonths(MAX_MONTHS)
          : lastCheck.minusMonths(1);
      Map<YearMonth, Integer> read = new HashMap<>();
      List<InboxRecord.Entry> requests = new ArrayList<>(record.requests());
      List<InboxRecord.Entry> found = new ArrayList<>();
      Instant seen = clock.instant();
      for (YearMonth m = from; !m.isAfter(now); m = m.plusMonths(1)) {
        int last = Inbox.board(me.card(), m).read(store, record.read().getOrDefault(m, 0), slot ->
            slot.payload().flatMap(sealed -> Inbox.open(me, slot.key(), sealed)).ifPresent(card -> {
              if (!card.equals(me.card()) && !record.isIgnored(card)
                  && requests.stream().noneMatch(e -> e.card().equals(card))) {
                InboxRecord.Entry e = new InboxRecord.Entry(card, seen);
                requests.add(e);
                found.add(e);
              }
            }));
        if (!m.isBefore(now.minusMonths(1))) {
          read.put(m, last); // boards older than last month no longer grow: forget them
        }
      }
      String updated = record.withChecked(now, read, requests).toJson();
      if (!updated.equals(record.toJson())) { // a poll that finds nothing new writes nothing
        state.saveRequests(updated);
      }
      return found;
    }
  }

  private List<Request> withMessages(List<InboxRecord.Entry> entries, Collection<PublicCard> known)
      throws KvException, LocalStateException {
    Set<PublicCard> friends = Set.copyOf(known);
    InboxRecord record = record();
    List<Request> out = new ArrayList<>();
    int checked = 0;
    for (int i = entries.size() - 1; i >= 0 && checked < MAX_CHECKED; i--) {
      InboxRecord.Entry e = entries.get(i);
      if (friends.contains(e.card()) || record.isIgnored(e.card())) {
        continue;
      }
      checked++;
      List<Message> theirs = chats.history(chats.conversationWith(e.card()), HistoryRequest.newest(1)).messages()
          .stream().filter(m -> m.direction() == Message.Direction.RECEIVED).toList();
      if (!theirs.isEmpty()) {
        out.add(new Request(e.card(), e.seen(), theirs));
      }
    }
    return out;
  }

  private InboxRecord record() throws LocalStateException {
    java.util.Optional<String> text = state.requests();
    return text.isPresent() ? InboxRecord.parse(text.get()) : InboxRecord.EMPTY;
  }

  private YearMonth month() {
    return YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
  }
}
