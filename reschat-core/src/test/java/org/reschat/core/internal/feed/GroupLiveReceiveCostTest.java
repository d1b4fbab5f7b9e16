package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * A live receive in a group where every member reads records (protocol §4.9) looks up what it holds of each feed a
 * bounded number of times, not once per head naming it: every member's notice page carries heads naming the members
 * it had read, so the freshness check ({@link Heads#check}) looked each named feed up again for each page naming it,
 * ~n²/2 lookups a receive in a group of n (issue 24: a live receive at 50 members cost 4x the page path's, where only
 * the sender's page carries heads). Counted, not timed.
 */
class GroupLiveReceiveCostTest {
  private static final int MEMBERS = 24;
  private final RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
  private final TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));

  @AfterEach
  void close() {
    clients.close();
  }

  private record GroupReadingRecords(ChatClient alice, ChatClient bob, ChatId.Group group) {}

  /** Bob's local state, counting the calls to each of its methods by name. */
  private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> bobsStateCalls =
      new java.util.concurrent.ConcurrentHashMap<>();

  private org.reschat.core.spi.LocalState countingState() {
    org.reschat.core.spi.LocalState real = new org.reschat.core.spi.InMemoryLocalState();
    return (org.reschat.core.spi.LocalState) java.lang.reflect.Proxy.newProxyInstance(
        org.reschat.core.spi.LocalState.class.getClassLoader(), new Class<?>[] {org.reschat.core.spi.LocalState.class},
        (proxy, method, args) -> {
          bobsStateCalls.computeIfAbsent(method.getName(), k -> new java.util.concurrent.atomic.AtomicLong())
              .incrementAndGet();
          try {
            return method.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private long bobsStateCalls(String method) {
    java.util.concurrent.atomic.AtomicLong n = bobsStateCalls.get(method);
    return n == null ? 0 : n.get();
  }

  /**
   * Alice's group of {@link #MEMBERS}, as the bench's {@code groupReadingRecords}: each member takes the invitation and
   * writes its notice, so the group is on records, and Bob (a member) has received one message.
   */
  private GroupReadingRecords groupReadingRecords() throws Exception {
    ChatClient alice = clients.client(TestIdentities.named("alice"));
    List<ChatClient> members = new ArrayList<>();
    for (int i = 1; i < MEMBERS; i++) {
      members.add(i == 1 ? clients.client(TestIdentities.named("member " + i), countingState())
          : clients.client(TestIdentities.named("member " + i)));
    }
    ChatClient bob = members.get(0);
    ChatId.Group group = alice.groups().create("many", members.stream().map(ChatClient::card).toList());
    for (ChatClient m : members) {
      m.update(ChatId.direct(alice.card()));
      m.update(group);
    }
    alice.update(group);
    alice.send(group, "warm");
    assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("warm");
    return new GroupReadingRecords(alice, bob, group);
  }

  @Test
  void aLiveReceiveInAGroupOfRecordsLooksUpEachFeedABoundedNumberOfTimes() throws Exception {
    assertThat(TailRule.RECORDS_IN_GROUPS).isTrue();
    GroupReadingRecords g = groupReadingRecords();
    ChatClient alice = g.alice();
    ChatClient bob = g.bob();
    ChatId.Group group = g.group();
    for (int i = 0; i < 3; i++) {
      alice.send(group, "m" + i);
      long before = FeedReader.heldLookups();
      assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("m" + i);
      // Each feed's newest and shown pages a few times (its reader, its delivery, the heads naming it once): linear
      // in n, where every head of every member's page looked its feed up again before.
      assertThat(FeedReader.heldLookups() - before).as("held pages looked up by live receive %d", i)
          .isLessThan(6L * MEMBERS);
    }
  }

  /**
   * A live receive compares with what it holds only the heads of pages it has not found true before: every member's
   * notice page carries heads naming the others, and they were all compared again at each receive (~n²/2: 2450 heads at
   * 50 members, a quarter of a live receive's CPU). What a client holds of a feed only grows (a verified page is never
   * replaced, only grown), so a head that held against it holds still (issue 24).
   */
  @Test
  void aLiveReceiveInAGroupOfRecordsComparesOnlyHeadsItHasNotFoundTrue() throws Exception {
    GroupReadingRecords g = groupReadingRecords();
    ChatClient alice = g.alice();
    ChatClient bob = g.bob();
    ChatId.Group group = g.group();
    for (int i = 0; i < 3; i++) {
      alice.send(group, "m" + i);
      long before = Heads.compared();
      assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("m" + i);
      assertThat(Heads.compared() - before).as("heads compared by live receive %d", i).isLessThan((long) MEMBERS);
    }
  }

  /**
   * A live receive in a group of records opens its one new message where it is, handing nothing to the decryption
   * threads: every member's notice page is held, with nothing after the delivery mark, and counting those pages made
   * every receive submit one task a member to open nothing (issue 24).
   */
  @Test
  void aLiveReceiveInAGroupOfRecordsHandsNoPageWithNothingNewToTheDecryptionThreads() throws Exception {
    GroupReadingRecords g = groupReadingRecords();
    ChatClient alice = g.alice();
    ChatClient bob = g.bob();
    ChatId.Group group = g.group();
    for (int i = 0; i < 3; i++) {
      alice.send(group, "m" + i);
      long before = ConversationEngine.pagesHandedOff();
      assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("m" + i);
      assertThat(ConversationEngine.pagesHandedOff() - before).as("pages opened on other threads by receive %d", i)
          .isZero();
    }
  }

  /**
   * A live receive asks the store for every member's next pages in one request: each member's notice page is re-read at
   * each receive (it may still grow), and each was its own read on a loader thread, 23 hand-offs a receive at 24 members
   * costing more than the reads (issue 24); the sender's next record key goes in the same batch, so a receive of one
   * message, or of none, is one request.
   */
  @Test
  void aLiveReceiveInAGroupOfRecordsReadsTheMembersPagesInOneRequest() throws Exception {
    GroupReadingRecords g = groupReadingRecords();
    ChatClient alice = g.alice();
    ChatClient bob = g.bob();
    ChatId.Group group = g.group();
    for (int i = 0; i < 3; i++) {
      alice.send(group, "m" + i);
      store.takeCalls();
      assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("m" + i);
      List<RecordingKvStore.Call> reads = store.takeCalls().stream()
          .filter(c -> c.op() == RecordingKvStore.Op.GET || c.op() == RecordingKvStore.Op.GET_ALL).toList();
      assertThat(reads).extracting(RecordingKvStore.Call::op).as("read requests of live receive %d", i)
          .containsExactly(RecordingKvStore.Op.GET_ALL);
    }
    store.takeCalls();
    assertThat(bob.update(group).received()).as("a quiet receive").isEmpty();
    assertThat(store.takeCalls()).extracting(RecordingKvStore.Call::op).as("read requests of a quiet receive")
        .filteredOn(op -> op == RecordingKvStore.Op.GET || op == RecordingKvStore.Op.GET_ALL)
        .containsExactly(RecordingKvStore.Op.GET_ALL);
  }

  /**
   * Once Alice's page 1 is full, her page 2 is written as records (protocol §4.8): a live receive of one of them reads
   * the members' pages and her next record keys in one request, and the follower takes what it read there (issue 24:
   * it read each record key again, alone, and then the one after it, three round trips a receive on etcd).
   */
  @Test
  void aLiveReceiveOfARecordInAGroupIsOneRequest() throws Exception {
    GroupReadingRecords g = groupReadingRecords();
    for (int i = 0; i < 22; i++) { // page 1 (begun whole, it stays whole) filled, and page 2 begun as records
      g.alice().send(g.group(), "filling " + i);
      assertThat(g.bob().update(g.group()).received()).hasSize(1);
    }
    for (int i = 0; i < 5; i++) {
      g.alice().send(g.group(), "record " + i);
      store.takeCalls();
      assertThat(g.bob().update(g.group()).received()).extracting(Message::text).containsExactly("record " + i);
      assertThat(store.takeCalls()).extracting(RecordingKvStore.Call::op).as("read requests of live receive %d", i)
          .filteredOn(op -> op == RecordingKvStore.Op.GET || op == RecordingKvStore.Op.GET_ALL)
          .containsExactly(RecordingKvStore.Op.GET_ALL);
    }
  }

  /**
   * A live receive looks each member's kept device list up once: it refreshed the lists that were due (every list
   * looked up) and then looked every one up again to attach the members' devices to the conversation, two local
   * state reads a member each receive (issue 24). Lists still refresh when due: the clock here ticks a millisecond a
   * call, so none is due within these receives, and each receive still attaches every member's list.
   */
  @Test
  void aLiveReceiveInAGroupLooksEachMembersDeviceListUpOnce() throws Exception {
    GroupReadingRecords g = groupReadingRecords();
    for (int i = 0; i < 3; i++) {
      g.alice().send(g.group(), "m" + i);
      long before = bobsStateCalls("deviceRecord");
      assertThat(g.bob().update(g.group()).received()).extracting(Message::text).containsExactly("m" + i);
      // Each member's list once (51 before at 24 members), the group's readers record twice (whether this device
      // showed it reads records, whether every device did) and the record of the pair epochs owed.
      assertThat(bobsStateCalls("deviceRecord") - before).as("device records read by live receive %d", i)
          .isLessThanOrEqualTo(MEMBERS + 3L);
    }
  }

  /**
   * A live receive opens each member's held page from the pages opened before once, not at every look at it: each
   * feed's newest page is asked for about ten times a receive (its first reads, its refresh, its record follower, the
   * pages to show, the heads), and each ask looked it up in the engine's opened pages, a synchronized map (issue 24).
   */
  @Test
  void aLiveReceiveInAGroupLooksEachHeldPageUpInTheOpenedPagesOnce() throws Exception {
    GroupReadingRecords g = groupReadingRecords();
    for (int i = 0; i < 3; i++) {
      g.alice().send(g.group(), "m" + i);
      long before = OpenedPages.lookups();
      assertThat(g.bob().update(g.group()).received()).extracting(Message::text).containsExactly("m" + i);
      // About one a member (25 at 24 members; 235 on main, ten a member)
      assertThat(OpenedPages.lookups() - before).as("opened pages looked up by live receive %d", i)
          .isLessThanOrEqualTo(MEMBERS + 2L);
    }
  }

  /**
   * A live receive looks what it holds of each member's feed up in the operation's local state a few times, not at
   * every question about it: a feed with nothing new was asked for its newest page number and its newest page about
   * fifteen times a receive (the first reads, the batch's answer, its refresh, its record follower, the delivery, the
   * heads), each a synchronized look-up in maps keyed by feed (issue 24). What the reader holds of another member's
   * feed changes in an operation only through the reader itself, so it keeps its own answer.
   */
  @Test
  void aLiveReceiveInAGroupLooksEachMembersHeldPagesUpAFewTimes() throws Exception {
    GroupReadingRecords g = groupReadingRecords();
    for (int i = 0; i < 3; i++) {
      g.alice().send(g.group(), "m" + i);
      long before = OperationState.lookups();
      assertThat(g.bob().update(g.group()).received()).extracting(Message::text).containsExactly("m" + i);
      assertThat(OperationState.lookups() - before).as("local look-ups by live receive %d", i)
          .isLessThanOrEqualTo(3L * MEMBERS + 24); // 72 at 24 members, two a member; 436 on main
    }
  }

  /**
   * A live receive makes one view of each member's kept records, not one at every question about them: its next record
   * keys and its record follower made one each (and the check that a page read closes the records held a third), each
   * naming the feed's companion anew (issue 24).
   */
  @Test
  void aLiveReceiveInAGroupMakesOneViewOfEachMembersKeptRecords() throws Exception {
    GroupReadingRecords g = groupReadingRecords();
    for (int i = 0; i < 3; i++) {
      g.alice().send(g.group(), "m" + i);
      long before = HeldRecords.made();
      assertThat(g.bob().update(g.group()).received()).extracting(Message::text).containsExactly("m" + i);
      assertThat(HeldRecords.made() - before).as("views of kept records made by live receive %d", i)
          .isLessThanOrEqualTo(MEMBERS + 4L); // 27 at 24 members, one a member; 52 on main, two a member
    }
  }
}
