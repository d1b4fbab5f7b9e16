package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.testing.RecordingKvStore;
import org.reschat.kv.testing.TestLedger;

/**
 * The read requests of live receives across page boundaries (protocol §4.8, issue 24), direct and in a group, on the
 * memory store and the embedded ledger: each request is a round trip on etcd and ResilientDB. Between boundaries a live
 * receive is one request (LiveReceiveInOneRequestTest); these count the receives at a boundary: the message that fills
 * a page (whole, or closed by its twentieth record), and the first record of the page after it. Counted, not timed.
 *
 * <p>Before: the receive that fills a page was three requests (the first batch, the next page's key alone, then that
 * key again with the page's twenty record keys), the first record of the next page two, and so was a quiet receive past
 * a full page. Now the first batch carries the next page's record keys where nothing of it is held (its key is among
 * the first reads), and the read past a page filled carries them once.
 */
class PageBoundaryReceiveCostTest {
  /** Live receives counted: Alice's page 1 (begun whole) filled, then pages 2, 3 and 4 as records. */
  private static final int RECEIVES = 60;

  @TempDir Path dir;
  private TestLedger ledger;
  private RecordingKvStore store;
  private TestClients clients;

  @AfterEach
  void close() {
    if (clients != null) {
      clients.close();
    }
    if (ledger != null) {
      ledger.close();
    }
  }

