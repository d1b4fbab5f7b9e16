package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;
import org.reschat.kv.testing.RecordingKvStore.Op;

/**
 * Protocol §4.8, an epoch closed mid-page: Bob has learnt that tags no longer count in the epoch (a revocation, a
 * newer key) and Alice, writing, has not yet. Her tagged records are evidence of nothing to him (a revoked device
 * could have made them): held back, neither shown, reported nor kept, until a signed record of hers or her signed
 * page closing them commits to them through the chain; then taken, and the tagged ones it contradicts reported
 * FORGED. Each pass is a new {@link OpenTail} on Bob's state. Counted, never timed.
 */
class HeldBackRecordsTest {
  private static final byte[] PAGE_ONE = new byte[32];
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation abOpen = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true, true));
  private final Conversation abClosed = abOpen.withTails(new TailRule(false, true, true));
  /** Bob's view: the epoch is closed for unsigned versions. */
  private final Conversation ba = Conversation.pair(bob, alice.card()).withTails(new TailRule(false, true, true));
  private final FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
  private final InMemoryLocalState bobsState = new InMemoryLocalState();
  private final RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());

  @AfterEach
  void close() {
    store.close();
  }

  /** Alice (or what holds her keys) writes {@code text} as the next record after {@code chain}, under {@code c}'s rule. */
  private SlotRecord write(Conversation c, RecordChain chain, String text) throws Exception {
    RecordWriter writer = new RecordWriter(c);
    SlotRecord r = writer.append(1, null, chain.records(), List.of(),
        new SlotSeal.Draft("TEXT", 1_000, new byte[0], text.getBytes(StandardCharsets.UTF_8))).orElseThrow();
    store.put(c.recordKey(c.myFeed(), 1, r.index()), writer.seal(r));
    chain.add(r);
    return r;
  }

  /** Alice's page closing {@code chain}, signed, at its key. */
  private void closeSigned(RecordChain chain) throws Exception {
    Page closing = new RecordWriter(abClosed).close(chain.records());
    String key = abOpen.pageKey(abOpen.myFeed(), 1);
    store.put(key, Envelope.seal(abOpen, key, closing));
  }

  private OpenTail.Followed follow() throws Exception {
    store.takeCalls();
    return new OpenTail(ba, alicesFeed, store, bobsState, new OpenedPages()).follow(1, PAGE_ONE);
  }

  private List<String> texts(OpenTail.Followed f) throws Exception {
    List<String> out = new ArrayList<>();
    for (SlotRecord r : f.records()) {
      out.add(new String(SlotSeal.open(ba, alicesFeed, r), StandardCharsets.UTF_8));
    }
    return out;
  }

  private int kept() throws Exception {
    return new HeldRecords(ba, alicesFeed, bobsState, new OpenedPages()).count(1);
  }

  private static List<Kind> kinds(OpenTail.Followed f) {
    return f.findings().stream().map(OpenPageLoader.Finding::kind).toList();
  }

  @Test
  void honestTaggedRecordsAreHeldBackUnreportedUntilTheSignedPageClosingThemShowsThem() throws Exception {
    RecordChain alices = new RecordChain(1, PAGE_ONE);
    write(abOpen, alices, "a");
    write(abOpen, alices, "b");

    OpenTail.Followed before = follow();
    assertThat(before.records()).as("held back: not shown").isEmpty();
    assertThat(before.findings()).as("and not reported: Alice may simply not know yet").isEmpty();
    assertThat(kept()).as("and not kept as verified").isZero();

    OpenTail.Followed again = follow();
    assertThat(again.records()).isEmpty();
    assertThat(again.findings()).isEmpty();

    closeSigned(alices); // Alice leaves the epoch: her open page, whole and signed, at its key (closed early)
    OpenTail.Followed after = follow();
    assertThat(after.closed()).map(p -> p.slots().size()).contains(2);
    assertThat(after.closed().orElseThrow().slots()).isEqualTo(alices.records().stream().map(SlotRecord::slot).toList());
    assertThat(after.findings()).isEmpty();
  }

  @Test
  void aSignedLaterRecordCommitsToTheTaggedOnesBeforeIt() throws Exception {
    RecordChain alices = new RecordChain(1, PAGE_ONE);
    write(abOpen, alices, "a");
    write(abOpen, alices, "b");
    assertThat(follow().records()).isEmpty();
    SlotRecord signed = write(abClosed, alices, "c, once Alice learnt of it"); // her rule closed too: she signs
    assertThat(signed.isTagged()).isFalse();

    OpenTail.Followed f = follow();
    assertThat(f.findings()).isEmpty();
    assertThat(texts(f)).containsExactly("a", "b", "c, once Alice learnt of it");
    assertThat(f.fresh()).isEqualTo(3);
    assertThat(kept()).isEqualTo(3);
    assertThat(calls()).containsExactly(Op.GET_ALL);
  }

  private List<Op> calls() {
    return store.takeCalls().stream().map(RecordingKvStore.Call::op).toList();
  }

  @Test
  void taggedRecordsTheSignedRecordOrPageContradictsAreReportedForgedAndTheSignedOnesKept() throws Exception {
    RecordChain alices = new RecordChain(1, PAGE_ONE);
    write(abOpen, alices, "a");
    SlotRecord honestB = write(abOpen, alices, "b");
    // A revoked device of Alice's (pair secret, self seed) puts its own tagged record 1 over hers: it links to a.
    RecordChain revoked = new RecordChain(1, PAGE_ONE);
    revoked.add(alices.records().get(0));
    write(abOpen, revoked, "forged b");
    assertThat(revoked.records().get(1)).isNotEqualTo(honestB);

    OpenTail.Followed quiet = follow();
    assertThat(quiet.records()).isEmpty();
    assertThat(quiet.findings()).as("a tagged record is evidence of nothing yet").isEmpty();

    write(abClosed, alices, "c"); // Alice's signed record 2 links to her own b, not to the forged one
    OpenTail.Followed signed = follow();
    assertThat(signed.records()).isEmpty();
    assertThat(kinds(signed)).containsExactly(Kind.FORGED);
    assertThat(kept()).isZero();

    closeSigned(alices);
    OpenTail.Followed closed = follow();
    assertThat(closed.closed().orElseThrow().slots())
        .as("the signed page is kept, with Alice's own b").isEqualTo(alices.records().stream().map(SlotRecord::slot).toList());
    assertThat(kinds(closed)).contains(Kind.FORGED);
  }

  @Test
  void aTaggedRecordOfARevokedDeviceWithNoSignedCommitmentIsNeverShownNorKept() throws Exception {
    RecordChain revoked = new RecordChain(1, PAGE_ONE);
    for (int i = 0; i < 20; i++) {
      write(abOpen, revoked, "revoked " + i); // all twenty keys a page has: the bound of what is held back
    }
    for (int pass = 0; pass < 3; pass++) {
      OpenTail.Followed f = follow();
      assertThat(f.records()).isEmpty();
      assertThat(f.findings()).isEmpty();
      assertThat(f.closed()).isEmpty();
      assertThat(calls()).as("one batch a pass").containsExactly(Op.GET_ALL);
    }
    assertThat(kept()).isZero();
  }
}
