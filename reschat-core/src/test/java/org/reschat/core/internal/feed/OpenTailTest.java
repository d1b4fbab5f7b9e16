package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.RecordWriter;
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
 * A reader following an open page in record form from one operation to the next (protocol §4.8), each pass a new
 * {@link OpenTail} on the same device state: one batch for a page it holds nothing of, one read a quiet pass, one
 * more per new record, the closing page found with the page key; what it verified is never taken again in another
 * version, however the ledger serves it later. Counted, never timed.
 */
class OpenTailTest {
  private static final byte[] PAGE_ONE = new byte[32];
  @TempDir Path dir;
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation ab = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true));
  private final Conversation ba = Conversation.pair(bob, alice.card()).withTails(new TailRule(true, true));
  private final FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
  private final InMemoryLocalState bobsState = new InMemoryLocalState();
  private final RecordWriter writer = new RecordWriter(ab);
  private RecordingKvStore store;

  @AfterEach
  void close() {
    store.close();
  }

  private void open(String kind) throws Exception {
    KvStore s = kind.equals("sqlite") ? EmbeddedStore.open(dir.resolve("ledger.db")) : new MemoryKvStore();
    store = new RecordingKvStore(s);
  }

  /** Alice writes {@code texts} as the next records of page {@code n} after what {@code mine} holds. */
  private void send(RecordChain mine, long n, byte[] previousPage, String... texts) throws Exception {
    RecordPublisher publisher = new RecordPublisher(ab, store);
    for (String t : texts) {
      SlotRecord r = writer.append(n, previousPage, mine.records(), List.of(),
          new SlotSeal.Draft("TEXT", 1_000, new byte[0], t.getBytes(StandardCharsets.UTF_8))).orElseThrow();
      assertThat(publisher.publish(mine, r, writer.seal(r))).isInstanceOf(RecordPublisher.Written.class);
    }
  }

  private OpenTail.Followed follow(long n, byte[] previousPage) throws Exception {
    store.takeCalls();
    return new OpenTail(ba, alicesFeed, store, bobsState, new OpenedPages()).follow(n, previousPage); // a new operation each pass
  }

  private List<String> texts(List<SlotRecord> records) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (SlotRecord r : records) {
      out.add(new String(SlotSeal.open(ba, alicesFeed, r), StandardCharsets.UTF_8));
    }
    return out;
  }

  private List<Op> calls() {
    return store.takeCalls().stream().map(RecordingKvStore.Call::op).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aReaderFollowsRecordsAcrossOperationsAndTwoPageBoundaries(String kind) throws Exception {
    open(kind);
    RecordChain mine = new RecordChain(1, PAGE_ONE);
    send(mine, 1, null, "a", "b", "c");

    OpenTail.Followed first = follow(1, PAGE_ONE);
    assertThat(calls()).containsExactly(Op.GET_ALL);
    assertThat(texts(first.records())).containsExactly("a", "b", "c");
    assertThat(first.fresh()).isEqualTo(3);
    assertThat(first.findings()).isEmpty();

    OpenTail.Followed quiet = follow(1, PAGE_ONE);
    assertThat(calls()).as("a quiet pass is one read").containsExactly(Op.GET);
    assertThat(quiet.fresh()).isZero();
    assertThat(quiet.records()).hasSize(3);

    send(mine, 1, null, "d", "e");
    OpenTail.Followed two = follow(1, PAGE_ONE);
    assertThat(calls()).containsExactly(Op.GET, Op.GET, Op.GET);
    assertThat(two.fresh()).isEqualTo(2);
    assertThat(texts(two.records())).containsExactly("a", "b", "c", "d", "e");

    // Page 1 fills and closes; page 2 fills and closes; page 3 opens: the reader goes on from each closing page.
    byte[] previous = PAGE_ONE;
    for (long n = 1; n <= 2; n++) {
      if (n == 2) {
        mine = new RecordChain(2, previous);
      }
      while (mine.next() < 20) {
        send(mine, n, previous, "m" + n + "." + mine.next());
      }
      String pageKey = ab.pageKey(ab.myFeed(), n);
      Page closing = writer.close(mine.records());
      store.put(pageKey, Envelope.seal(ab, pageKey, closing));
      OpenTail.Followed followed = follow(n, previous);
      assertThat(followed.closed()).as("page %s closed", n).map(p -> p.slots().size()).contains(20);
      assertThat(followed.findings()).isEmpty();
      assertThat(followed.records()).hasSize(20);
      previous = closing.hash();
    }
    RecordChain page3 = new RecordChain(3, previous);
    send(page3, 3, previous, "third page");
    OpenTail.Followed third = follow(3, previous);
    assertThat(calls()).containsExactly(Op.GET_ALL);
    assertThat(texts(third.records())).containsExactly("third page");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void whatTheReaderVerifiedStaysWhateverTheLedgerServesLater(String kind) throws Exception {
    open(kind);
    RecordChain mine = new RecordChain(1, PAGE_ONE);
    send(mine, 1, null, "a", "b");
    follow(1, PAGE_ONE);
    // The ledger (or a restored backup of Alice's) now serves another authenticated record 1, and junk at record 2.
    RecordChain forked = new RecordChain(1, PAGE_ONE);
    forked.add(mine.records().get(0));
    SlotRecord other = writer.append(1, null, forked.records(), List.of(),
        new SlotSeal.Draft("TEXT", 1_000, new byte[0], "not b".getBytes(StandardCharsets.UTF_8))).orElseThrow();
    store.put(ab.recordKey(ab.myFeed(), 1, 1), writer.seal(other));
    store.put(ab.recordKey(ab.myFeed(), 1, 2), "junk");
    OpenTail.Followed later = follow(1, PAGE_ONE);
    assertThat(texts(later.records())).containsExactly("a", "b");
    assertThat(later.fresh()).isZero();

    // A record 2 that links to the other record 1 is refused: the reader's chain is the one it verified.
    forked.add(other);
    SlotRecord onTheFork = writer.append(1, null, forked.records(), List.of(),
        new SlotSeal.Draft("TEXT", 1_000, new byte[0], "c".getBytes(StandardCharsets.UTF_8))).orElseThrow();
    store.put(ab.recordKey(ab.myFeed(), 1, 2), writer.seal(onTheFork));
    OpenTail.Followed refused = follow(1, PAGE_ONE);
    assertThat(texts(refused.records())).containsExactly("a", "b");
    assertThat(refused.findings()).extracting(OpenPageLoader.Finding::kind).containsExactly(Kind.EQUIVOCATION);
  }
}