  private void open(String kind) throws Exception {
    ledger = TestLedger.open(kind, dir);
    store = new RecordingKvStore(ledger.store());
    clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aDirectChatsLiveReceivesAcrossPageBoundaries(String kind) throws Exception {
    open(kind);
    ChatClient alice = clients.client(TestIdentities.named("alice"));
    ChatClient bob = clients.client(TestIdentities.named("bob"));
    RecordsChatSteps.exchangeNotices(alice, bob);
    Map<Integer, Integer> costs = liveReceives(alice, ChatId.direct(bob.card()), bob, ChatId.direct(alice.card()));
    // Receives 18, 38, 58 fill a page (Alice's page 1, 2, 3; pages 2 and 3 closed by their twentieth record): the
    // first batch, then the next page's key with its record keys (3 before: the page key alone first). 19, 39, 59 take
    // the first record of the page after it: the first batch carries its keys (2 before: they were a batch of their own).
    assertThat(costs).as("read requests of the live receives that cost more than one")
        .isEqualTo(Map.of(18, 2, 38, 2, 58, 2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aDirectChatsQuietReceiveAfterAFullPage(String kind) throws Exception {
    open(kind);
    ChatClient alice = clients.client(TestIdentities.named("alice"));
    ChatClient bob = clients.client(TestIdentities.named("bob"));
    RecordsChatSteps.exchangeNotices(alice, bob);
    liveReceives(alice, ChatId.direct(bob.card()), bob, ChatId.direct(alice.card()), 19); // Alice's page 1 full
    store.takeCalls();
    assertThat(bob.update(ChatId.direct(alice.card())).received()).isEmpty();
    List<RecordingKvStore.Call> reads = readCalls();
    assertThat(reads).as("read requests of a quiet receive past a full page (2 before)").hasSize(1);
    // Bounded by the page's keys: Bob's page 1, Alice's page 2 and its twenty record keys, read before as well.
    assertThat(reads.get(0).keys()).as("keys of the batch").hasSize(22);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aGroupsLiveReceivesAcrossPageBoundaries(String kind) throws Exception {
    open(kind);
    ChatClient alice = clients.client(TestIdentities.named("alice"));
    List<ChatClient> members = new ArrayList<>();
    for (int i = 1; i < 5; i++) {
      members.add(clients.client(TestIdentities.named("member " + i)));
    }
    ChatId.Group group = alice.groups().create("five", members.stream().map(ChatClient::card).toList());
    for (ChatClient m : members) { // each takes the invitation and writes its notice: the group is on records
      m.update(ChatId.direct(alice.card()));
      m.update(group);
    }
    alice.update(group);
    ChatClient bob = members.get(0);
    alice.send(group, "warm");
    assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("warm"); // reads the roster
    Map<Integer, Integer> costs = liveReceives(alice, group, bob, group);
    // Her page 1 holds her notice and the warm-up: receives 17, 37, 57 fill a page (3 before), 18, 38, 58 take the
    // next's first record (2 before).
    assertThat(costs).as("read requests of the live receives that cost more than one")
        .isEqualTo(Map.of(17, 2, 37, 2, 57, 2));
  }

  /**
   * What the first batch reads at the keys of the page after a full one (its page key and twenty record keys, which the
   * follower takes instead of reading them) is verified as the follower's own read: Alice's record 2/0 replayed at 3/0,
   * junk at 3/1 and her page 2 replayed at page 3's key are shown to nobody, and her real record written over the replay
   * is received once.
   */
  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void whatTheFirstBatchReadsAtTheNextPagesKeysIsVerifiedAsTheFollowersOwnRead(String kind) throws Exception {
    open(kind);
    ChatClient alice = clients.client(TestIdentities.named("alice"));
    ChatClient bob = clients.client(TestIdentities.named("bob"));
    RecordsChatSteps.exchangeNotices(alice, bob);
    liveReceives(alice, ChatId.direct(bob.card()), bob, ChatId.direct(alice.card()), 39); // her page 2 closed
    Conversation ab = Conversation.pair(TestIdentities.named("alice"), bob.card());
    store.put(ab.recordKey(ab.myFeed(), 3, 0), store.get(ab.recordKey(ab.myFeed(), 2, 0)).orElseThrow());
    store.put(ab.recordKey(ab.myFeed(), 3, 1), "junk");
    store.put(ab.pageKey(ab.myFeed(), 3), store.get(ab.pageKey(ab.myFeed(), 2)).orElseThrow());
    store.takeCalls();
    assertThat(bob.update(ChatId.direct(alice.card())).received()).as("a replayed record, junk and a replayed page")
        .isEmpty();
    List<RecordingKvStore.Call> reads = readCalls(); // the first batch; the unreadable page key is looked past after
    assertThat(reads.get(0).keys()).as("the first batch carried page 3's keys").contains(ab.pageKey(ab.myFeed(), 3),
        ab.recordKey(ab.myFeed(), 3, 0), ab.recordKey(ab.myFeed(), 3, 1));
    assertThat(reads.subList(1, reads.size()))
        .flatExtracting(c -> c.op() == RecordingKvStore.Op.GET ? List.of(c.key()) : c.keys())
        .as("the follower read none of them again").doesNotContain(ab.recordKey(ab.myFeed(), 3, 0));
    alice.send(ChatId.direct(bob.card()), "the real record 3/0");
    assertThat(bob.update(ChatId.direct(alice.card())).received()).extracting(Message::text)
        .containsExactly("the real record 3/0");
  }

  /**
   * What the read of the page after the one a receive fills carries at that page's record keys is verified as the
   * follower's own read: with Alice's record 2/0 replayed at 3/0 and junk at 3/1, the receive of the record that closes
   * her page 2 shows that message alone, and her real record 3/0 written over the replay is received once.
   */
  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void whatTheReadPastAFilledPageCarriesIsVerifiedAsTheFollowersOwnRead(String kind) throws Exception {
    open(kind);
    ChatClient alice = clients.client(TestIdentities.named("alice"));
    ChatClient bob = clients.client(TestIdentities.named("bob"));
    RecordsChatSteps.exchangeNotices(alice, bob);
    liveReceives(alice, ChatId.direct(bob.card()), bob, ChatId.direct(alice.card()), 38); // 19 records of her page 2
    Conversation ab = Conversation.pair(TestIdentities.named("alice"), bob.card());
    store.put(ab.recordKey(ab.myFeed(), 3, 0), store.get(ab.recordKey(ab.myFeed(), 2, 0)).orElseThrow());
    store.put(ab.recordKey(ab.myFeed(), 3, 1), "junk");
    alice.send(ChatId.direct(bob.card()), "the last of page 2");
    store.takeCalls();
    assertThat(bob.update(ChatId.direct(alice.card())).received()).extracting(Message::text)
        .containsExactly("the last of page 2");
    List<RecordingKvStore.Call> reads = readCalls();
    assertThat(reads).as("the first batch, then page 3's key with its record keys").hasSize(2);
    assertThat(reads.get(1).keys()).contains(ab.pageKey(ab.myFeed(), 3), ab.recordKey(ab.myFeed(), 3, 0),
        ab.recordKey(ab.myFeed(), 3, 1));
    alice.send(ChatId.direct(bob.card()), "the real record 3/0");
    assertThat(bob.update(ChatId.direct(alice.card())).received()).extracting(Message::text)
        .containsExactly("the real record 3/0");
  }

  private Map<Integer, Integer> liveReceives(ChatClient from, ChatId to, ChatClient reader, ChatId chat)
      throws Exception {
    return liveReceives(from, to, reader, chat, RECEIVES);
  }

  /** {@code count} live receives of one message each; the read requests of those that took more than one. */
  private Map<Integer, Integer> liveReceives(ChatClient from, ChatId to, ChatClient reader, ChatId chat, int count)
      throws Exception {
    Map<Integer, Integer> costs = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      from.send(to, "m" + i);
      store.takeCalls();
      assertThat(reader.update(chat).received()).extracting(Message::text).containsExactly("m" + i);
      int requests = reads();
      assertThat(requests).as("read requests of live receive %d", i).isPositive();
      if (requests > 1) {
        costs.put(i, requests);
      }
    }
    return costs;
  }

  /** Read requests (single reads and batches) since the last look. */
  private int reads() {
    return readCalls().size();
  }

  private List<RecordingKvStore.Call> readCalls() {
    return store.takeCalls().stream()
        .filter(c -> c.op() == RecordingKvStore.Op.GET || c.op() == RecordingKvStore.Op.GET_ALL).toList();
  }
}
