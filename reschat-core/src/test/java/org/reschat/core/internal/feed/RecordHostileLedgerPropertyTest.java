package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.RecordWriterAccess;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * Whatever a hostile ledger does to a page's record keys (junk, another authenticated record of the writer's,
 * a record re-sealed at another index, a closing page with other messages), in any order: a fresh load is one batch
 * read, never crashes, and shows only a linked chain of the writer's records at their places; and a reader that had
 * verified records before never loses or changes them, however often it polls.
 */
class RecordHostileLedgerPropertyTest {
  private static final TailRule OPEN = new TailRule(true, true);
  private static final Identity ALICE = TestIdentities.named("alice");
  private static final Identity BOB = TestIdentities.named("bob");
  private static final Conversation AB = Conversation.pair(ALICE, BOB.card()).withTails(OPEN);
  private static final Conversation BA = Conversation.pair(BOB, ALICE.card()).withTails(OPEN);
  private static final FeedId ALICES = BA.feed(BA.indexOf(ALICE.card()));
  private static final byte[] PAGE_ONE = new byte[32];

  /** One thing the ledger does: what, at which record index, with which other index. */
  record Tamper(int what, int index, int other) {}

  private static List<SlotRecord> chainOf(int count, String prefix) throws Exception {
    RecordWriter writer = new RecordWriter(AB);
    List<SlotRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(writer.append(1, null, out, List.of(), new SlotSeal.Draft("TEXT", 1_000 + i, new byte[0],
          (prefix + i).getBytes(StandardCharsets.UTF_8))).orElseThrow());
    }
    return out;
  }

  @Property(tries = 60)
  void aHostileLedgerNeitherCrashesALoadNorRewritesWhatWasVerified(@ForAll @IntRange(min = 1, max = 20) int written,
      @ForAll @IntRange(min = 0, max = 20) int seenBefore, @ForAll("tampers") List<Tamper> tampers) throws Exception {
    RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
    try {
      List<SlotRecord> real = chainOf(written, "m");
      List<SlotRecord> rewritten = chainOf(20, "other ");
      RecordWriter writer = new RecordWriter(AB);
      RecordChain mine = new RecordChain(1, PAGE_ONE);
      RecordPublisher publisher = new RecordPublisher(AB, store);
      for (SlotRecord r : real) {
        publisher.publish(mine, r, writer.seal(r));
      }
      OpenPageLoader loader = new OpenPageLoader(BA, ALICES, store);
      RecordChain before = new RecordChain(1, PAGE_ONE);
      for (int i = 0; i < Math.min(seenBefore, written); i++) {
        loader.poll(before, 1);
      }
      List<SlotRecord> verified = before.records();

      for (Tamper t : tampers) {
        String key = AB.recordKey(AB.myFeed(), 1, t.index());
        switch (t.what()) {
          case 0 -> store.put(key, "junk" + t.other());
          case 1 -> store.put(key, writer.seal(rewritten.get(t.index()))); // Alice's own other version
          case 2 -> store.put(key, RecordWriterAccess.sealAt(BA, key, rewritten.get(t.other()))); // moved
          default -> {
            String pageKey = AB.pageKey(AB.myFeed(), 1);
            store.put(pageKey, Envelope.seal(AB, pageKey, writer.close(rewritten.subList(0, 1 + t.other()))));
          }
        }
      }

      store.takeCalls();
      OpenPageLoader.Loaded fresh = loader.load(1, PAGE_ONE);
      assertThat(store.takeCalls()).hasSize(1);
      List<SlotRecord> shown = fresh.records().records();
      for (int i = 0; i < shown.size(); i++) {
        assertThat(shown.get(i).index()).isEqualTo(i);
        assertThat(shown.get(i).previous()).isEqualTo(i == 0 ? PAGE_ONE : shown.get(i - 1).hash());
      }
      for (int round = 0; round < 25; round++) {
        try {
          loader.poll(before, 1);
        } catch (PageRejectedException e) {
          // reported: what was verified stays
        }
        assertThat(before.records().subList(0, verified.size())).isEqualTo(verified);
      }
    } finally {
      store.close();
    }
  }

  @Provide
  Arbitrary<List<Tamper>> tampers() {
    return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 19),
        Arbitraries.integers().between(0, 19)).as(Tamper::new).list().ofMaxSize(8);
  }
}
