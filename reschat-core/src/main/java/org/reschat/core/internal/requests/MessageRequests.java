package org.reschat.core.internal.requests;

import java.security.SecureRandom;
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
import java.util.random.RandomGenerator;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.MessageRequest;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.device.DeviceBook;
import org.reschat.core.internal.device.DeviceList;
import org.reschat.core.internal.device.DeviceSecret;
import org.reschat.core.internal.json.ParsedText;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Messages from people who are not friends yet. A friend list is one-sided: Bob can add Alice and write
 * to her, but Alice's client reads only the feeds of cards it holds. So with his first message Bob's
 * client posts his card to Alice's {@link Inbox}; Alice's client finds it there, and reads Bob's feed in
 * their conversation, verified as any friend's. A request is shown only with at least one message Bob
 * really wrote to Alice (signed, in that conversation), so a card posted by someone else shows nothing.
 *
 * <p>Hostile input stays bounded: a check reads each board from its cursor, at most
 * {@link Board#READS_PER_CALL} slots, newest first, junk skipped (see {@link Board}); the record keeps at
 * most {@link InboxRecord#MAX_REQUESTS} requesters, and one check reads the feeds of at most
 * {@link #MAX_CHECKED} of them (the newest).
 *
 * <p>What the ledger sees of a first contact is kept small: the request is padded to a first page's length,
 * posted by a later call 10–60 minutes after the message that queued it, and never to a contact who has
 * written (docs/threat-model.md, "Message requests: what timing still shows").
 */
public final class MessageRequests implements org.reschat.core.Requests {
  /**
   * Requesters' feeds one call reads at most, newest first: a month's full board, so throwaway cards posted
   * after a real request in the same month cannot hide it (and each is read once a day at most).
   */
  public static final int MAX_CHECKED = Board.READS_PER_CALL;
  /** Months of boards a check reads back, when the previous check was long ago. */
  static final int MAX_MONTHS = 24;
  /**
   * How often {@link #arrived} reads the inbox at most: the first call of a run reads it when the last read
   * is this old, later calls after this plus a random part of {@link #POLL_JITTER}.
   */
  public static final Duration POLL_EVERY = Duration.ofMinutes(10);
  /** The random part of the time between two inbox reads by {@link #arrived}, so they keep no rhythm. */
  public static final Duration POLL_JITTER = Duration.ofMinutes(10);
  /**
   * A request is posted at the first call at least a random time in [MIN_DELAY, MAX_DELAY] after the message
   * that queued it: not in the same call, so its write does not date the first page of the conversation.
   */
  public static final Duration MIN_DELAY = Duration.ofMinutes(10);
  public static final Duration MAX_DELAY = Duration.ofMinutes(60);
  /** Calls that find the contact's board unwritable before the request is given up (and reported). */
  static final int MAX_TRIES = 3;
  /** Requests one call posts at most: the rest wait for the next call. */
  static final int POSTS_PER_CALL = 4;
  /** How long a requester whose feed was empty is not read again. */
  static final Duration LOOK_AGAIN = Duration.ofDays(1);
  /** How long a request never shown (no message ever found) is remembered. */
  static final Duration FORGET_UNSHOWN = Duration.ofDays(62);
  private static final String LOCK = "requests";
  /**
   * Draws the throwaway keys of a request sealed to devices, never {@link #random} (which tests make repeatable):
   * whoever could recompute one would open a seal holding the requester's card.
   */
  private static final SecureRandom THROWAWAY_KEYS = new SecureRandom();


  private final Identity me;
  private final ConversationClient chats;
  /** The device lists this client verified: whom a request is sealed to (protocol §13, "Sealed to devices"). */
  private final DeviceBook devices;
  private final LocalState state;
  private final KvStore store;
  private final Clock clock;
  private final RandomGenerator random;
  /** The inbox record, parsed once per text: it is consulted on every poll. */
  private final ParsedText<InboxRecord> inbox = new ParsedText<>(InboxRecord::parse);
  /** When {@link #arrived} reads the inbox next; null until the first call of this run. */
  private Instant nextPoll;
  /**
   * Contacts the record already shows as queued or introduced (it never forgets either): {@link #introduce}
   * runs after every send and every receive of a chat, and need not lock and read the record for them again.
   */
  private final Set<PublicCard> decided = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Contacts whose feed this client holds a page of: they know this card, and need no request. */
  private final Set<PublicCard> wroteFirst = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /**
   * When the record was last read here, and an instant no queued request is due before: {@link #postDue} need
   * not read it again in between. At most {@link #MIN_DELAY} after that read, since a request queued meanwhile, by this
   * process or another, is due at least that long after it was queued.
   */
  private volatile Instant[] nothingDue; // {read at, nothing due before}

  public MessageRequests(Identity me, ConversationClient chats, DeviceBook devices, LocalState state, KvStore store,
      Clock clock) {
    this(me, chats, devices, state, store, clock, new SecureRandom());
  }

  /** With the randomness of the delays given (tests make them repeatable). */
  public MessageRequests(Identity me, ConversationClient chats, DeviceBook devices, LocalState state, KvStore store,
      Clock clock, RandomGenerator random) {
    this.me = me;
    this.chats = chats;
    this.devices = devices;
    this.state = state;
    this.store = store;
    this.clock = clock;
    this.random = random;
  }

  /** Every request from someone not in {@code known} and not ignored, newest first; reads the inbox first. */
  @Override
  public List<MessageRequest> pending(Collection<PublicCard> known) throws KvException, LocalStateException {
    check(known);
    postDue();
    return withMessages(known, false);
  }

  /**
   * The requests never shown before that now have a message (what a {@code receive} announces, once).
   * Reads the inbox on the first call of a run when the last read is {@link #POLL_EVERY} old, then at most
   * every {@link #POLL_EVERY} plus a random part of {@link #POLL_JITTER}: each read tells an operator
   * holding this person's card that this client is them, so a poll every few seconds would tie every feed
   * it reads to them.
   */
  public List<MessageRequest> arrived(Collection<PublicCard> known) throws KvException, LocalStateException {
    Instant now = clock.instant();
    Instant due = nextPoll != null ? nextPoll : record().lastCheck().plus(POLL_EVERY);
    if (!due.isAfter(now)) {
      check(known);
      nextPoll = now.plus(POLL_EVERY).plusMillis(random.nextLong(POLL_JITTER.toMillis() + 1));
    } else if (nextPoll == null) {
      nextPoll = due;
    }
    postDue();
    return withMessages(known, true);
  }

  /**
   * The contacts whose request this client gave up posting since the last call (their board kept refusing
   * it), each returned once: they see this person's messages only once they add this card, so the
   * person should be told.
   */
  @Override
  public List<PublicCard> notPosted() throws LocalStateException {
    if (state.readOnly() || record().notPosted().isEmpty()) {
      return List.of();
    }
    try (LocalState.Lock lock = state.lock(LOCK)) {
      InboxRecord r = record();
      state.saveRequests(r.reported().toJson());
      return r.notPosted();
    }
  }

  /** Never shows requests from {@code from} again. */
  @Override
  public void ignore(PublicCard from) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(LOCK)) {
      state.saveRequests(record().ignoring(from).toJson());
    }
  }

  /** Forgets the request from {@code from}, now a friend (so removing them later does not bring it back). */
  @Override
  public void accepted(PublicCard from) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(LOCK)) {
      state.saveRequests(record().withoutRequestFrom(from).toJson()); // they wrote first: introduce() skips them
    }
  }

  /**
   * Tells {@code contact} this person writes to them, once: queues a request to their inbox unless one was
   * queued or posted before or they wrote first (then they know this card). Called after a message to them;
   * the request is posted by a later call ({@link #postDue}), a random time in [{@link #MIN_DELAY},
   * {@link #MAX_DELAY}] later, from the record on disk, so it is neither lost nor written next to the page.
   */
  public void introduce(PublicCard contact) throws LocalStateException {
    if (state.readOnly()) {
      return; // a copy opened read-only publishes nothing (as its outbox): the writable profile posts it
    }
    if (wroteFirst.contains(contact)) {
      return;
    }
    Conversation c = chats.conversationWith(contact);
    // Cheap tests first: this runs for every friend on every poll, and the record may be large.
    if (state.newestPage(c.myFeed()) == 0) {
      return;
    }
    if (state.newestPage(c.feed(c.indexOf(contact))) > 0) {
      wroteFirst.add(contact); // verified pages are never dropped: they stay a contact who wrote
      return;
    }
    if (!decided.contains(contact)) {
      try (LocalState.Lock lock = state.lock(LOCK)) {
        InboxRecord r = record();
        if (!r.wasIntroducedTo(contact) && !r.isQueued(contact)) {
          long spread = MAX_DELAY.toMillis() - MIN_DELAY.toMillis();
          Instant due = clock.instant().plus(MIN_DELAY).plusMillis(random.nextLong(spread + 1));
          state.saveRequests(r.queuing(contact, due, 0).toJson());
        }
        decided.add(contact);
      }
    }
    postDue();
  }

  /**
   * Posts the queued requests that are due (at most {@link #POSTS_PER_CALL}), each only after reading that
   * the contact has not written: a contact who has knows this card, and a request to them would only tell
   * the ledger who talks to whom. A store that cannot be reached leaves them queued; a board that keeps
   * refusing a request ({@link #MAX_TRIES} calls) gives it up and reports it through {@link #notPosted}.
   */
  @Override
  public void postDue() throws LocalStateException {
    if (state.readOnly()) {
      return;
    }
    Instant now = clock.instant();
    Instant[] quiet = nothingDue;
    if (quiet != null && !now.isBefore(quiet[0]) && now.isBefore(quiet[1])) { // (a clock set back reads again)
      return;
    }
    InboxRecord current = record();
    if (current.queued().stream().noneMatch(q -> !q.due().isAfter(now))) {
      nothingDue = quietUntil(current, now);
      return;
    }
    nothingDue = null;
    try (LocalState.Lock lock = state.lock(LOCK)) {
      InboxRecord r = record();
      List<InboxRecord.Queued> due = r.queued().stream().filter(q -> !q.due().isAfter(now)).limit(POSTS_PER_CALL)
          .toList();
      for (InboxRecord.Queued q : due) {
        Conversation c = chats.conversationWith(q.card());
        try {
          // Only the two members can compute this key, so anything there is the contact's own writing.
          if (state.newestPage(c.feed(c.indexOf(q.card()))) > 0
              || store.get(c.pageKey(c.feed(c.indexOf(q.card())), 1)).isPresent()) {
            r = r.introducedTo(q.card());
            continue;
          }
          List<byte[]> sealTo = devicesToSealTo(q.card());
          Inbox.board(q.card(), month()).post(store, key -> sealTo.isEmpty() ? Inbox.seal(q.card(), me.card(), key)
              : Inbox.sealToDevices(sealTo, me.card(), key, Hpke.standard(), THROWAWAY_KEYS));
          r = r.introducedTo(q.card());
        } catch (Board.FullException e) {
          r = q.tries() + 1 >= MAX_TRIES ? r.givenUp(q.card()) : r.queuing(q.card(), now.plus(MIN_DELAY), q.tries() + 1);
        } catch (KvException e) {
          break; // the store is away: every queued request waits for a later call
        }
      }
      state.saveRequests(r.toJson());
      nothingDue = quietUntil(r, now); // what is still due (the store went away) keeps it at now: read again
    }
  }

  /**
   * The X25519 keys of {@code contact}'s devices a request to them is sealed to: every device their verified list
   * names when it names a revoked one (that device holds the identity's secret), else none (sealed to the identity
   * key, as every version does). The list is read when due, as for any conversation read (protocol §15.2); a
   * rollback or junk leaves the kept entry in force.
   */
  private List<byte[]> devicesToSealTo(PublicCard contact) throws KvException, LocalStateException {
    devices.refresh(List.of(contact), false);
    Optional<DeviceList> list = devices.kept(contact);
    if (list.isEmpty() || list.get().revoked().isEmpty()) {
      return List.of();
    }
    return list.get().devices().stream().map(d -> d.keys().encryptionKey()).toList();
  }

  /** {@code [now, the first instant a request may be due]} for {@link #nothingDue}, from the record as of now. */
  private static Instant[] quietUntil(InboxRecord r, Instant now) {
    Instant bound = now.plus(MIN_DELAY);
    for (InboxRecord.Queued q : r.queued()) {
      bound = q.due().isBefore(bound) ? q.due() : bound;
    }
    return new Instant[] {now, bound};
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
      Map<YearMonth, Board.Cursor> read = new HashMap<>();
      Optional<byte[]> own = DeviceSecret.of(me, state); // opens requests sealed to this device (§13)
      Instant seen = clock.instant();
      // Requests never shown are dropped after a while: their senders never wrote (a flood's cards).
      List<InboxRecord.Entry> requests = new ArrayList<>(record.requests().stream()
          .filter(e -> e.shown() || e.seen().plus(FORGET_UNSHOWN).isAfter(seen)).toList());
      // Up to next month's board: a sender whose clock runs ahead posts there as this month ends.
      for (YearMonth m = from; !m.isAfter(now.plusMonths(1)); m = m.plusMonths(1)) {
        java.util.TreeMap<Integer, PublicCard> found = new java.util.TreeMap<>(); // read newest first, kept oldest first
        Board.Cursor last = Inbox.board(me.card(), m).read(store, record.read().getOrDefault(m, Board.Cursor.START),
            slot -> slot.payload().flatMap(sealed -> Inbox.open(me, own, slot.key(), sealed))
                .ifPresent(card -> found.put(slot.number(), card)));
        for (PublicCard card : found.values()) {
          if (!card.equals(me.card()) && !friends.contains(card) && !record.isIgnored(card)
              && requests.stream().noneMatch(e -> e.card().equals(card))) {
            requests.add(new InboxRecord.Entry(card, seen));
          }
        }
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
  private List<MessageRequest> withMessages(Collection<PublicCard> known, boolean unshownOnly)
      throws KvException, LocalStateException {
    Set<PublicCard> friends = Set.copyOf(known);
    InboxRecord record = record();
    Instant now = clock.instant();
    List<MessageRequest> out = new ArrayList<>();
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
        out.add(new MessageRequest(e.card(), e.seen(), theirs));
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
    return text.isEmpty() ? InboxRecord.EMPTY : inbox.of(text.get());
  }

  private YearMonth month() {
    return YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
  }
}
