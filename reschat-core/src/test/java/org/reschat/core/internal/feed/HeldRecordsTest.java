package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.RecordChain;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.spi.LocalState;
import org.reschat.core.testing.TestIdentities;

/**
 * Records kept on the device (protocol §4.8): never filed among the feed's pages (its newest page, its outbox
 * untouched), restored as the chain a reader goes on from, which refuses another version at a kept place.
 */
class HeldRecordsTest {
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation ab = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true));
  private final Conversation ba = Conversation.pair(bob, alice.card()).withTails(new TailRule(true, true));
  private final RecordWriter writer = new RecordWriter(ab);

  private static SlotSeal.Draft text(String s) {
    return new SlotSeal.Draft("TEXT", 1_000, new byte[0], s.getBytes(StandardCharsets.UTF_8));
  }

  private List<SlotRecord> records(long page, int count, String prefix) throws Exception {
    return records(writer, page, null, count, prefix);
  }

  private static List<SlotRecord> records(RecordWriter writer, long page, byte[] previousPage, int count, String prefix)
      throws Exception {
    List<SlotRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(writer.append(page, previousPage, out, List.of(), text(prefix + i)).orElseThrow());
    }
    return out;
  }

  /**
   * Keeps records of pages 1 and 2 on {@code state}, checks they are not filed among the feed's pages, and returns
   * them: run on the in-memory state here, on the profile in local-db (which reopens it and calls {@link #restored}).
   */
  static List<SlotRecord> keptApartFromPages(LocalState state) throws Exception {
    RecordWriter writer = new RecordWriter(ALICE_WITH_BOB);
    List<SlotRecord> page1 = records(writer, 1, null, 3, "a");
    List<SlotRecord> page2 = records(writer, 2, page1.get(2).hash(), 2, "b");
    HeldRecords held = new HeldRecords(ALICE_WITH_BOB, ALICE_WITH_BOB.myFeed(), state, new OpenedPages());
    for (SlotRecord r : page2) { // kept in any order: each at its own number
      held.keep(r);
    }
    for (SlotRecord r : page1) {
      held.keep(r);
    }
    assertThat(state.newestPage(ALICE_WITH_BOB.myFeed())).as("a kept record is not filed among the pages").isZero();
    assertThat(state.outbox(ALICE_WITH_BOB.myFeed())).isEmpty();
    restored(state, page1, page2);
    List<SlotRecord> all = new ArrayList<>(page1);
    all.addAll(page2);
    return all;
  }

  /** The chains {@code state} restores for pages 1 and 2 are exactly {@code page1} and {@code page2}. */
  static void restored(LocalState state, List<SlotRecord> page1, List<SlotRecord> page2) throws Exception {
    HeldRecords held = new HeldRecords(ALICE_WITH_BOB, ALICE_WITH_BOB.myFeed(), state, new OpenedPages());
    assertThat(held.verified(1, new byte[32]).records()).isEqualTo(page1);
    assertThat(held.verified(2, page1.get(2).hash()).records()).isEqualTo(page2);
    assertThat(held.verified(3, null).records()).isEmpty();
  }

  private static final Conversation ALICE_WITH_BOB = Conversation.pair(TestIdentities.named("alice"),
      TestIdentities.named("bob").card()).withTails(new TailRule(true, true));

  static Conversation aliceWithBob() {
    return ALICE_WITH_BOB;
  }

  @Test
  void recordsAreKeptApartFromPagesAndRestoredInOrder() throws Exception {
    keptApartFromPages(new InMemoryLocalState());
  }

  @Test
  void aReaderGoesOnFromTheRecordsItKeptAndRefusesAnotherVersionAtTheirPlace() throws Exception {
    InMemoryLocalState bobs = new InMemoryLocalState();
    HeldRecords held = new HeldRecords(ba, ba.feed(ba.indexOf(alice.card())), bobs, new OpenedPages());
    List<SlotRecord> page1 = records(1, 2, "a");
    for (SlotRecord r : page1) {
      held.keep(r);
    }
    RecordChain chain = held.verified(1, new byte[32]);
    assertThat(chain.next()).isEqualTo(2);
    SlotRecord other = new RecordWriter(ab).append(1, null, List.of(), List.of(), text("another")).orElseThrow();
    assertThatThrownBy(() -> chain.add(other)).isInstanceOf(PageRejectedException.class);
    assertThat(chain.records()).isEqualTo(page1);
  }

  @Test
  void aKeptRecordAtTheWrongPlaceIsDamageNotARecord() throws Exception {
    InMemoryLocalState bobs = new InMemoryLocalState();
    HeldRecords held = new HeldRecords(ba, ba.feed(ba.indexOf(alice.card())), bobs, new OpenedPages());
    SlotRecord first = records(1, 1, "a").get(0);
    // A value kept at record 1's number that is record 0 (a damaged or tampered profile).
    bobs.savePage(HeldRecords.companion(ba.feed(ba.indexOf(alice.card()))), HeldRecords.number(1, 1),
        writer.seal(first));
    held.keep(first);
    assertThatThrownBy(() -> held.verified(1, new byte[32])).isInstanceOf(LocalStateException.class);
  }

  @Test
  void numbersLeaveRoomForEveryRecordOfAPageBelowTheNext() {
    assertThat(HeldRecords.number(1, 19)).isLessThan(HeldRecords.number(2, 0));
    assertThat(HeldRecords.number(Conversation.MAX_PAGE_NUMBER, 19)).isPositive();
    assertThatThrownBy(() -> HeldRecords.number(1, 20)).isInstanceOf(IllegalArgumentException.class);
    assertThat(HeldRecords.companion(ab.myFeed()).writer()).hasSize(ab.myFeed().writer().length() + "-records".length());
  }
}
