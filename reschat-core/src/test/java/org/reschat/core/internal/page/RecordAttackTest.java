package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.page.PageFormatException.Reason;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestIdentities;

/**
 * A hostile friend and a hostile ledger against slot records (protocol §4.8, threat model): what they write at
 * record keys is refused with the warning that names it, and what a reader verified stays.
 */
class RecordAttackTest {
  private static final TailRule OPEN = new TailRule(true, true);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation ab = Conversation.pair(alice, bob.card()).withTails(OPEN);
  private final Conversation ba = Conversation.pair(bob, alice.card()).withTails(OPEN);
  private final Conversation alicesPhone = Conversation.pair(alice, bob.card()).withTails(OPEN); // her other device
  private final FeedId alicesFeedForBob = ba.feed(ba.indexOf(alice.card()));
  private final FeedId bobsFeedForBob = ba.myFeed();

  private static SlotSeal.Draft text(String s) {
    return new SlotSeal.Draft("TEXT", 1_000, new byte[0], s.getBytes(StandardCharsets.UTF_8));
  }

  private List<SlotRecord> write(Conversation c, String... texts) throws Exception {
    RecordWriter writer = new RecordWriter(c);
    List<SlotRecord> open = new ArrayList<>();
    for (String t : texts) {
      open.add(writer.append(1, null, open, List.of(), text(t)).orElseThrow());
    }
    return open;
  }

  private static Kind rejection(ThrowingCall call) {
    try {
      call.run();
      throw new AssertionError("accepted");
    } catch (PageRejectedException e) {
      return e.kind();
    } catch (PageFormatException e) {
      throw new AssertionError(e);
    }
  }

  interface ThrowingCall {
    void run() throws PageRejectedException, PageFormatException;
  }

  @Test
  void aRecordTheLedgerWithholdsIsReportedWhenOneAfterItIsServed() throws Exception {
    List<SlotRecord> records = write(ab, "a", "b", "c", "d");
    RecordChain chain = new RecordChain(1, Page.NO_PREVIOUS);
    chain.add(records.get(0));
    chain.add(records.get(1));
    assertThat(rejection(() -> chain.add(records.get(3)))).isEqualTo(Kind.WITHHELD);
    assertThat(chain.records()).containsExactly(records.get(0), records.get(1));
  }

  @Test
  void aSecondAuthenticatedRecordAtAVerifiedPlaceIsEquivocationAndTheFirstStays() throws Exception {
    List<SlotRecord> first = write(ab, "a", "I will be there");
    List<SlotRecord> rewritten = write(ab, "a", "I will not be there"); // Alice's own client, rewriting history
    RecordChain chain = new RecordChain(1, Page.NO_PREVIOUS);
    chain.add(first.get(0));
    chain.add(first.get(1));
    assertThat(chain.add(first.get(1))).isFalse(); // the same bytes again: nothing new, nothing wrong
    assertThat(rejection(() -> chain.add(rewritten.get(1)))).isEqualTo(Kind.EQUIVOCATION);
    assertThat(chain.records().get(1)).isEqualTo(first.get(1));
    // A record after the rewritten one links to it, not to the verified one: a fork, refused the same way.
    List<SlotRecord> forked = new ArrayList<>(List.of(rewritten.get(0), rewritten.get(1)));
    forked.add(new RecordWriter(ab).append(1, null, forked, List.of(), text("c")).orElseThrow());
    assertThat(rejection(() -> chain.add(forked.get(2)))).isEqualTo(Kind.EQUIVOCATION);
  }

