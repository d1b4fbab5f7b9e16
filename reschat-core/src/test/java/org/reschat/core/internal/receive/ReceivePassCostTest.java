package org.reschat.core.internal.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.testing.RecordingKvStore;
import org.reschat.kv.testing.TestLedger;

/**
 * The read requests of one receive pass over {@link #CHATS} direct chats (issue 24), on the memory store and the
 * embedded ledger: the batch of every chat's next keys ({@code NextKeys}), then what the chats that changed read. Each
 * request is a round trip on etcd and ResilientDB. The chats are on records (protocol §4.8) and cross page boundaries
 * within the passes counted. Counted, not timed.
 *
 * <p>Before, each changed chat's receive asked the store for its first reads on its own, one chat after the other: a
 * pass with one new message in each of four chats was 1 + 4 requests, 13 where their pages filled. Now the pass reads
 * what those receives read first in one batch after the next keys, with the next page's keys where a page is one
 * message short of full: 2 however many chats changed, at page boundaries too.
 */
class ReceivePassCostTest {
  private static final int CHATS = 8;
  /**
   * Passes counted in each case: every changed chat's friend fills her page 1 (begun whole) at pass 17, begins her page
   * 2 as records at 18, closes it by its twentieth record at 37 and begins page 3 at 38.
   */
  private static final int PASSES = 42;

  @TempDir Path dir;
  private TestLedger ledger;
  private RecordingKvStore alicesStore;
  private TestClients others;
  private TestClients alices;
  private final List<PublicCard> friends = new CopyOnWriteArrayList<>();
  private final List<ChatClient> crowd = new ArrayList<>();
  private ChatClient alice;
  /** The most keys a batch after a pass's first (the changed chats' first keys) read, over {@link #passes}. */
  private int largestFirstKeys;

  @AfterEach
  void close() {
    if (others != null) {
      others.close();
    }
    if (alices != null) {
      alices.close();
    }
    if (ledger != null) {
      ledger.close();
    }
  }

