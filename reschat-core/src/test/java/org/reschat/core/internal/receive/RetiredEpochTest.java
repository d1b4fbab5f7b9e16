package org.reschat.core.internal.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.internal.feed.LedgerChatClient;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A direct chat's older epoch retired from the read path (protocol §3.1, "Retiring an epoch"): after Alice revokes
 * her tablet, Bob's chat with her holds two epochs; once every feed that counts in the old one (Alice's phone and
 * laptop, Bob's phone; the tablet left out) has written in the new one and Bob has read the old one once more, his
 * receive passes read the new epoch only, while his history still shows both. Counted with the store's reads.
 */
class RetiredEpochTest {
  private final MemoryKvStore store = new MemoryKvStore();
  /** What runs, once, when Bob's client first asks for {@link #armedKey} (between two reads of one call). */
  private volatile String armedKey;
  private volatile Runnable onArmedKey;
  /** Keys at which the ledger serves Bob's client what they held before (withholding what was written since). */
  private final java.util.Map<String, org.reschat.kv.KvRead> withheld = new java.util.concurrent.ConcurrentHashMap<>();
  private final CountingStore bobsStore = new CountingStore(new org.reschat.kv.ForwardingKvStore(store) {
    @Override
    public java.util.Map<String, org.reschat.kv.KvRead> getAll(java.util.Collection<String> keys)
        throws org.reschat.kv.KvException {
      Runnable r = onArmedKey;
      if (r != null && keys.contains(armedKey)) {
        onArmedKey = null;
        r.run();
      }
      java.util.Map<String, org.reschat.kv.KvRead> got = new java.util.LinkedHashMap<>(delegate().getAll(keys));
      got.replaceAll((k, v) -> withheld.getOrDefault(k, v));
      return got;
    }

    @Override
    public java.util.Optional<String> get(String key) throws org.reschat.kv.KvException {
      Runnable r = onArmedKey;
      if (r != null && key.equals(armedKey)) {
        onArmedKey = null;
        r.run();
      }
      return withheld.containsKey(key) ? withheld.get(key).value() : delegate().get(key);
    }
  });
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final TestClients bobsClients = new TestClients(bobsStore, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final ChatId toBob = ChatId.direct(bob.card());
  private final ChatId toAlice = ChatId.direct(alice.card());
  private final InMemoryLocalState bobsState = new InMemoryLocalState();
  private ChatClient phone;
  private ChatClient laptop;
  private ChatClient b;

  @BeforeEach
  void aliceHasALaptopAndATabletAndRevokesTheTablet() throws Exception {
    phone = clients.client(alice, new InMemoryLocalState(), () -> List.of(bob.card()));
    b = bobsClients.client(bob, bobsState, () -> List.of(alice.card()));
    phone.send(toBob, "before");
    b.update(toAlice);
    TestClients.Linked l = clients.link(phone, "laptop");
    laptop = clients.client(l.identity(), l.state(), () -> List.of(bob.card()));
    clients.link(phone, "tablet");
    receiveAll(laptop);
    phone.devices().revoke(2);
  }

  @AfterEach
  void close() {
    bobsClients.close();
    clients.close();
  }

  private static void receiveAll(ChatClient client) throws Exception {
    client.receiver().receive(Receiver.Scope.everything(), e -> { });
  }

  private static ConversationEngine engine(ChatClient c) {
    return ((LedgerChatClient) c).engine();
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text).toList();
  }

  /** Keys Bob's client reads in one receive pass over everything. */
  private int keysOfAPass(ChatClient client) throws Exception {
    bobsStore.reset();
    receiveAll(client);
    return bobsStore.keysRead();
  }

  /** Every device reads until nothing changes: each has written in the new epoch (its PAIR_TAKEN or PAIR_READS). */
  private void everyoneMovesOn() throws Exception {
    for (int i = 0; i < 3; i++) {
      receiveAll(b);
      receiveAll(phone);
      receiveAll(laptop);
    }
  }

