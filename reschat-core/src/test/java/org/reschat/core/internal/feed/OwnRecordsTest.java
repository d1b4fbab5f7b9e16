package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;
import org.reschat.kv.testing.RecordingKvStore.Op;

/**
 * A writer's queued open page written as records (protocol §4.8): each slot once, with one conditional put; a retry
 * after the confirmations were lost writes nothing (the same page gives the same records); another device's record
 * at a place is adopted and the messages sealed again after it (on the next page when they no longer fit); a record
 * contradicting what this device kept is EQUIVOCATION with nothing written. Counted, never timed.
 */
class OwnRecordsTest {
  private static final byte[] PAGE_ONE = new byte[32];
  @TempDir Path dir;
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation laptop = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true));
  private final Conversation twin = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true));
  private final Conversation ba = Conversation.pair(bob, alice.card()).withTails(new TailRule(true, true));
  private final FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
  private final InMemoryLocalState laptopState = new InMemoryLocalState();
  private RecordingKvStore store;

  @AfterEach
  void close() {
    store.close();
  }

  private void open(String kind) throws Exception {
    KvStore s = kind.equals("sqlite") ? EmbeddedStore.open(dir.resolve("ledger.db")) : new MemoryKvStore();
    store = new RecordingKvStore(s);
  }

  /** {@code device}'s page 1 holding {@code texts}, as its outbox would queue it. */
  private static Page page(Conversation device, String... texts) throws Exception {
    PageWriter writer = new PageWriter(device);
    Page page = null;
    for (String t : texts) {
      page = writer.append(page, List.of(), new SlotSeal.Draft("TEXT", 1_000, new byte[0],
          t.getBytes(StandardCharsets.UTF_8)));
    }
    return page;
  }

  private List<String> bobReads() throws Exception {
    OpenTail.Followed f = new OpenTail(ba, alicesFeed, store, new InMemoryLocalState(), new OpenedPages()).follow(1, PAGE_ONE);
    assertThat(f.findings()).isEmpty();
    List<String> out = new ArrayList<>();
    for (SlotRecord r : f.records()) {
      out.add(new String(SlotSeal.open(ba, alicesFeed, r), StandardCharsets.UTF_8));
    }
    return out;
  }

  private List<Op> calls() {
    return store.takeCalls().stream().map(RecordingKvStore.Call::op).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aQueuedPageIsWrittenAsRecordsEachOnceAndARetryWritesNothing(String kind) throws Exception {
    open(kind);
    Page queued = page(laptop, "a", "b", "c");
    OwnRecords.Outcome o = new OwnRecords(laptop, store, laptopState, new OpenedPages()).publish(queued, PAGE_ONE);
    assertThat(o).isInstanceOf(OwnRecords.Written.class);
    assertThat(calls()).containsExactly(Op.PUT_IF_UNCHANGED, Op.PUT_IF_UNCHANGED, Op.PUT_IF_UNCHANGED);
    assertThat(bobReads()).containsExactly("a", "b", "c");
    assertThat(laptopState.newestPage(laptop.myFeed())).as("records are not filed among the pages").isZero();

    store.takeCalls();
    new OwnRecords(laptop, store, laptopState, new OpenedPages()).publish(queued, PAGE_ONE);
    assertThat(calls()).as("what this device kept is not written again").isEmpty();

    // The confirmations lost (a crash before they were kept): the same page gives the same records, found written.
    new OwnRecords(laptop, store, new InMemoryLocalState(), new OpenedPages()).publish(queued, PAGE_ONE);
    assertThat(store.takeCalls()).extracting(RecordingKvStore.Call::wrote).containsOnly(false);
    assertThat(bobReads()).containsExactly("a", "b", "c");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void anotherDevicesRecordIsAdoptedAndTheMessagesAreSealedAgainAfterIt(String kind) throws Exception {
    open(kind);
    new OwnRecords(twin, store, new InMemoryLocalState(), new OpenedPages()).publish(page(twin, "x"), PAGE_ONE);
    OwnRecords.Outcome o = new OwnRecords(laptop, store, laptopState, new OpenedPages()).publish(page(laptop, "a", "b"), PAGE_ONE);
    assertThat(o).isInstanceOf(OwnRecords.Rebased.class);
    List<Page> rebased = ((OwnRecords.Rebased) o).pages();
    assertThat(rebased).singleElement().extracting(p -> p.slots().size()).isEqualTo(3);
    assertThat(new OwnRecords(laptop, store, laptopState, new OpenedPages()).publish(rebased.get(0), PAGE_ONE))
        .isInstanceOf(OwnRecords.Written.class);
    assertThat(bobReads()).containsExactly("x", "a", "b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void messagesThatNoLongerFitAfterAdoptionGoOnTheNextPage(String kind) throws Exception {
    open(kind);
    String[] nineteen = new String[19];
    for (int i = 0; i < 19; i++) {
      nineteen[i] = "x" + i;
    }
    new OwnRecords(twin, store, new InMemoryLocalState(), new OpenedPages()).publish(page(twin, nineteen), PAGE_ONE);
    OwnRecords.Outcome o = new OwnRecords(laptop, store, laptopState, new OpenedPages()).publish(page(laptop, "a", "b"), PAGE_ONE);
    List<Page> rebased = ((OwnRecords.Rebased) o).pages();
    assertThat(rebased).extracting(Page::number).containsExactly(1L, 2L);
    assertThat(rebased.get(0).slots()).hasSize(20);
    assertThat(rebased.get(1).slots()).hasSize(1);
    assertThat(rebased.get(0).isLinkedFrom(rebased.get(1))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aRecordContradictingWhatThisDeviceKeptIsEquivocationAndNothingIsWritten(String kind) throws Exception {
    open(kind);
    Page mine = page(laptop, "a");
    new OwnRecords(laptop, store, laptopState, new OpenedPages()).publish(mine, PAGE_ONE);
    // A fork of the feed: another record 0 and a record 1 after it, at their keys (record 0's over Alice's).
    InMemoryLocalState forkState = new InMemoryLocalState();
    Page fork = page(twin, "x0", "x1");
    OwnRecords forked = new OwnRecords(twin, new MemoryKvStore(), forkState, new OpenedPages());
    forked.publish(fork, PAGE_ONE);
    org.reschat.core.internal.page.RecordWriter w = new org.reschat.core.internal.page.RecordWriter(twin);
    SlotRecord x0 = w.recordOf(fork, 0, PAGE_ONE);
    SlotRecord x1 = w.recordOf(fork, 1, x0.hash());
    store.put(twin.recordKey(twin.myFeed(), 1, 1), w.seal(x1));
    store.takeCalls();
    Page grown = new PageWriter(laptop).append(mine, List.of(), new SlotSeal.Draft("TEXT", 1_000, new byte[0],
        "b".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> new OwnRecords(laptop, store, laptopState, new OpenedPages()).publish(grown, PAGE_ONE))
        .isInstanceOf(PageRejectedException.class)
        .extracting(e -> ((PageRejectedException) e).kind()).isEqualTo(Kind.EQUIVOCATION);
    assertThat(store.takeCalls()).noneMatch(RecordingKvStore.Call::wrote);
  }
}
