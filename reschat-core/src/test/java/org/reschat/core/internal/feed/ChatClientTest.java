package org.reschat.core.internal.feed;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.FakeKvStore;
import org.reschat.kv.testing.RecordingKvStore;

class ChatClientTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final List<ChatClient> clients = new java.util.ArrayList<>();

  /**
   * One clock for every client of a test, a millisecond further on each reading: messages sent one after
   * another never share a timestamp, so the expected order does not depend on how fast the machine is
   * (equal timestamps are ordered by writer tag, by design).
   */
  private final AtomicLong ticks = new AtomicLong(1_800_000_000_000L);
  private final Clock ticking = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return Instant.ofEpochMilli(ticks.incrementAndGet()); }
  };

  private ChatClient client(Identity id, KvStore store) {
    ChatClient c = ChatClient.builder().identity(id).store(store).localState(new InMemoryLocalState()).clock(ticking)
        .build();
    clients.add(c);
    return c;
  }

  @AfterEach
  void closeClients() {
    clients.forEach(ChatClient::close);
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(Message::text).collect(Collectors.toList());
  }

  @Test
  void sentMessagesAreConfirmedAndShownToBothSides() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    SendResult sent = alice.send(ChatId.direct(b.card()), "hi Bob 👋");
    assertThat(sent.confirmed()).isTrue();
    assertThat(sent.pending()).isZero();
    assertThat(sent.problem()).isEmpty();
    assertThat(sent.message().direction()).isEqualTo(Message.Direction.SENT);
    bob.send(ChatId.direct(a.card()), "hi Alice");
    alice.send(ChatId.direct(b.card()), "how are you?");

    History seenByBob = bob.history(ChatId.direct(a.card()), HistoryRequest.newest(2));
    assertThat(texts(seenByBob.messages())).containsExactly("hi Bob 👋", "hi Alice", "how are you?");
    assertThat(seenByBob.messages().get(0).direction()).isEqualTo(Message.Direction.RECEIVED);
    assertThat(seenByBob.messages().get(0).sender()).isEqualTo(a.card());
    assertThat(seenByBob.warnings()).isEmpty();
    assertThat(seenByBob.hasOlder()).isFalse();
    History seenByAlice = alice.history(ChatId.direct(b.card()), HistoryRequest.newest(2));
    assertThat(seenByAlice.messages()).extracting(Message::id).isEqualTo(seenByBob.messages().stream().map(Message::id).collect(Collectors.toList()));
  }

  @Test
  void updateReturnsOnlyWhatIsNewAndNeverTwice() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    assertThat(bob.update(ChatId.direct(a.card())).received()).isEmpty();
    for (int i = 0; i < 23; i++) {
      alice.send(ChatId.direct(b.card()), "m" + i);
    }
    Update first = bob.update(ChatId.direct(a.card()));
    assertThat(texts(first.received())).hasSize(23).startsWith("m0").endsWith("m22");
    assertThat(bob.update(ChatId.direct(a.card())).received()).isEmpty();
    alice.send(ChatId.direct(b.card()), "m23");
    assertThat(texts(bob.update(ChatId.direct(a.card())).received())).containsExactly("m23");
    assertThat(bob.update(ChatId.direct(a.card())).received()).isEmpty();
  }

  @Test
  void historyShowsTheNewestTwoPagesByDefaultAndOlderOnDemand() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    for (int i = 0; i < 65; i++) { // pages 1-3 full, page 4 holds 5
      alice.send(ChatId.direct(b.card()), "m" + i);
    }
    History recent = bob.history(ChatId.direct(a.card()), HistoryRequest.newest(HistoryRequest.DEFAULT_PAGES));
    assertThat(texts(recent.messages())).hasSize(25).startsWith("m40").endsWith("m64");
    assertThat(recent.hasOlder()).isTrue();
    History more = bob.history(ChatId.direct(a.card()), HistoryRequest.newest(3));
    assertThat(texts(more.messages())).hasSize(45).startsWith("m20");
    History all = bob.history(ChatId.direct(a.card()), HistoryRequest.all());
    assertThat(texts(all.messages())).hasSize(65).startsWith("m0").endsWith("m64");
    assertThat(all.hasOlder()).isFalse();
  }

  @Test
  void aMessageTheStoreCannotTakeIsQueuedThenPublishedInOrder() throws Exception {
    FakeKvStore store = new FakeKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    alice.send(ChatId.direct(b.card()), "before the outage");
    store.putMode(FakeKvStore.PutMode.UNAVAILABLE);
    SendResult queued = alice.send(ChatId.direct(b.card()), "during the outage 1");
    assertThat(queued.confirmed()).isFalse();
    assertThat(queued.message().status()).isEqualTo(Message.Status.QUEUED);
    assertThat(queued.problem()).hasValueSatisfying(p -> assertThat(p.sentence()).contains("unavailable"));
    for (int i = 2; i <= 25; i++) {
      SendResult r = alice.send(ChatId.direct(b.card()), "during the outage " + i);
      assertThat(r.confirmed()).isFalse();
      assertThat(r.pending()).isEqualTo(i);
    }
    assertThat(alice.pending(ChatId.direct(b.card()))).isEqualTo(25);
    History local = alice.history(ChatId.direct(b.card()), HistoryRequest.all());
    assertThat(local.messages()).hasSize(26);
    assertThat(local.messages().get(0).status()).isEqualTo(Message.Status.CONFIRMED);
    assertThat(local.messages().subList(1, 26)).allMatch(m -> m.status() == Message.Status.QUEUED);
    assertThat(bob.history(ChatId.direct(a.card()), HistoryRequest.all()).messages()).hasSize(1);

    store.putMode(FakeKvStore.PutMode.NORMAL);
    Update update = alice.update(ChatId.direct(b.card()));
    assertThat(update.published()).isEqualTo(25); // no notice of hers (§4.7): Bob has not written in the chat
    assertThat(update.pending()).isZero();
    List<String> seen = texts(bob.history(ChatId.direct(a.card()), HistoryRequest.all()).messages());
    assertThat(seen).hasSize(26).startsWith("before the outage", "during the outage 1").endsWith("during the outage 25");
  }

  @Test
  void theNextSendPublishesWhatWasQueued() throws Exception {
    FakeKvStore store = new FakeKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    alice.send(ChatId.direct(b.card()), "one");
    store.putMode(FakeKvStore.PutMode.UNCONFIRMED_LOST);
    assertThat(alice.send(ChatId.direct(b.card()), "two").confirmed()).isFalse();
    store.putMode(FakeKvStore.PutMode.NORMAL);
    SendResult three = alice.send(ChatId.direct(b.card()), "three");
    assertThat(three.confirmed()).isTrue();
    assertThat(three.pending()).isZero();
    assertThat(texts(bob.update(ChatId.direct(a.card())).received())).containsExactly("one", "two", "three");
  }

  @Test
  void aWriteThatLandedWithoutConfirmationIsRecognisedLater() throws Exception {
    FakeKvStore store = new FakeKvStore();
    ChatClient alice = client(a, store);
    store.putMode(FakeKvStore.PutMode.UNCONFIRMED_APPLIED);
    assertThat(alice.send(ChatId.direct(b.card()), "slow").confirmed()).isFalse();
    store.putMode(FakeKvStore.PutMode.UNAVAILABLE);
    // The store now holds exactly the queued page: reading it back confirms it without writing.
    Update u = alice.update(ChatId.direct(b.card()));
    assertThat(u.pending()).isZero();
    assertThat(u.published()).isEqualTo(1);
  }

  @Test
  void theFirstMessageWithAStoreThatCannotBeReadWritesNothing() {
    FakeKvStore store = new FakeKvStore().down(true);
    ChatClient alice = client(a, store);
    assertThatThrownBy(() -> alice.send(ChatId.direct(b.card()), "hello")).isInstanceOf(KvUnavailableException.class);
    store.down(false);
    assertThat(store.health().reachable()).isTrue();
  }

  @Test
  void emptyOversizeAndBrokenTextIsRefused() {
    ChatClient alice = client(a, new MemoryKvStore());
    assertThatThrownBy(() -> alice.send(ChatId.direct(b.card()), "")).isInstanceOf(InvalidMessageException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> alice.send(ChatId.direct(b.card()), "  \n")).isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(() -> alice.send(ChatId.direct(b.card()), "x".repeat(PageLimits.MAX_MESSAGE_BYTES + 1)))
        .isInstanceOf(InvalidMessageException.class).hasMessageContaining("16 KiB");
    assertThatThrownBy(() -> alice.send(ChatId.direct(b.card()), "lone \uD800 surrogate")).isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("Unicode");
  }

  @Test
  void aSixteenKibMessageGoesThrough() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    String big = "ü".repeat(PageLimits.MAX_MESSAGE_BYTES / 2);
    assertThat(alice.send(ChatId.direct(b.card()), big).confirmed()).isTrue();
    alice.send(ChatId.direct(b.card()), big);
    assertThat(texts(bob.update(ChatId.direct(a.card())).received())).containsExactly(big, big);
  }

  @Test
  void aClockThatGoesBackwardsNeverReordersAFeed() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    AtomicLong now = new AtomicLong(1_800_000_000_000L);
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return Instant.ofEpochMilli(now.get()); }
    };
    ChatClient alice = ChatClient.builder().identity(a).store(store).clock(clock).inMemoryState().build();
    clients.add(alice);
    alice.send(ChatId.direct(b.card()), "first");
    now.addAndGet(-3_600_000);
    alice.send(ChatId.direct(b.card()), "second, sent after the clock jumped back");
    assertThat(texts(client(b, store).history(ChatId.direct(a.card()), HistoryRequest.all()).messages()))
        .containsExactly("first", "second, sent after the clock jumped back");
  }

  @Test
  void steadyStateSendIsOneConditionalWriteOfTheOwnTailAndNoRead() throws Exception {
    RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
    ChatClient alice = client(a, store);
    alice.send(ChatId.direct(b.card()), "first");
    store.takeCalls();
    for (int i = 0; i < 30; i++) {
      alice.send(ChatId.direct(b.card()), "m" + i);
    }
    List<RecordingKvStore.Call> calls = store.takeCalls();
    // The write is conditional on the page Alice's client last saw there: the store refuses it if another
    // device of hers wrote that page since, which is what keeps a stale profile from overwriting a confirmed
    // message. No read before it: the tail in hand is what the condition names.
    assertThat(calls).hasSize(30).allSatisfy(call -> {
      assertThat(call.op()).isEqualTo(RecordingKvStore.Op.PUT_IF_UNCHANGED);
      assertThat(call.failure()).isNull();
    });
    assertThat(calls.stream().map(RecordingKvStore.Call::key).distinct()).hasSize(2); // pages 1 and 2 (20 a page)
  }

  @Test
  void aReaderWithNoCursorFindsTheNewestPageInLogarithmicReads() throws Exception {
    MemoryKvStore backing = new MemoryKvStore();
    Conversation ab = Conversation.pair(a, b.card());
    List<org.reschat.core.internal.page.Page> pages = org.reschat.core.testing.PageFixtures.pages(ab, 20 * 100 + 3);
    for (org.reschat.core.internal.page.Page p : pages) {
      backing.put(ab.pageKey(ab.myFeed(), p.number()), org.reschat.core.testing.PageFixtures.seal(ab, p));
    }
    assertThat(pages).hasSize(101);
    RecordingKvStore store = new RecordingKvStore(backing);
    ChatClient bob = client(b, store);
    History h = bob.history(ChatId.direct(a.card()), HistoryRequest.newest(2));
    assertThat(texts(h.messages())).hasSize(23).endsWith("m2002");
    List<String> keys = store.takeCalls().stream().map(RecordingKvStore.Call::key).collect(Collectors.toList());
    // Galloping to 128 and bisecting is about 2·log2(101) ≈ 14 reads; then page 100 and a probe of 102 and 1 of bob's own
    // feed; and the one write of Bob's notice that he reads version 4 (§4.7).
    assertThat(keys.size()).isLessThanOrEqualTo(21);
    assertThat(keys).contains(ab.pageKey(ab.myFeed(), 64), ab.pageKey(ab.myFeed(), 128));
  }

  @Test
  void aPublicApiOnlyConversationWorksOverTheEmbeddedStore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    try (KvStore store = org.reschat.kv.KvStores.open("embedded:" + dir.resolve("ledger.db"))) {
      ChatClient alice = client(a, store);
      ChatClient bob = client(b, store);
      alice.send(ChatId.direct(b.card()), "over SQLite");
      assertThat(texts(bob.update(ChatId.direct(a.card())).received())).containsExactly("over SQLite");
    }
  }

  @Test
  void historyFallsBackToTheVerifiedLocalCopyWhenTheStoreIsDown() throws Exception {
    FakeKvStore store = new FakeKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    alice.send(ChatId.direct(b.card()), "one");
    bob.send(ChatId.direct(a.card()), "two");
    assertThat(bob.history(ChatId.direct(a.card()), HistoryRequest.newest(2)).storeProblem()).isEmpty();
    store.down(true);
    History offline = bob.history(ChatId.direct(a.card()), HistoryRequest.newest(2));
    assertThat(offline.storeProblem()).hasValueSatisfying(p -> assertThat(p.sentence()).contains("down"));
    assertThat(texts(offline.messages())).containsExactly("one", "two");
    assertThatThrownBy(() -> bob.update(ChatId.direct(a.card()))).isInstanceOf(KvException.class);
  }

  @Test
  void aMessageOfAnotherTypeArrivesWithItsExtensionAndBody() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    byte[] extension = "{\"name\":\"x.bin\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] body = {0, 1, 2, (byte) 0xff};
    assertThat(alice.send(ChatId.direct(b.card()), "FILE", extension, body).confirmed()).isTrue();
    Message m = bob.update(ChatId.direct(a.card())).received().get(0);
    assertThat(m.type()).isEqualTo("FILE");
    assertThat(m.extension()).isEqualTo(extension);
    assertThat(m.body()).isEqualTo(body);
    assertThat(m.text()).contains("FILE message");
    assertThatThrownBy(() -> alice.send(ChatId.direct(b.card()), "file", new byte[0], body))
        .isInstanceOf(org.reschat.core.InvalidMessageException.class);
  }
}