  @Test
  void onceEveryFeedMovedOnAReceivePassReadsTheNewEpochOnlyAndHistoryStillShowsBoth() throws Exception {
    receiveAll(b); // Bob takes the new key: two epochs from now on
    assertThat(engine(b).conversationsWith(alice.card())).hasSize(2);
    receiveAll(b);
    int idleWithTwo = keysOfAPass(b);
    bobsStore.reset();
    b.update(toAlice);
    int liveWithTwo = bobsStore.keysRead();

    everyoneMovesOn();
    receiveAll(b);
    int idleAfter = keysOfAPass(b);
    bobsStore.reset();
    b.update(toAlice);
    int liveAfter = bobsStore.keysRead();

    // The same feeds in each epoch (the same device lists): one epoch read costs half of two.
    assertThat(idleAfter).isPositive().isEqualTo(idleWithTwo / 2);
    assertThat(liveAfter).isPositive().isLessThan(liveWithTwo);
    assertThat(engine(b).conversationsWith(alice.card())).hasSize(2); // held still: history reads it
    clock.advance(Duration.ofSeconds(1));
    phone.send(toBob, "after");
    assertThat(texts(b.update(toAlice).received())).containsExactly("after");
    assertThat(texts(b.history(toAlice, HistoryRequest.all()).messages())).containsExactly("before", "after");

    // A restart (a new client on the same profile) keeps the mark: its first pass reads the new epoch only.
    b.close();
    ChatClient again = bobsClients.client(bob, bobsState, () -> List.of(alice.card()));
    assertThat(keysOfAPass(again)).isEqualTo(idleAfter);
    assertThat(texts(again.history(toAlice, HistoryRequest.all()).messages())).containsExactly("before", "after");
  }

  @Test
  void aMessageALateWriterLeftInTheOldEpochBeforeMovingOnIsShownAndOnlyThenIsTheEpochRetired() throws Exception {
    receiveAll(b);
    receiveAll(phone);
    // The laptop has not read the rotation: it writes in the old epoch, then reads and moves on.
    clock.advance(Duration.ofSeconds(1));
    laptop.send(toBob, "late, in the old epoch");
    receiveAll(laptop);
    receiveAll(phone);
    // Bob learns that every feed moved on from the new epoch alone, before reading the old one again.
    Conversation newer = engine(b).conversationsWith(alice.card()).get(1);
    engine(b).receive(newer); // nothing marked delivered: the chat's receive below passes it on
    assertThat(texts(b.update(toAlice).received())).contains("late, in the old epoch");
    receiveAll(b);
    int idle = keysOfAPass(b);
    assertThat(keysOfAPass(b)).isEqualTo(idle);
    assertThat(texts(b.history(toAlice, HistoryRequest.all()).messages()))
        .containsExactly("before", "late, in the old epoch");
    // And retired: a pass costs what a chat of one epoch costs (Alice's laptop alone wrote nothing since).
    clock.advance(Duration.ofSeconds(1));
    ChatClient fresh = bobsClients.client(bob, new InMemoryLocalState(), () -> List.of(alice.card()));
    receiveAll(fresh);
    assertThat(idle).isLessThan(keysOfAPass(fresh));
  }

  /**
   * A hostile ledger serves a real page of the new epoch (Alice's) at the key of Bob's laptop's feed there, which
   * has not moved: it opens nowhere but at its own key, so the laptop's feed has not written in the new epoch and
   * Bob's phone keeps reading the old one, where the laptop still writes. Once the laptop moves on, it is retired.
   */
  @Test
  void aPageTheLedgerCopiesToTheKeyOfAFeedThatHasNotMovedOnDoesNotRetireTheOldEpoch() throws Exception {
    TestClients.Linked linked = bobsClients.link(b, "bob's laptop");
    ChatClient bobsLaptop = bobsClients.client(linked.identity(), linked.state(), () -> List.of(alice.card()));
    everyoneMovesOn(); // all but Bob's laptop
    int withTwo = keysOfAPass(b);
    Conversation newer = engine(b).withDevices(engine(b).conversationsWith(alice.card()).get(1));
    org.reschat.core.spi.FeedId alicesFeed = newer.feed(newer.indexOf(alice.card()));
    org.reschat.core.spi.FeedId laptopsFeed = newer.feeds().stream()
        .filter(f -> newer.writerOf(f).equals(bob.card()) && newer.deviceOf(f) == 1).findFirst().orElseThrow();
    store.put(newer.pageKey(laptopsFeed, 1), store.get(newer.pageKey(alicesFeed, 1)).orElseThrow());
    for (int i = 0; i < 3; i++) {
      receiveAll(b);
    }
    assertThat(keysOfAPass(b)).isEqualTo(withTwo); // both epochs read still

    // Linked with Bob's read positions, the laptop finds nothing new in a pass; reading the chat, it writes its
    // notice in the new epoch (over the copy).
    bobsLaptop.update(toAlice);
    everyoneMovesOn();
    receiveAll(b);
    assertThat(keysOfAPass(b)).isLessThan(withTwo);
  }

