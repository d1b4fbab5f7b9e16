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
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;
import org.reschat.kv.testing.RecordingKvStore.Op;

/**
 * Records on real stores (protocol §4.8): each written once with one conditional put, a page loaded with one batch
 * read, a record polled with one read; a restored backup writing the same index adopts the live device's record
 * (no fork); junk and a friend's record at record keys are bounded and reported; a closing page that differs from
 * its records is equivocation. Counted, never timed.
 */
class RecordStoreTest {
  private static final TailRule OPEN = new TailRule(true, true);
  /** What record 0 of page 1 links to. */
  private static final byte[] PAGE_ONE = new byte[32];
  @TempDir Path dir;
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation laptop = Conversation.pair(alice, bob.card()).withTails(OPEN);
  private final Conversation backup = Conversation.pair(alice, bob.card()).withTails(OPEN); // restored from a backup
  private final Conversation ba = Conversation.pair(bob, alice.card()).withTails(OPEN);
  private final FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
  private RecordingKvStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private RecordingKvStore open(String kind) throws Exception {
    KvStore s = kind.equals("sqlite") ? EmbeddedStore.open(dir.resolve("ledger.db")) : new MemoryKvStore();
    store = new RecordingKvStore(s);
    return store;
  }

  private static SlotSeal.Draft text(String s) {
    return new SlotSeal.Draft("TEXT", 1_000, new byte[0], s.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends {@code texts} from {@code device} after what {@code chain} holds, as records of page 1, re-sealing on adoption. */
  private List<RecordPublisher.Outcome> send(Conversation device, RecordChain chain, String... texts) throws Exception {
    RecordWriter writer = new RecordWriter(device);
    RecordPublisher publisher = new RecordPublisher(device, store);
    List<RecordPublisher.Outcome> outcomes = new ArrayList<>();
    for (String t : texts) {
      RecordPublisher.Outcome o;
      do {
        SlotRecord r = writer.append(1, null, chain.records(), List.of(), text(t)).orElseThrow();
        o = publisher.publish(chain, r, writer.seal(r));
        outcomes.add(o);
      } while (o instanceof RecordPublisher.Adopted);
    }
    return outcomes;
  }

  private String bodyOf(SlotRecord r) throws Exception {
    return new String(SlotSeal.open(ba, alicesFeed, r), StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aSendIsOneConditionalPutAPageLoadIsOneBatchAndAPollIsOneRead(String kind) throws Exception {
    open(kind);
    RecordChain mine = new RecordChain(1, PAGE_ONE);
    send(laptop, mine, "a", "b", "c");
    List<RecordingKvStore.Call> calls = store.takeCalls();
    assertThat(calls).extracting(RecordingKvStore.Call::op).containsOnly(Op.PUT_IF_UNCHANGED).hasSize(3);
    assertThat(calls).noneMatch(RecordingKvStore.Call::refused);

    OpenPageLoader bobs = new OpenPageLoader(ba, alicesFeed, store);
    OpenPageLoader.Loaded loaded = bobs.load(1, PAGE_ONE);
    assertThat(store.takeCalls()).extracting(RecordingKvStore.Call::op).containsExactly(Op.GET_ALL);
    assertThat(loaded.findings()).isEmpty();
    assertThat(loaded.closed()).isEmpty();
    assertThat(loaded.records().records()).hasSize(3);
    assertThat(bodyOf(loaded.records().records().get(2))).isEqualTo("c");

    assertThat(bobs.poll(loaded.records(), 1)).isEqualTo(OpenPageLoader.Polled.NOTHING); // a quiet pass: one read
    send(laptop, mine, "d");
    store.takeCalls();
    assertThat(bobs.poll(loaded.records(), 1).record()).map(this::bodyUnchecked).contains("d");
    assertThat(store.takeCalls()).extracting(RecordingKvStore.Call::op).containsExactly(Op.GET);
  }

  private String bodyUnchecked(SlotRecord r) {
    try {
      return bodyOf(r);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aRestoredBackupWritingTheSameIndexAdoptsTheLiveRecordAndNothingForks(String kind) throws Exception {
    open(kind);
    RecordChain live = new RecordChain(1, PAGE_ONE);
    send(laptop, live, "a", "b");
    RecordChain restored = new RecordChain(1, PAGE_ONE);
    restored.add(live.records().get(0)); // the backup was taken after record 0
    send(laptop, live, "c"); // the live device goes on: record 2
    List<RecordPublisher.Outcome> outcomes = send(backup, restored, "from the backup");
    // Refused at record 1 and record 2 (the live device's), adopted both, then written as record 3.
    assertThat(outcomes).hasSize(3);
    assertThat(outcomes.subList(0, 2)).allMatch(o -> o instanceof RecordPublisher.Adopted);
    assertThat(outcomes.get(2)).isInstanceOf(RecordPublisher.Written.class);
    assertThat(store.count(Op.PUT)).isZero(); // nothing was written over anything

    OpenPageLoader.Loaded loaded = new OpenPageLoader(ba, alicesFeed, store).load(1, PAGE_ONE);
    assertThat(loaded.findings()).isEmpty();
    List<String> bodies = new ArrayList<>();
    for (SlotRecord r : loaded.records().records()) {
      bodies.add(bodyOf(r));
    }
    assertThat(bodies).containsExactly("a", "b", "c", "from the backup");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void junkAndAFriendsRecordAtRecordKeysAreBoundedReportedAndWrittenOver(String kind) throws Exception {
    open(kind);
    RecordChain mine = new RecordChain(1, PAGE_ONE);
    send(laptop, mine, "a");
    // Junk at every other record key of page 1, and Bob's own record sealed at Alice's record 1.
    for (int i = 2; i < 20; i++) {
      store.put(laptop.recordKey(laptop.myFeed(), 1, i), "junk" + i);
    }
    SlotRecord bobs = new RecordWriter(ba).append(1, null, List.of(), List.of(), text("I owe Bob")).orElseThrow();
    String atAlices = org.reschat.core.internal.page.RecordWriterAccess.sealAt(ba,
        laptop.recordKey(laptop.myFeed(), 1, 1), bobs);
    store.put(laptop.recordKey(laptop.myFeed(), 1, 1), atAlices);

    Conversation phone = Conversation.pair(alice, bob.card()).withTails(OPEN);
    OpenPageLoader.Loaded loaded = new OpenPageLoader(phone, phone.myFeed(), store).load(1, PAGE_ONE);
    assertThat(loaded.records().records()).hasSize(1);
    assertThat(loaded.findings()).extracting(OpenPageLoader.Finding::kind).containsExactly(Kind.FORGED, Kind.CORRUPT); // his tag is not hers
    assertThat(loaded.findings().get(1).detail()).startsWith("18 unreadable values");

    store.takeCalls();
    send(laptop, mine, "b", "c"); // over the friend's record and the junk, each one write more
    assertThat(store.count(Op.PUT)).isEqualTo(2);
    OpenPageLoader.Loaded again = new OpenPageLoader(ba, alicesFeed, store).load(1, PAGE_ONE);
    assertThat(again.records().records()).hasSize(3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aClosingPageThatDiffersFromItsRecordsIsEquivocationAndAnAgreeingOneIsTheClosedPage(String kind) throws Exception {
    open(kind);
    RecordChain mine = new RecordChain(1, PAGE_ONE);
    send(laptop, mine, "a", "b");
    RecordWriter writer = new RecordWriter(laptop);
    RecordChain other = new RecordChain(1, PAGE_ONE);
    SlotRecord a = writer.append(1, null, List.of(), List.of(), text("a")).orElseThrow();
    other.add(a);
    other.add(writer.append(1, null, List.of(a), List.of(), text("not b")).orElseThrow());
    String pageKey = laptop.pageKey(laptop.myFeed(), 1);
    store.put(pageKey, org.reschat.core.internal.page.Envelope.seal(laptop, pageKey, writer.close(other.records())));
    OpenPageLoader.Loaded loaded = new OpenPageLoader(ba, alicesFeed, store).load(1, PAGE_ONE);
    assertThat(loaded.closed()).isEmpty();
    assertThat(loaded.findings()).extracting(OpenPageLoader.Finding::kind).containsExactly(Kind.EQUIVOCATION);
    assertThat(bodyOf(loaded.records().records().get(1))).isEqualTo("b");

    store.put(pageKey, org.reschat.core.internal.page.Envelope.seal(laptop, pageKey, writer.close(mine.records())));
    OpenPageLoader.Loaded closed = new OpenPageLoader(ba, alicesFeed, store).load(1, PAGE_ONE);
    assertThat(closed.findings()).isEmpty();
    assertThat(closed.closed()).map(p -> p.slots().size()).contains(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aRecordAnotherDeviceWroteThatContradictsWhatThisOneVerifiedIsEquivocationAndNothingIsWritten(String kind)
      throws Exception {
    open(kind);
    RecordChain live = new RecordChain(1, PAGE_ONE);
    send(laptop, live, "a", "b");
    RecordChain forked = new RecordChain(1, PAGE_ONE);
    RecordWriter writer = new RecordWriter(backup);
    forked.add(writer.append(1, null, List.of(), List.of(), text("other a")).orElseThrow()); // never published
    SlotRecord r = writer.append(1, null, forked.records(), List.of(), text("c")).orElseThrow();
    store.takeCalls();
    assertThatThrownBy(() -> new RecordPublisher(backup, store).publish(forked, r, writer.seal(r)))
        .isInstanceOf(PageRejectedException.class)
        .extracting(e -> ((PageRejectedException) e).kind()).isEqualTo(Kind.EQUIVOCATION);
    assertThat(store.takeCalls()).noneMatch(RecordingKvStore.Call::wrote);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aFollowerFindsThePageClosedByCountAndBySizeWithOneRequestAPoll(String kind) throws Exception {
    open(kind);
    RecordWriter writer = new RecordWriter(laptop);
    String pageKey = laptop.pageKey(laptop.myFeed(), 1);
    OpenPageLoader bobs = new OpenPageLoader(ba, alicesFeed, store);
    // By count: after twenty records the follower looks at the page key alone, and finds the closing page there.
    RecordChain mine = new RecordChain(1, PAGE_ONE);
    RecordChain followed = new RecordChain(1, PAGE_ONE);
    for (int i = 0; i < 20; i++) {
      send(laptop, mine, "m" + i);
      assertThat(bobs.poll(followed, 1).record()).isPresent();
    }
    store.takeCalls();
    assertThat(bobs.poll(followed, 1)).isEqualTo(OpenPageLoader.Polled.NOTHING); // not closed yet
    store.put(pageKey, org.reschat.core.internal.page.Envelope.seal(laptop, pageKey, writer.close(mine.records())));
    OpenPageLoader.Polled polled = bobs.poll(followed, 1);
    assertThat(polled.closed()).map(p -> p.slots().size()).contains(20);
    assertThat(store.takeCalls()).extracting(RecordingKvStore.Call::op).containsExactly(Op.GET_ALL, Op.PUT, Op.GET_ALL); // a batch of the page key alone

    // By size: three messages of 16 KiB fill page 2 as far as the largest message is concerned.
    store.close();
    store = null;
    open(kind.equals("sqlite") ? "memory" : "sqlite");
    RecordChain big = new RecordChain(1, PAGE_ONE);
    RecordChain follower = new RecordChain(1, PAGE_ONE);
    bobs = new OpenPageLoader(ba, alicesFeed, store);
    String large = "x".repeat(16 * 1024);
    for (int i = 0; i < 3; i++) {
      send(laptop, big, large);
      assertThat(follower.mayBeClosed()).isFalse();
      assertThat(bobs.poll(follower, 1).record()).isPresent();
    }
    assertThat(follower.mayBeClosed()).isTrue();
    assertThat(writer.append(1, null, big.records(), List.of(), text(large))).isEmpty(); // the writer closes it
    store.put(pageKey, org.reschat.core.internal.page.Envelope.seal(laptop, pageKey, writer.close(big.records())));
    store.takeCalls();
    assertThat(bobs.poll(follower, 1).closed()).map(p -> p.slots().size()).contains(3);
    assertThat(store.takeCalls()).extracting(RecordingKvStore.Call::op).containsExactly(Op.GET_ALL);
  }
}
