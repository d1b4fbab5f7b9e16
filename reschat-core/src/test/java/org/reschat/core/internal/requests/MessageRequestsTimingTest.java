package org.reschat.core.internal.requests;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.internal.board.Board;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.MessageRequest;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * What the ledger's writes show of a first contact (issue 19.3): a request was always 151 characters,
 * written 40–300 ms after the sender's first page, and was posted to friends too. Measured by counting
 * writes under a settable clock: nothing here depends on the machine's speed.
 */
class MessageRequestsTimingTest {
  private static final Instant NOV = Instant.parse("2026-11-23T10:00:00Z");
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final MemoryKvStore memory = new MemoryKvStore();
  private final Replacing replacing = new Replacing(memory);
  private final RecordingKvStore store = new RecordingKvStore(replacing);
  private final SettableClock clock = new SettableClock(NOV);
  private final TestClients clients = new TestClients(store, clock);

  /** A store on which someone replaces every value written at the keys a test picks (a hostile writer). */
  static final class Replacing extends ForwardingKvStore {
    volatile Set<String> replaced = Set.of();

    Replacing(MemoryKvStore delegate) {
      super(delegate);
    }

    @Override
    public void put(String key, String value) throws KvException {
      super.put(key, replaced.contains(key) ? "junk" : value);
    }
  }

  @AfterEach
  void close() {
    clients.close();
  }

  private YearMonth month() {
    return YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
  }

  private Set<String> inboxKeys(PublicCard owner, int slots) {
    Set<String> keys = new HashSet<>();
    for (YearMonth m : List.of(month().minusMonths(1), month(), month().plusMonths(1))) {
      for (int i = 1; i <= slots; i++) {
        keys.add(Inbox.board(owner, m).key(i));
      }
    }
    return keys;
  }

  private List<RecordingKvStore.Call> puts() {
    return store.takeCalls().stream().filter(c -> c.wrote()).toList();
  }

  @Test
  void aRequestIsAsLongAsAFirstPageOfOneShortMessage() throws Exception {
    ChatClient bob = clients.client(b);
    store.takeCalls();
    bob.send(ChatId.direct(a.card()), "hi Alice");
    int page = puts().get(0).valueLength();
    clock.advance(MessageRequests.MAX_DELAY.plusMinutes(1));
    bob.update(ChatId.direct(a.card()));
    List<RecordingKvStore.Call> request = puts();

    assertThat(request).hasSize(1);
    assertThat(request.get(0).key()).isEqualTo(Inbox.board(a.card(), month()).key(1));
    assertThat(request.get(0).valueLength()).as("characters of a request (151 before); of the page: %d", page)
        .isEqualTo(page).isEqualTo(407);
  }

  @Test
  void theSendWritesOnlyItsPageAndTheRequestIsWrittenByALaterCallTenToSixtyMinutesOn() throws Exception {
    ChatClient bob = clients.client(b);
    store.takeCalls();
    bob.send(ChatId.direct(a.card()), "hi Alice");
    bob.send(ChatId.direct(a.card()), "it is Bob");
    assertThat(puts()).as("writes of two sends: their page, nothing else").hasSize(2);

    clock.advance(MessageRequests.MIN_DELAY.minusSeconds(1));
    bob.update(ChatId.direct(a.card()));
    bob.requests().pending(Set.of());
    assertThat(puts()).as("writes by later calls within 10 minutes of the first page").isEmpty();

    clock.advance(MessageRequests.MAX_DELAY.minus(MessageRequests.MIN_DELAY).plusSeconds(2));
    bob.requests().pending(Set.of()); // any later call: a 'receive', 'requests', or a send to anyone
    assertThat(puts()).extracting(RecordingKvStore.Call::key).as("the first call at least an hour on")
        .containsExactly(Inbox.board(a.card(), month()).key(1));

    ChatClient alice = clients.client(a);
    assertThat(alice.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(b.card());
  }

  @Test
  void aRequestQueuedByASendIsPostedByTheNextRunOfTheClient() throws Exception {
    InMemoryLocalState bobState = new InMemoryLocalState();
    clients.client(b, bobState).send(ChatId.direct(a.card()), "hi Alice"); // the 'send' process ends here
    clock.advance(Duration.ofDays(2)); // Bob runs nothing for two days
    store.takeCalls();

    clients.client(b, bobState).requests().pending(Set.of()); // then any command: the request is not lost
    assertThat(puts()).hasSize(1);
    assertThat(clients.client(a).requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(b.card());
  }

  @Test
  void noRequestGoesToAFriendWhoWroteFirstEvenIfThisClientHasNotReadThemYet() throws Exception {
    // Alice writes to Bob first; Bob adds her and writes back before any 'receive': his client holds no page
    // of hers, so it used to post a request, naming the pair to anyone holding Alice's card.
    ChatClient alice = clients.client(a);
    alice.send(ChatId.direct(b.card()), "hi Bob, it is Alice");
    ChatClient bob = clients.client(b);
    bob.send(ChatId.direct(a.card()), "hello Alice");
    clock.advance(MessageRequests.MAX_DELAY.plusMinutes(1));
    store.takeCalls();
    bob.requests().pending(Set.of());

    Set<String> aliceInbox = inboxKeys(a.card(), 8);
    assertThat(puts().stream().filter(c -> aliceInbox.contains(c.key()))).as("requests posted to Alice").isEmpty();
  }

  @Test
  void aRequestTheBoardKeepsRefusingIsReportedToTheSenderOnce() throws Exception {
    // Someone replaces every value written at the first slots of Alice's inbox with junk: Bob's client
    // sees its write replaced each time. It tries on three later calls, then says so.
    replacing.replaced = inboxKeys(a.card(), 4096);
    ChatClient bob = clients.client(b);
    bob.send(ChatId.direct(a.card()), "hi Alice");
    for (int call = 1; call <= MessageRequests.MAX_TRIES; call++) {
      assertThat(bob.requests().notPosted()).as("reported before call %d gave up", call).isEmpty();
      clock.advance(MessageRequests.MAX_DELAY.plusMinutes(1));
      bob.update(ChatId.direct(a.card()));
    }
    assertThat(bob.requests().notPosted()).as("reported").containsExactly(a.card());
    assertThat(bob.requests().notPosted()).as("once").isEmpty();

    replacing.replaced = Set.of();
    clock.advance(MessageRequests.MAX_DELAY.plusMinutes(1));
    store.takeCalls();
    bob.update(ChatId.direct(a.card()));
    assertThat(puts()).as("given up: not tried again").isEmpty();
  }

  @Test
  void anOldClientsUnpaddedRequestIsStillRead() throws Exception {
    ChatClient bob = clients.client(b);
    bob.send(ChatId.direct(a.card()), "hi Alice"); // Bob's client is old: it posts his card, unpadded, at once
    String key = Inbox.board(a.card(), month()).key(1);
    memory.put(key, Board.encode(org.reschat.core.internal.crypto.Hpke.standard().seal(a.card().encryptionKey(),
        "reschat/v2 message request".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        key.getBytes(java.nio.charset.StandardCharsets.UTF_8), b.card().bytes())));

    assertThat(memory.get(key).map(String::length)).isEqualTo(Optional.of(151));
    assertThat(clients.client(a).requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(b.card());
  }
}