  /**
   * The laptop writes in the old epoch and moves on while Bob's receive is between its read of the old epoch and
   * its read of the new one: that call learns the move from the new epoch, reads the old one once more, shows the
   * late message and retires nothing yet; the next receive finds the old epoch clean and retires it.
   */
  @Test
  void aMessageWrittenInTheOldEpochWhileAReceiveReadsTheNewOneIsShownByTheReadAfterTheMove() throws Exception {
    receiveAll(b);
    receiveAll(phone);
    b.update(toAlice); // Alice's phone moved on; her laptop has not read the rotation
    Conversation newer = engine(b).withDevices(engine(b).conversationsWith(alice.card()).get(1));
    armedKey = newer.pageKey(newer.feeds().stream()
        .filter(f -> newer.writerOf(f).equals(alice.card()) && newer.deviceOf(f) == 1).findFirst().orElseThrow(), 1);
    onArmedKey = () -> {
      try {
        clock.advance(Duration.ofSeconds(1));
        laptop.send(toBob, "late, while Bob read");
        laptop.update(toBob); // takes the new key and writes its notice there
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    assertThat(texts(b.update(toAlice).received())).containsExactly("late, while Bob read");
    assertThat(onArmedKey).isNull(); // it ran, within that receive
    assertThat(engine(b).liveConversationsWith(alice.card())).hasSize(2);
    assertThat(b.update(toAlice).received()).isEmpty();
    assertThat(engine(b).liveConversationsWith(alice.card())).hasSize(1);
    assertThat(texts(b.history(toAlice, HistoryRequest.all()).messages())).containsExactly("before", "late, while Bob read");
  }

  /** Everyone moves on and Bob retires the old epoch (at this clock's time): his receive reads the new one only. */
  private void bobRetiresTheOldEpoch() throws Exception {
    everyoneMovesOn();
    receiveAll(b);
    assertThat(engine(b).liveConversationsWith(alice.card())).hasSize(1);
  }

  /**
   * How many of the old epoch's next keys (as {@code client}'s profile holds them) {@code call} reads: none while
   * it is retired and not due, all of them when it is read (a pass may read device lists too, due every 10 minutes
   * as well: counted apart).
   */
  private long oldEpochKeysRead(ChatClient client, Call call) throws Exception {
    Conversation old = engine(client).withDevices(engine(client).conversationsWith(alice.card()).get(0));
    List<String> keys = engine(client).nextKeys(old, false);
    bobsStore.reset();
    call.run();
    return keys.stream().filter(bobsStore.keys::contains).count();
  }

  private long oldEpochKeysOfAPass(ChatClient client) throws Exception {
    return oldEpochKeysRead(client, () -> receiveAll(client));
  }

  private interface Call {
    void run() throws Exception;
  }

  /** The messages and warnings one receive pass of {@code client} over everything reports. */
  private static List<Event> aPass(ChatClient client) throws Exception {
    List<Event> events = new java.util.ArrayList<>();
    client.receiver().receive(Receiver.Scope.everything(), events::add);
    return events;
  }

  private static List<String> textsOf(List<Event> events) {
    return texts(events.stream().filter(e -> e instanceof Event.MessageReceived)
        .map(e -> ((Event.MessageReceived) e).message()).toList());
  }

  /**
   * Alice's phone restored from her keys alone cannot open its own PAIR_ROTATE (§15.11): it writes in the old epoch,
   * which Bob retired. His receive reads that epoch again once 10 minutes passed since it last did, and shows the
   * message; not before (no key of it read), and after that read not for 10 minutes more.
   */
  @Test
  void aMessageADevice0RestoredFromItsKeysWritesInTheRetiredEpochIsShownOnceTenMinutesPassedAndNotBefore()
      throws Exception {
    bobRetiresTheOldEpoch();
    int idle = keysOfAPass(b);
    clock.advance(Duration.ofSeconds(1));
    ChatClient restored = clients.client(alice, new InMemoryLocalState(), () -> List.of(bob.card()));
    restored.send(toBob, "from a phone restored from its keys");
    assertThat(texts(b.history(toAlice, HistoryRequest.all()).messages()))
        .contains("from a phone restored from its keys"); // written in an epoch Bob holds

    clock.advance(Duration.ofMinutes(10).minusSeconds(2)); // 9:59 since Bob last read the old epoch
    List<Event> early = new java.util.ArrayList<>();
    assertThat(oldEpochKeysRead(b, () -> early.addAll(aPass(b)))).isZero();
    assertThat(early).isEmpty();
    assertThat(bobsStore.keysRead()).isEqualTo(idle);
    assertThat(oldEpochKeysRead(b, () -> assertThat(b.update(toAlice).received()).isEmpty())).isZero();

    clock.advance(Duration.ofSeconds(1)); // 10:00
    List<Event> due = new java.util.ArrayList<>();
    assertThat(oldEpochKeysRead(b, () -> due.addAll(aPass(b)))).isPositive();
    assertThat(textsOf(due)).containsExactly("from a phone restored from its keys");
    assertThat(engine(b).liveConversationsWith(alice.card())).hasSize(1); // still retired
    assertThat(oldEpochKeysOfAPass(b)).isZero();
    assertThat(keysOfAPass(b)).isEqualTo(idle);
    assertThat(b.update(toAlice).received()).isEmpty(); // shown once
    // The time is written once: each write would note a later one, and the clock moves a minute a pass here.
    String noted = bobsState.deviceRecord("retired").orElseThrow();
    for (int minute = 1; minute < 10; minute++) {
      clock.advance(Duration.ofMinutes(1));
      assertThat(oldEpochKeysOfAPass(b)).isZero();
      b.update(toAlice);
    }
    assertThat(bobsState.deviceRecord("retired")).contains(noted);

    // The next message there (9:01 after the read) waits for the next 10 minutes; a receive of the chat (not a pass)
    // reads it then too.
    clock.advance(Duration.ofSeconds(1));
    restored.send(toBob, "again");
    assertThat(b.update(toAlice).received()).isEmpty();
    clock.advance(Duration.ofMinutes(10));
    assertThat(oldEpochKeysRead(b, () -> assertThat(texts(b.update(toAlice).received())).containsExactly("again")))
        .isPositive();
    assertThat(oldEpochKeysOfAPass(b)).isZero();
  }

  /**
   * The time of the last read is on disk: a fresh client on Bob's profile (a one-shot CLI process) does not read the
   * retired epoch before its 10 minutes; a read by either counts for both; a clock moved back reads it once.
   */
  @Test
  void aFreshProcessReadsARetiredEpochOnlyWhenItsTimeCameAndAClockMovedBackReadsItOnce() throws Exception {
    bobRetiresTheOldEpoch();
    clock.advance(Duration.ofMinutes(10));
    assertThat(oldEpochKeysOfAPass(b)).isPositive();
    b.close();

    clock.advance(Duration.ofMinutes(9));
    ChatClient again = bobsClients.client(bob, bobsState, () -> List.of(alice.card()));
    assertThat(oldEpochKeysOfAPass(again)).isZero();
    assertThat(oldEpochKeysRead(again, () -> again.update(toAlice))).isZero();
    again.close();
    clock.advance(Duration.ofMinutes(1));
    ChatClient later = bobsClients.client(bob, bobsState, () -> List.of(alice.card()));
    assertThat(oldEpochKeysOfAPass(later)).isPositive();
    later.close();
    ChatClient third = bobsClients.client(bob, bobsState, () -> List.of(alice.card()));
    assertThat(oldEpochKeysOfAPass(third)).isZero(); // the read of the one before counts
    assertThat(oldEpochKeysRead(third, () -> third.update(toAlice))).isZero();

    clock.advance(Duration.ofHours(-1)); // the clock moved back: the time noted is in the future
    assertThat(oldEpochKeysOfAPass(third)).isPositive();
    assertThat(oldEpochKeysOfAPass(third)).isZero();
    assertThat(engine(third).liveConversationsWith(alice.card())).hasSize(1);
  }

  /**
   * A hostile ledger puts junk and a page copied from the new epoch at the keys Bob reads next in the retired epoch: the read 10
   * minutes on reports them as any receive does (the copy does not open at that place, the junk is no page), shows
   * nothing, and the epoch stays retired: not read again for 10 minutes, then at the same cost.
   */
  @Test
  void junkAndACopiedPageInARetiredEpochAreReportedAtEachReadEveryTenMinutesAtTheSameCost() throws Exception {
    bobRetiresTheOldEpoch();
    Conversation old = engine(b).withDevices(engine(b).conversationsWith(alice.card()).get(0));
    List<String> next = engine(b).nextKeys(old, false); // Alice's phone's and laptop's
    assertThat(next).hasSize(2);
    Conversation newer = engine(b).withDevices(engine(b).conversationsWith(alice.card()).get(1));
    store.put(next.get(0), store.get(newer.pageKey(newer.feed(newer.indexOf(alice.card())), 1)).orElseThrow());
    store.put(next.get(1), "junk".repeat(100));

    clock.advance(Duration.ofMinutes(10));
    org.reschat.core.Update[] read = new org.reschat.core.Update[1];
    assertThat(oldEpochKeysRead(b, () -> read[0] = b.update(toAlice))).isPositive();
    int revisit = bobsStore.keysRead();
    assertThat(read[0].warnings()).extracting(org.reschat.core.FeedWarning::toString).hasSize(2)
        .anyMatch(w -> w.contains("does not open with this conversation's key at this place"))
        .anyMatch(w -> w.contains("Not a valid page"));
    assertThat(read[0].received()).isEmpty();
    assertThat(engine(b).liveConversationsWith(alice.card())).hasSize(1);
    assertThat(oldEpochKeysOfAPass(b)).isZero();
    assertThat(oldEpochKeysRead(b, () -> b.update(toAlice))).isZero();

    // 10 minutes on it is read again at the same cost: what the ledger left there costs one read each time.
    clock.advance(Duration.ofMinutes(10));
    assertThat(oldEpochKeysRead(b, () -> read[0] = b.update(toAlice))).isPositive();
    assertThat(bobsStore.keysRead()).isEqualTo(revisit);
    assertThat(read[0].received()).isEmpty();
    assertThat(oldEpochKeysOfAPass(b)).isZero();
    assertThat(texts(b.history(toAlice, HistoryRequest.all()).messages())).containsExactly("before");
  }

  /**
   * A hostile ledger withholds from Bob what Alice's laptop wrote in the old epoch before moving on, until Bob has
   * retired the epoch, then serves it: Bob's receive shows it at the epoch's next read, 10 minutes after he retired it.
   */
  @Test
  void aLatePageTheLedgerWithheldUntilTheEpochWasRetiredIsShownAtItsNextRead() throws Exception {
    receiveAll(b);
    receiveAll(phone);
    b.update(toAlice);
    Conversation old = engine(b).withDevices(engine(b).conversationsWith(alice.card()).get(0));
    withheld.putAll(store.getAll(engine(b).nextKeys(old, false))); // where the laptop's late page goes
    clock.advance(Duration.ofSeconds(1));
    laptop.send(toBob, "late, withheld");
    bobRetiresTheOldEpoch(); // the late page withheld: a clean read after everyone moved on
    assertThat(texts(b.history(toAlice, HistoryRequest.all()).messages())).containsExactly("before");
    withheld.clear();

    assertThat(oldEpochKeysRead(b, () -> assertThat(b.update(toAlice).received()).isEmpty())).isZero();
    clock.advance(Duration.ofMinutes(10).minusSeconds(1)); // 9:59 since Bob retired it
    assertThat(textsOf(aPass(b))).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(textsOf(aPass(b))).containsExactly("late, withheld");
    assertThat(engine(b).liveConversationsWith(alice.card())).hasSize(1);
  }

  /**
   * A damaged (or hostile) {@code retired} record on disk whose time of last read is the smallest long: the revisit's
   * "10 minutes since" overflowed and the epoch was never read again, so what a device 0 restored from its keys
   * alone wrote there was silently never received. Any time noted reads the epoch within 10 minutes.
   */
  @Test
  void aRetiredRecordWhoseTimeIsTheSmallestLongStillReadsTheEpochWithinTenMinutes() throws Exception {
    bobRetiresTheOldEpoch();
    String id = engine(b).conversationsWith(alice.card()).get(0).id();
    bobsState.saveDeviceRecord("retired", "{\"v\":1,\"epochs\":[\"" + id + "\"],\"read\":{\"" + id + "\":"
        + Long.MIN_VALUE + "}}");
    clock.advance(Duration.ofSeconds(1));
    ChatClient restored = clients.client(alice, new InMemoryLocalState(), () -> List.of(bob.card()));
    restored.send(toBob, "written where Bob's record says he read long ago");

    clock.advance(Duration.ofMinutes(10));
    assertThat(textsOf(aPass(b))).containsExactly("written where Bob's record says he read long ago");
    assertThat(engine(b).liveConversationsWith(alice.card())).hasSize(1); // still retired, its time noted anew
    assertThat(oldEpochKeysOfAPass(b)).isZero();
  }
}