  @Test
  void aRecordMovedToAnotherKeyDoesNotOpenAndResealedThereIsMisplaced() throws Exception {
    List<SlotRecord> records = write(ab, "a", "b");
    RecordWriter writer = new RecordWriter(ab);
    String atOne = writer.seal(records.get(1));
    String keyOfTwo = ab.recordKey(ab.myFeed(), 1, 2);
    assertThatThrownBy(() -> RecordVerifier.openAndVerify(ba, alicesFeedForBob, 1, 2, keyOfTwo, atOne))
        .isInstanceOf(PageFormatException.class).extracting(e -> ((PageFormatException) e).reason())
        .isEqualTo(Reason.DOES_NOT_OPEN);
    // Bob holds the envelope key: he can seal Alice's record 1 again at record 2's key, or at page 2's record 1.
    String resealed = Envelope.seal(ba, keyOfTwo, records.get(1).encoded());
    assertThat(rejection(() -> RecordVerifier.openAndVerify(alicesPhone, alicesPhone.myFeed(), 1, 2, keyOfTwo, resealed)))
        .isEqualTo(Kind.MISPLACED);
    String pageTwoKey = ab.recordKey(ab.myFeed(), 2, 1);
    String onPageTwo = Envelope.seal(ba, pageTwoKey, records.get(1).encoded());
    assertThat(rejection(() -> RecordVerifier.openAndVerify(alicesPhone, alicesPhone.myFeed(), 2, 1, pageTwoKey, onPageTwo)))
        .isEqualTo(Kind.MISPLACED);
    // Or into his own feed, as if he had written it: its authenticator names Alice's feed.
    Conversation signedOnly = Conversation.pair(alice, bob.card());
    SlotRecord signed = new RecordWriter(signedOnly).append(1, null, List.of(), List.of(), text("a")).orElseThrow();
    String bobsKey = ba.recordKey(bobsFeedForBob, 1, 0);
    String intoBobs = Envelope.seal(ba, bobsKey, signed.encoded());
    assertThat(rejection(() -> RecordVerifier.openAndVerify(alicesPhone, alicesPhone.feed(alicesPhone.indexOf(bob.card())),
        1, 0, bobsKey, intoBobs))).isEqualTo(Kind.FORGED);
  }

  @Test
  void aRecordBobWritesIntoAlicesFeedIsForgedForHerDevices() throws Exception {
    String key = ab.recordKey(ab.myFeed(), 1, 0);
    // Tagged under Bob's own self seed (the best he can do: Alice's tag key is hers alone).
    boolean tag = true;
    Slot slot = SlotSeal.seal(ab, 1, 0, text("send Bob the money"));
    byte[] body = RecordCodec.encodeBody(1, 0, Page.NO_PREVIOUS, List.of(), slot, tag);
    byte[] bobsTag = SenderTag.of(ba, alicesFeedForBob, body);
    String tagged = Envelope.seal(ba, key, PageCodec.withSignature(body, bobsTag));
    assertThat(rejection(() -> RecordVerifier.openAndVerify(alicesPhone, alicesPhone.myFeed(), 1, 0, key, tagged)))
        .isEqualTo(Kind.FORGED);
    // Signed with Bob's key, in Alice's feed: no device of anyone takes it.
    byte[] signedBody = RecordCodec.encodeBody(1, 0, Page.NO_PREVIOUS, List.of(), slot, false);
    byte[] bobsSignature = org.reschat.core.internal.identity.Secrets.of(bob).signPage(
        PageVerifier.signed(RecordWriter.SIGNING_CONTEXT, ba, alicesFeedForBob, signedBody));
    String signed = Envelope.seal(ba, key, PageCodec.withSignature(signedBody, bobsSignature));
    assertThat(rejection(() -> RecordVerifier.openAndVerify(alicesPhone, alicesPhone.myFeed(), 1, 0, key, signed)))
        .isEqualTo(Kind.FORGED);
    assertThat(rejection(() -> RecordVerifier.openAndVerify(ba, alicesFeedForBob, 1, 0, key, signed)))
        .isEqualTo(Kind.FORGED);
  }

  @Test
  void aPageSignatureIsNotARecordSignatureNorTheOtherWayRound() throws Exception {
    Conversation signedOnly = Conversation.pair(alice, bob.card());
    FeedId alicesFeed = Conversation.pair(bob, alice.card()).feed(Conversation.pair(bob, alice.card()).indexOf(alice.card()));
    SlotRecord record = new RecordWriter(signedOnly).append(1, null, List.of(), List.of(), text("a")).orElseThrow();
    // The record's signature over the page-signing context does not verify: the contexts differ.
    byte[] asPageMessage = PageVerifier.signed(Conversation.pair(bob, alice.card()), alicesFeed, record.body());
    assertThat(Conversation.pair(bob, alice.card()).verify(alicesFeed, asPageMessage, record.authenticator())).isFalse();
  }

