package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStores;
import org.reschat.kv.etcd.EtcdStore;
import org.reschat.kv.testing.EtcdClusterExtension;

/**
 * Slot records (protocol §4.8) on a real three-member etcd cluster, requests counted by the store itself (never
 * timed): a record is one conditional put, loading an open page (its key and twenty record keys) one transaction,
 * polling the next record one range; a restored backup's write at a taken index is refused atomically and adopts.
 * Skipped when etcd is not installed.
 */
@org.junit.jupiter.api.Tag("slow") // real etcd processes: left out by mvn -Pfast
class EtcdRecordTest {
  private static final byte[] PAGE_ONE = new byte[32];
  @RegisterExtension
  static final EtcdClusterExtension etcdCluster = new EtcdClusterExtension(3);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation laptop = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true));
  private final Conversation ba = Conversation.pair(bob, alice.card()).withTails(new TailRule(true, true));
  private final FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
  private EtcdStore store;

  @BeforeEach
  void open() throws Exception {
    store = (EtcdStore) KvStores.open(etcdCluster.cluster().storeSpec());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private RecordPublisher.Outcome send(Conversation device, RecordChain chain, String text) throws Exception {
    RecordWriter writer = new RecordWriter(device);
    SlotRecord r = writer.append(1, null, chain.records(), List.of(), new SlotSeal.Draft("TEXT", 1_000, new byte[0],
        text.getBytes(StandardCharsets.UTF_8))).orElseThrow();
    return new RecordPublisher(device, store).publish(chain, r, writer.seal(r));
  }

  @Test
  void aRecordIsOneRequestAPageLoadOneTransactionAPollOneRange() throws Exception {
    RecordChain mine = new RecordChain(1, PAGE_ONE);
    for (int i = 0; i < 3; i++) {
      EtcdStore.RequestCounts before = store.requestCounts();
      assertThat(send(laptop, mine, "message " + i)).isInstanceOf(RecordPublisher.Written.class);
      EtcdStore.RequestCounts after = store.requestCounts();
      assertThat(after.total() - before.total()).as("requests of record %d", i).isEqualTo(1);
      assertThat(after.conditionalPuts() - before.conditionalPuts()).isEqualTo(1);
    }
    OpenPageLoader bobs = new OpenPageLoader(ba, alicesFeed, store);
    EtcdStore.RequestCounts before = store.requestCounts();
    OpenPageLoader.Loaded loaded = bobs.load(1, PAGE_ONE);
    assertThat(store.requestCounts().total() - before.total()).as("requests to load the page").isEqualTo(1);
    assertThat(loaded.records().records()).hasSize(3);
    assertThat(loaded.findings()).isEmpty();

    before = store.requestCounts();
    assertThat(bobs.poll(loaded.records(), 1)).isEqualTo(OpenPageLoader.Polled.NOTHING);
    assertThat(store.requestCounts().total() - before.total()).as("requests of a quiet poll").isEqualTo(1);
  }

  @Test
  void aRestoredBackupsRecordAtATakenIndexIsRefusedAndAdoptsTheLiveOne() throws Exception {
    RecordChain live = new RecordChain(1, PAGE_ONE);
    send(laptop, live, "a");
    RecordChain restored = new RecordChain(1, PAGE_ONE);
    send(laptop, live, "b");
    Conversation backup = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true));
    assertThat(send(backup, restored, "x")).isInstanceOf(RecordPublisher.Adopted.class);
    assertThat(send(backup, restored, "x")).isInstanceOf(RecordPublisher.Adopted.class);
    assertThat(send(backup, restored, "x")).isInstanceOf(RecordPublisher.Written.class);
    assertThat(store.requestCounts().puts()).isZero();
    OpenPageLoader.Loaded loaded = new OpenPageLoader(ba, alicesFeed, store).load(1, PAGE_ONE);
    assertThat(loaded.records().records()).hasSize(3);
    assertThat(new String(SlotSeal.open(ba, alicesFeed, loaded.records().records().get(2)), StandardCharsets.UTF_8))
        .isEqualTo("x");
  }

  @Test
  void aReaderFollowsRecordsAcrossOperationsAndAPageBoundaryOneRequestAPass() throws Exception {
    org.reschat.core.spi.InMemoryLocalState bobs = new org.reschat.core.spi.InMemoryLocalState();
    RecordChain mine = new RecordChain(1, PAGE_ONE);
    send(laptop, mine, "a");
    EtcdStore.RequestCounts before = store.requestCounts();
    OpenTail.Followed first = new OpenTail(ba, alicesFeed, store, bobs, new OpenedPages()).follow(1, PAGE_ONE);
    assertThat(store.requestCounts().total() - before.total()).as("the first pass: one transaction").isEqualTo(1);
    assertThat(first.records()).hasSize(1);

    before = store.requestCounts();
    assertThat(new OpenTail(ba, alicesFeed, store, bobs, new OpenedPages()).follow(1, PAGE_ONE).fresh()).isZero();
    assertThat(store.requestCounts().total() - before.total()).as("a quiet pass: one range").isEqualTo(1);

    while (mine.next() < 20) {
      send(laptop, mine, "m" + mine.next());
    }
    RecordWriter writer = new RecordWriter(laptop);
    org.reschat.core.internal.page.Page closing = writer.close(mine.records());
    String pageKey = laptop.pageKey(laptop.myFeed(), 1);
    store.put(pageKey, org.reschat.core.internal.page.Envelope.seal(laptop, pageKey, closing));
    OpenTail.Followed closed = new OpenTail(ba, alicesFeed, store, bobs, new OpenedPages()).follow(1, PAGE_ONE);
    assertThat(closed.closed()).map(p -> p.slots().size()).contains(20);
    assertThat(closed.findings()).isEmpty();

    RecordChain page2 = new RecordChain(2, closing.hash());
    SlotRecord r = writer.append(2, closing.hash(), List.of(), List.of(), new SlotSeal.Draft("TEXT", 1_000,
        new byte[0], "page two".getBytes(StandardCharsets.UTF_8))).orElseThrow();
    assertThat(new RecordPublisher(laptop, store).publish(page2, r, writer.seal(r)))
        .isInstanceOf(RecordPublisher.Written.class);
    before = store.requestCounts();
    OpenTail.Followed next = new OpenTail(ba, alicesFeed, store, bobs, new OpenedPages()).follow(2, closing.hash());
    assertThat(store.requestCounts().total() - before.total()).as("the next page's first pass").isEqualTo(1);
    assertThat(new String(SlotSeal.open(ba, alicesFeed, next.records().get(0)), StandardCharsets.UTF_8))
        .isEqualTo("page two");
  }
}
