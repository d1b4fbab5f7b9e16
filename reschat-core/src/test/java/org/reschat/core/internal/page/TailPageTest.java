package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.FeedWarning;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestIdentities;

/** Pages of version 4 (protocol §4.7): an open tail carries a sender tag, a full page a signature; who accepts which. */
class TailPageTest {
  private static final TailRule OPEN = new TailRule(true, true);
  private static final TailRule CLOSED = new TailRule(false, true);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation ab = Conversation.pair(alice, bob.card()).withTails(OPEN);
  private final Conversation ba = Conversation.pair(bob, alice.card()).withTails(OPEN);
  private final FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));

  private Page grow(PageWriter writer, int slots) throws Exception {
    Page page = null;
    for (int i = 0; i < slots; i++) {
      page = writer.append(page, List.of(), new SlotSeal.Draft("TEXT", 1_000 + i, new byte[0],
          ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
    return page;
  }

  @Test
  void anOpenTailIsTaggedAndTheFullPageSigned() throws Exception {
    PageWriter writer = new PageWriter(ab);
    Page tail = grow(writer, 19);
    assertThat(tail.version()).isEqualTo(4);
    assertThat(tail.isTagged()).isTrue();
    Page full = writer.append(tail, List.of(), new SlotSeal.Draft("TEXT", 2_000, new byte[0], new byte[] {'x'}));
    assertThat(full.isFull()).isTrue();
    assertThat(full.isTagged()).isFalse();
    assertThat(full.version()).isEqualTo(4);
    long before = PageVerifier.verifications();
    PageVerifier.verify(ba.withTails(TailRule.SIGNED), alicesFeed, 1, PageCodec.parse(full.encoded()));
    assertThat(PageVerifier.verifications()).isEqualTo(before + 1); // a signature, whatever the reader's rule
  }

  @Test
  void theFriendTakesAnOpenTailOnTheEnvelopeAloneWithoutVerifyingASignature() throws Exception {
    Page tail = grow(new PageWriter(ab), 3);
    long before = PageVerifier.verifications();
    Page read = PageVerifier.openAndVerify(ba, alicesFeed, 1, ab.pageKey(ab.myFeed(), 1),
        Envelope.seal(ab, ab.pageKey(ab.myFeed(), 1), tail));
    assertThat(read).isEqualTo(tail);
    assertThat(PageVerifier.verifications()).isEqualTo(before);
    assertThat(new String(SlotSeal.open(ba, alicesFeed, read, 2), StandardCharsets.UTF_8)).isEqualTo("m2");
  }

  @Test
  void theWritersOwnIdentityChecksTheTagAndTheFriendCannotMakeOne() throws Exception {
    Page tail = grow(new PageWriter(ab), 2);
    Conversation aliceAgain = Conversation.pair(alice, bob.card()).withTails(OPEN); // another device of Alice's
    PageVerifier.verify(aliceAgain, aliceAgain.myFeed(), 1, PageCodec.parse(tail.encoded()));
    // Bob holds the envelope key and can write anything into Alice's feed, but not her tag.
    byte[] body = PageCodec.encodeTailBody(1, Page.NO_PREVIOUS, List.of(), tail.slots(), true);
    byte[] bobsGuess = SenderTag.of(ba, alicesFeed, body); // under Bob's own self seed: the best he can do
    Page forged = PageCodec.parse(PageCodec.withSignature(body, bobsGuess));
    assertThatThrownBy(() -> PageVerifier.verify(aliceAgain, aliceAgain.myFeed(), 1, forged))
        .isInstanceOf(PageRejectedException.class).extracting(e -> ((PageRejectedException) e).kind())
        .isEqualTo(FeedWarning.Kind.FORGED);
  }

  @Test
  void whereTheEpochIsNotOpenAnUnsignedVersionCountsForNobody() throws Exception {
    Page tail = PageCodec.parse(grow(new PageWriter(ab), 2).encoded());
    for (Conversation reader : List.of(ba.withTails(CLOSED), Conversation.pair(alice, bob.card()).withTails(CLOSED),
        ba.withTails(TailRule.SIGNED))) {
      FeedId feed = reader.feed(reader.indexOf(alice.card()));
      assertThatThrownBy(() -> PageVerifier.verify(reader, feed, 1, tail)).isInstanceOf(PageRejectedException.class)
          .extracting(e -> ((PageRejectedException) e).kind()).isEqualTo(FeedWarning.Kind.FORGED);
    }
  }

  @Test
  void theParserRefusesATaggedFullPageAndAnUnknownKind() throws Exception {
    Page full = grow(new PageWriter(ab), 20);
    byte[] body = PageCodec.encodeTailBody(1, Page.NO_PREVIOUS, List.of(), full.slots(), true);
    assertThatThrownBy(() -> PageCodec.parse(PageCodec.withSignature(body, new byte[PageLimits.TAG_BYTES])))
        .isInstanceOf(PageFormatException.class).hasMessageContaining("full and not signed");
    byte[] unknown = grow(new PageWriter(ab), 2).encoded();
    unknown[unknown.length - PageLimits.TAG_BYTES - 1] = 3;
    assertThatThrownBy(() -> PageCodec.parse(unknown)).isInstanceOf(PageFormatException.class)
        .hasMessageContaining("unknown kind");
  }

  @Test
  void aTailSignedOnLeavingAnEpochKeepsItsSlotsAndCountsEverywhere() throws Exception {
    PageWriter writer = new PageWriter(ab);
    Page tail = grow(writer, 5);
    Page signed = writer.signed(tail);
    assertThat(signed.isTagged()).isFalse();
    assertThat(signed.slots()).isEqualTo(tail.slots());
    assertThat(tail.isPrefixOf(signed)).isTrue();
    PageVerifier.verify(ba.withTails(CLOSED), alicesFeed, 1, PageCodec.parse(signed.encoded()));
    assertThat(writer.signed(signed)).isSameAs(signed);
  }

  @Test
  void aNewKeyOrADeviceNoticeRidesOnlyOnASignedPage() throws Exception {
    PageWriter writer = new PageWriter(ab);
    Page tail = grow(writer, 2);
    Page rotated = writer.append(tail, List.of(), new SlotSeal.Draft("PAIR_ROTATE", 3_000, new byte[0], new byte[] {'{'}));
    assertThat(rotated.isTagged()).isFalse(); // the writer signs it
    // What a revoked device could write: the same slots, tagged. Nobody takes it, open epoch or not.
    byte[] body = PageCodec.encodeTailBody(1, Page.NO_PREVIOUS, List.of(), rotated.slots(), true);
    Page planted = PageCodec.parse(PageCodec.withSignature(body, SenderTag.of(ab, ab.myFeed(), body)));
    for (Conversation reader : List.of(ba, Conversation.pair(alice, bob.card()).withTails(OPEN))) {
      FeedId feed = reader.feed(reader.indexOf(alice.card()));
      assertThatThrownBy(() -> PageVerifier.verify(reader, feed, 1, planted)).isInstanceOf(PageRejectedException.class)
          .hasMessageContaining("unsigned");
    }
  }

  @Test
  void untilEveryoneReadsVersion4PagesStayVersion3AndSigned() throws Exception {
    Page tail = grow(new PageWriter(Conversation.pair(alice, bob.card()).withTails(new TailRule(true, false))), 3);
    assertThat(tail.version()).isEqualTo(3);
    assertThat(tail.isTagged()).isFalse();
  }
}
