package org.reschat.core.requests;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.ConversationClient;
import org.reschat.core.History;
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
  /**
   * Requesters' feeds one call reads at most, newest first: a month's full board, so throwaway cards posted
   * after a real request in the same month cannot hide it (and each is read once a day at most).
   */
  public static final int MAX_CHECKED = Board.SLOTS;
  /** Months of boards a check reads back, when the previous check was long ago. */
  static final int MAX_MONTHS = 24;
  /** How often {@link #arrived} reads the inbox. */
  public static final Duration POLL_EVERY = Duration.ofHours(1);
  /** How long a requester whose feed was empty is not read again. */
  static final Duration LOOK_AGAIN = Duration.ofDays(1);
  /** How long a request never shown (no message ever found) is remembered. */
  static final Duration FORGET_UNSHOWN = Duration.ofDays(62);
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
  private String cachedText;
  private InboxRecord cachedRecord;

  public MessageRequests(Identity me, ConversationClient chats, LocalState state, KvStore store, Clock clock) {
    this.me = me;
    this.chats = chats;
    this.state = state;
    this.store = store;
    this.clock = clock;
  }

  /** Every request from someone not in {@code known} and not ignored, newest first; reads the inbox first. */
  public List<Request> pending(Collection<PublicCard> known) throws KvException, LocalStateException {
    check(known);
    return withMessages(known, false);
  }

  /**
   * The requests never shown before that now have a message (what a {@code receive} announces, once).
   * Reads the inbox at most every {@link #POLL_EVERY}: each read tells an operator holding this person's
   * card that this client is them, so a poll every few seconds would tie every feed it reads to them.
   */
  public List<Request> arrived(Collection<PublicCard> known) throws KvException, LocalStateException {
    if (!record().lastCheck().plus(POLL_EVERY).isAfter(clock.instant())) {
      check(known);
    }
    return withMessages(known, true);
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
      state.saveRequests(record().withoutRequestFrom(from).toJson()); // they wrote first: introduce() skips them
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
    // Cheap tests first: this runs for every friend on every poll, and the record may be large.
    if (state.newestPage(c.myFeed()) == 0 || state.newestPage(c.feed(c.indexOf(contact))) > 0) {
      return;
    }
    try (LocalState.Lock lock = state.lock(LOCK)) {
      if (record().wasIntroducedTo(contact)) {
        return;
      }
      try {
        Inbox.board(contact, month()).post(store, key -> Inbox.seal(contact, me.card(), key));
      } catch (Board.FullException e) {
        // given up: see above
      } catch (KvException e) {
        return; // the message is sent or queued; a later send or update posts the request
      }
      state.saveRequests(record().introducedTo(contact).toJson());
    }
  }

  /** Reads every board since the last check and remembers who asked (not friends, not ignored). */
  private void check(Collection<PublicCard> known) throws KvException, LocalStateException {
    Set<PublicCard> friends = Set.copyOf(known);
    try (LocalState.Lock lock = state.lock(LOCK)) {
      InboxRecord record = record();
      YearMonth now = month();
      // From the month before the last check (a request posted as that month ended), at most MAX_MONTHS back;
      // a last check "in the future" (the clock was set back) counts as now.
      YearMonth lastCheck = record.checked().filter(m -> !m.isAfter(now)).orElse(now);
      YearMonth from = lastCheck.minusMonths(1).isBefore(now.minusMonths(MAX_MONTHS)) ? now.minusMonths(MAX_MONTHS)
          : lastCheck.minusMonths(1);
      Map<YearMonth, Integer> read = new HashMap<>();
      Instant seen = clock.instant();
      // Requests never shown are dropped after a while: their senders never wrote (a flood's cards).
      List<InboxRecord.Entry> requests = new ArrayList<>(record.requests().stream()
          .filter(e -> e.shown() || e.seen().plus(FORGET_UNSHOWN).isAfter(seen)).toList());
      for (YearMonth m = from; !m.isAfter(now); m = m.plusMonths(1)) {
        int last = Inbox.board(me.card(), m).read(store, record.read().getOrDefault(m, 0), slot ->
            slot.payload().flatMap(sealed -> Inbox.open(me, slot.key(), sealed)).ifPresent(card -> {
              if (!card.equals(me.card()) && !friends.contains(card) && !record.isIgnored(card)
                  && requests.stream().noneMatch(e -> e.card().equals(card))) {
                requests.add(new InboxRecord.Entry(card, seen));
              }
            }));
        if (!m.isBefore(now.minusMonths(1))) {
          read.put(m, last); // boards older than last month no longer grow: forget them
        }
      }
      state.saveRequests(record.withChecked(now, seen, read, requests).toJson());
    }
  }

  /**
   * The remembered requests with a message, newest first, reading at most {@link #MAX_CHECKED} feeds. A
   * feed found empty is not read again for {@link #LOOK_AGAIN}: throwaway cards cost each one read a day,
   * not one per call, and do not crowd out the requests behind them. With {@code unshownOnly}, only the
   * requests never returned before (then marked shown).
   */
  private List<Request> withMessages(Collection<PublicCard> known, boolean unshownOnly)
      throws KvException, LocalStateException {
    Set<PublicCard> friends = Set.copyOf(known);
    InboxRecord record = record();
    Instant now = clock.instant();
    List<Request> out = new ArrayList<>();
    Map<PublicCard, InboxRecord.Entry> updated = new HashMap<>();
    int reads = 0;
    for (int i = record.requests().size() - 1; i >= 0 && reads < MAX_CHECKED; i--) {
      InboxRecord.Entry e = record.requests().get(i);
      if (friends.contains(e.card()) || record.isIgnored(e.card()) || (unshownOnly && e.shown())
          || (!e.shown() && e.foundEmpty().plus(LOOK_AGAIN).isAfter(now))) {
        continue;
      }
      reads++;
      History h = chats.history(chats.conversationWith(e.card()), HistoryRequest.newest(1));
      List<Message> theirs = h.messages().stream().filter(m -> m.direction() == Message.Direction.RECEIVED).toList();
      if (!theirs.isEmpty()) {
        out.add(new Request(e.card(), e.seen(), theirs));
        if (!e.shown()) {
          updated.put(e.card(), new InboxRecord.Entry(e.card(), e.seen(), true, e.foundEmpty()));
        }
      } else if (h.storeProblem().isEmpty()) { // an unreadable store proves nothing: look again next time
        updated.put(e.card(), new InboxRecord.Entry(e.card(), e.seen(), e.shown(), now));
      }
    }
    if (!updated.isEmpty()) {
      try (LocalState.Lock lock = state.lock(LOCK)) {
        state.saveRequests(record().withEntries(updated).toJson());
      }
    }
    return out;
  }

  /** The record, parsed once per version of its text: it is consulted on every poll. */
  private InboxRecord record() throws LocalStateException {
    Optional<String> text = state.requests();
    if (text.isEmpty()) {
      return InboxRecord.EMPTY;
    }
    synchronized (this) {
      if (!text.get().equals(cachedText)) {
        cachedRecord = InboxRecord.parse(text.get());
        cachedText = text.get();
      }
      return cachedRecord;
    }
  }

  private YearMonth month() {
    return YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
  }
}