  @Test
  void anUnsignedRecordCountsOnlyWhereTheEpochIsOpenAndNeverForAKeyOrDeviceNotice() throws Exception {
    SlotRecord tagged = write(ab, "a").get(0);
    assertThat(tagged.isTagged()).isTrue();
    Conversation closedReader = Conversation.pair(bob, alice.card()).withTails(new TailRule(false, true));
    assertThat(rejection(() -> RecordVerifier.verify(closedReader, closedReader.feed(closedReader.indexOf(alice.card())),
        1, 0, tagged))).isEqualTo(Kind.FORGED);
    // A PAIR_ROTATE is written signed whatever the rule; carried tagged (a revoked device's try), it is refused.
    SlotRecord rotate = new RecordWriter(ab).append(1, null, List.of(), List.of(),
        new SlotSeal.Draft(org.reschat.core.internal.conversation.PairRotate.TYPE, 1_000, new byte[0], new byte[] {'{', '}'}))
        .orElseThrow();
    assertThat(rotate.isTagged()).isFalse();
    byte[] body = RecordCodec.encodeBody(1, 0, Page.NO_PREVIOUS, List.of(), rotate.slot(), true);
    SlotRecord taggedRotate = RecordCodec.parse(PageCodec.withSignature(body, SenderTag.of(ab, ab.myFeed(), body)));
    assertThat(rejection(() -> RecordVerifier.verify(ba, alicesFeedForBob, 1, 0, taggedRotate))).isEqualTo(Kind.FORGED);
  }

  @Test
  void aClosingPageThatDiffersFromItsRecordsIsEquivocationAndTheRecordsStay() throws Exception {
    List<SlotRecord> records = write(ab, "a", "b", "c");
    RecordChain chain = new RecordChain(1, Page.NO_PREVIOUS);
    for (SlotRecord r : records) {
      chain.add(r);
    }
    RecordWriter writer = new RecordWriter(ab);
    chain.checkClosing(writer.close(records));
    chain.checkClosing(writer.close(grow(records, "d"))); // closed with one more than this reader had read: fine
    List<SlotRecord> other = write(ab, "a", "B", "c"); // Alice signs a page with another second message
    assertThat(rejection(() -> chain.checkClosing(writer.close(other)))).isEqualTo(Kind.EQUIVOCATION);
    assertThat(rejection(() -> chain.checkClosing(writer.close(records.subList(0, 2))))).isEqualTo(Kind.EQUIVOCATION);
    // The same slots in a page carrying a sender tag: not a closing page (only a signature makes a page final).
    Page tagged = new PageWriter(ab).authenticate(1, Page.NO_PREVIOUS, List.of(),
        records.stream().map(SlotRecord::slot).toList(), true);
    assertThat(rejection(() -> chain.checkClosing(tagged))).isEqualTo(Kind.FORGED);
    assertThat(chain.records()).isEqualTo(records);
  }

  private List<SlotRecord> grow(List<SlotRecord> open, String t) throws Exception {
    List<SlotRecord> more = new ArrayList<>(open);
    more.add(new RecordWriter(ab).append(1, null, open, List.of(), text(t)).orElseThrow());
    return more;
  }

  @Test
  void aPageClosesByCountAndBySizeAndTheClosingPageIsSignedEvenWhereRecordsAreTagged() throws Exception {
    List<SlotRecord> twenty = write(ab, "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13",
        "14", "15", "16", "17", "18", "19");
    assertThat(new RecordWriter(ab).append(1, null, twenty, List.of(), text("20"))).isEmpty();
    Page closing = new RecordWriter(ab).close(twenty);
    assertThat(closing.isTagged()).isFalse();
    assertThat(closing.isFull()).isTrue();
    PageVerifier.verify(Conversation.pair(bob, alice.card()), alicesFeedForBob, 1, PageCodec.parse(closing.encoded()));
    // Three messages of 16 KiB fit a page; the fourth starts the next.
    byte[] big = new byte[PageLimits.MAX_MESSAGE_BYTES];
    java.util.Arrays.fill(big, (byte) 'x');
    SlotSeal.Draft large = new SlotSeal.Draft("TEXT", 1_000, new byte[0], big);
    RecordWriter writer = new RecordWriter(ab);
    List<SlotRecord> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      open.add(writer.append(1, null, open, List.of(), large).orElseThrow());
    }
    assertThat(writer.append(1, null, open, List.of(), large)).isEmpty();
    assertThat(writer.close(open).encoded().length).isLessThanOrEqualTo(PageLimits.MAX_PAGE_BYTES);
  }
}