  /** Alice and {@link #CHATS} friends on one ledger, every chat on records: each has read the other's notice. */
  private void open(String kind) throws Exception {
    ledger = TestLedger.open(kind, dir);
    alicesStore = new RecordingKvStore(ledger.store());
    others = new TestClients(ledger.store(), TestClients.ticking(1_800_000_000_000L));
    alices = new TestClients(alicesStore, TestClients.ticking(1_800_000_000_000L));
    alice = alices.client(TestIdentities.named("alice"), new InMemoryLocalState(), () -> List.copyOf(friends));
    for (int i = 0; i < CHATS; i++) {
      Identity f = TestIdentities.named("friend " + i);
      ChatClient client = others.client(f);
      crowd.add(client);
      friends.add(f.card());
      client.send(ChatId.direct(alice.card()), "hello " + i);
    }
    pass();
    for (ChatClient friend : crowd) {
      alice.send(ChatId.direct(friend.card()), "back");
      friend.update(ChatId.direct(alice.card()));
    }
    pass();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aPassWithOneNewMessageInOneChat(String kind) throws Exception {
    open(kind);
    alicesStore.takeCalls();
    assertThat(pass()).as("messages of a quiet pass").isZero();
    assertThat(reads()).as("read requests of a quiet pass over %d chats", CHATS).isEqualTo(1);
    // The batch, then what the changed chat's receive reads first, with the next page's keys where her page is one
    // message short of full. Before: the page filled at pass 17 cost two more (her page 2's key alone, then with its
    // record keys), and the first record of page 2 at 18 one more; pass 37 and 38 were not counted.
    assertThat(passes(1)).as("read requests of each pass").isEqualTo(java.util.Collections.nCopies(PASSES, 2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aPassWithOneNewMessageInEachOfFourChats(String kind) throws Exception {
    open(kind);
    // The batch, then what the changed chats' receives read first, in one batch. Before, each its own request, one
    // after the other: 1 + 4, and 13 at pass 17 (three each where their pages fill), 9 at 18.
    assertThat(passes(4)).as("read requests of each pass").isEqualTo(java.util.Collections.nCopies(PASSES, 2));
    // Bounded by derived keys: at most 24 a feed of a changed chat (her feed's and Alice's own in each of the four).
    assertThat(largestFirstKeys).as("keys of the largest batch of first keys").isBetween(1, 4 * 2 * 24);
  }

  /**
   * Three groups of three (a friend's, with Alice and another friend), one new message in each at every pass: what
   * their receives read first goes in one batch too. Before: 4 requests a pass (1 + 3), 10 where their pages filled, 7
   * at the pass after.
   */
  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aPassWithOneNewMessageInEachOfThreeGroups(String kind) throws Exception {
    open(kind);
    List<ChatId.Group> groups = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      groups.add(crowd.get(i).groups().create("group " + i, List.of(alice.card(), crowd.get(i + 3).card())));
    }
    pass(); // Alice takes the invitations
    for (int i = 0; i < 3; i++) {
      crowd.get(i + 3).update(ChatId.direct(crowd.get(i).card()));
      crowd.get(i + 3).update(groups.get(i));
      crowd.get(i).update(groups.get(i));
    }
    pass();
    List<Integer> costs = new ArrayList<>();
    for (int p = 0; p < PASSES; p++) {
      for (int i = 0; i < 3; i++) {
        crowd.get(i).send(groups.get(i), "pass " + p);
      }
      alicesStore.takeCalls();
      assertThat(pass()).as("messages of pass %d", p).isEqualTo(3);
      costs.add(reads());
    }
    // Two at every pass but 19 and 39, where each group's receive reads one page key more: its writer wrote the page
    // after the one filled whole, and a receive reads past a page it accepts (FeedReader.forward), one key alone.
    List<Integer> expected = new ArrayList<>(java.util.Collections.nCopies(PASSES, 2));
    expected.set(19, 5);
    expected.set(39, 5);
    assertThat(costs).as("read requests of each pass").isEqualTo(expected);
  }

  /**
   * What the pass's batch reads at the changed chats' first keys is verified as each receive's own read: with the first
   * friend's newest record replayed at her next record key and junk at the second friend's, the pass delivers each new
   * message once, and the real records written over them are delivered in the next pass.
   */
  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void whatThePassReadsAtTheChangedChatsFirstKeysIsVerifiedAsTheirOwnRead(String kind) throws Exception {
    open(kind);
    passes(4, 22); // the friends write their page 2 as records, four of them so far
    List<String> planted = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ChatClient friend = crowd.get(i);
      friend.send(ChatId.direct(alice.card()), "new " + i);
      if (i < 2) {
        Conversation c = Conversation.pair(TestIdentities.named("friend " + i), alice.card());
        int next = recordsHeld(c, 2);
        String key = c.recordKey(c.myFeed(), 2, next);
        ledger.store().put(key, i == 0 ? ledger.store().get(c.recordKey(c.myFeed(), 2, next - 1)).orElseThrow() : "junk");
        planted.add(key);
      }
    }
    alicesStore.takeCalls();
    assertThat(texts()).as("a replayed record and junk at the batched keys").containsExactlyInAnyOrder(
        "new 0", "new 1", "new 2", "new 3");
    List<RecordingKvStore.Call> reads = readCalls();
    assertThat(reads).as("the next keys, then the changed chats' first keys").hasSize(2);
    assertThat(reads.get(1).keys()).containsAll(planted);
    for (int i = 0; i < 2; i++) {
      crowd.get(i).send(ChatId.direct(alice.card()), "real " + i);
    }
    assertThat(texts()).containsExactlyInAnyOrder("real 0", "real 1");
  }

  /**
   * What the pass reads past a page one message short of full is verified as the receive's own read: with the first
   * friend's page 1 replayed at her page 2's key and at its first record key, the pass in which her page 1 fills
   * delivers each new message once, and her real first record of page 2, written over the replay, in the next pass.
   */
  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void whatThePassReadsPastAPageOneShortOfFullIsVerifiedAsTheReceivesOwnRead(String kind) throws Exception {
    open(kind);
    passes(4, 17); // the friends' pages 1 are one message short of full
    Conversation c = Conversation.pair(TestIdentities.named("friend 0"), alice.card());
    String pageOne = ledger.store().get(c.pageKey(c.myFeed(), 1)).orElseThrow();
    List<String> planted = List.of(c.pageKey(c.myFeed(), 2), c.recordKey(c.myFeed(), 2, 0));
    for (String key : planted) {
      ledger.store().put(key, pageOne);
    }
    for (int i = 0; i < 4; i++) {
      crowd.get(i).send(ChatId.direct(alice.card()), "fills " + i);
    }
    alicesStore.takeCalls();
    assertThat(texts()).as("a page replayed at the next page's keys").containsExactlyInAnyOrder(
        "fills 0", "fills 1", "fills 2", "fills 3");
    List<RecordingKvStore.Call> reads = readCalls();
    assertThat(reads.get(1).keys()).as("the changed chats' first keys carried the next page's").containsAll(planted);
    crowd.get(0).send(ChatId.direct(alice.card()), "real 2/0");
    assertThat(texts()).containsExactly("real 2/0");
  }

  /** The texts of the messages one pass delivers. */
  private List<String> texts() throws Exception {
    List<String> texts = new ArrayList<>();
    alice.receiver().receive(Receiver.Scope.everything(), e -> {
      if (e instanceof Event.MessageReceived) {
        texts.add(((Event.MessageReceived) e).message().text());
      }
    });
    return texts;
  }

  /** How many records of page {@code page} of the first feed of {@code c} the ledger holds, in order from 0. */
  private int recordsHeld(Conversation c, long page) throws Exception {
    int n = 0;
    while (n < 20 && ledger.store().get(c.recordKey(c.myFeed(), page, n)).isPresent()) {
      n++;
    }
    return n;
  }

  /**
   * {@link #PASSES} passes, each after one new message from each of the first {@code changed} friends: the read requests
   * of each.
   */
  private List<Integer> passes(int changed) throws Exception {
    return passes(changed, PASSES);
  }

  private List<Integer> passes(int changed, int count) throws Exception {
    List<Integer> costs = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      for (int i = 0; i < changed; i++) {
        crowd.get(i).send(ChatId.direct(alice.card()), "pass " + p);
      }
      alicesStore.takeCalls();
      assertThat(pass()).as("messages of pass %d", p).isEqualTo(changed);
      List<RecordingKvStore.Call> reads = readCalls();
      costs.add(reads.size());
      reads.stream().skip(1).mapToInt(c -> c.keys().size()).max()
          .ifPresent(n -> largestFirstKeys = Math.max(largestFirstKeys, n));
    }
    return costs;
  }

  private int pass() throws Exception {
    return alice.receiver().receive(Receiver.Scope.everything(), e -> { }).messages();
  }

  private int reads() {
    return readCalls().size();
  }

  private List<RecordingKvStore.Call> readCalls() {
    return alicesStore.takeCalls().stream()
        .filter(c -> c.op() == RecordingKvStore.Op.GET || c.op() == RecordingKvStore.Op.GET_ALL).toList();
  }
}
