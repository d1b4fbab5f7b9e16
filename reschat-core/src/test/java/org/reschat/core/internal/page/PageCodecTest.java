package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.PageFormatException.Reason;
import org.reschat.core.testing.PageFixtures;
import org.reschat.core.testing.TestIdentities;

/**
 * The strict parsers, the page codec and the envelope: a typed error for every malformed input, and
 * random or mutated input never crashes them, never loops and never allocates beyond its own size.
 */
class PageCodecTest {
  private static final Identity ALICE = TestIdentities.named("alice");
  private static final Identity BOB = TestIdentities.named("bob");
  private static final Conversation AB = Conversation.pair(ALICE, BOB.card());
  private static final Conversation BA = Conversation.pair(BOB, ALICE.card());
  private static final FeedId ALICE_IN_BA = BA.feed(BA.indexOf(ALICE.card()));
  private static final Page PAGE = PageFixtures.pages(AB, 2).get(0);
  private static final byte[] VALID = PAGE.encoded();
  private static final String KEY = PageFixtures.key(AB, 1);

  private static Reason reasonOf(byte[] bytes) {
    try {
      PageCodec.parse(bytes);
      throw new AssertionError("accepted: " + Arrays.toString(bytes));
    } catch (PageFormatException e) {
      return e.reason();
    }
  }

  @Test
  void aValidPageParsesToItself() throws Exception {
    assertThat(PageCodec.parse(VALID)).isEqualTo(PAGE);
    assertThat(PageCodec.parse(VALID).encoded()).isEqualTo(VALID);
  }

  @Test
  void eachMalformationHasItsReason() {
    assertThat(reasonOf(new byte[PageLimits.MAX_PAGE_BYTES + 1])).isEqualTo(Reason.TOO_LARGE);
    assertThat(reasonOf(new byte[0])).isEqualTo(Reason.TRUNCATED);
    byte[] v1 = VALID.clone();
    v1[0] = 1;
    assertThat(reasonOf(v1)).isEqualTo(Reason.UNSUPPORTED_VERSION);
    byte[] page0 = VALID.clone();
    page0[1] = page0[2] = page0[3] = page0[4] = 0;
    assertThat(reasonOf(page0)).isEqualTo(Reason.BAD_FIELD);
    assertThat(reasonOf(Arrays.copyOf(VALID, VALID.length - 1))).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(Arrays.copyOf(VALID, VALID.length + 1))).isEqualTo(Reason.TRAILING_DATA);
    int slotCountAt = 1 + 4 + 32 + 1; // no heads
    byte[] none = VALID.clone();
    none[slotCountAt] = 0;
    assertThat(reasonOf(none)).isEqualTo(Reason.NO_SLOTS);
    byte[] many = VALID.clone();
    many[slotCountAt] = 21;
    assertThat(reasonOf(many)).isEqualTo(Reason.TOO_MANY_SLOTS);
    byte[] badType = VALID.clone();
    badType[slotCountAt + 1 + 1 + 8 + 1] = 'a'; // "TEXT" → "aEXT"
    assertThat(reasonOf(badType)).isEqualTo(Reason.BAD_SLOT);
  }

  @Test
  void envelopesRefuseOversizeNonBase64OtherVersionsAndAlteredBytes() {
    String sealed = PageFixtures.seal(AB, PAGE);
    assertThat(envelopeReason("A".repeat(PageLimits.MAX_VALUE_CHARS + 1))).isEqualTo(Reason.TOO_LARGE);
    assertThat(envelopeReason("{\"v\":1}")).isEqualTo(Reason.NOT_AN_ENVELOPE);
    assertThat(envelopeReason("AA")).isEqualTo(Reason.NOT_AN_ENVELOPE);
    byte[] raw = Base64Url.decode(sealed).orElseThrow();
    raw[0] = 3;
    assertThat(envelopeReason(Base64Url.encode(raw))).isEqualTo(Reason.UNSUPPORTED_VERSION);
    raw[0] = 2;
    raw[raw.length - 1] ^= 1;
    assertThat(envelopeReason(Base64Url.encode(raw))).isEqualTo(Reason.DOES_NOT_OPEN);
  }

  private static Reason envelopeReason(String value) {
    try {
      Envelope.open(AB, KEY, value);
      throw new AssertionError("opened: " + value);
    } catch (PageFormatException e) {
      return e.reason();
    }
  }

  /** Any page a writer can build parses back to itself, verifies, and opens to what was written. */
  @Property(tries = 200)
  void everyWrittenPageRoundTrips(@ForAll("drafts") List<SlotSeal.Draft> drafts) throws Exception {
    PageWriter writer = new PageWriter(AB);
    Page page = null;
    for (SlotSeal.Draft d : drafts) {
      page = writer.append(page == null || page.isFull() ? null : page, List.of(), d);
    }
    Page parsed = PageCodec.parse(page.encoded());
    assertThat(parsed).isEqualTo(page);
    PageVerifier.verify(BA, ALICE_IN_BA, page.number(), parsed);
    int first = drafts.size() - parsed.slots().size();
    for (int i = 0; i < parsed.slots().size(); i++) {
      assertThat(SlotSeal.open(BA, ALICE_IN_BA, parsed, i)).isEqualTo(drafts.get(first + i).body());
      assertThat(parsed.slots().get(i).type()).isEqualTo(drafts.get(first + i).type());
    }
  }

  @Provide
  Arbitrary<List<SlotSeal.Draft>> drafts() {
    Arbitrary<String> type = Arbitraries.strings().withChars("ABCXYZ019_").ofMinLength(0).ofMaxLength(15).map(t -> "T" + t);
    Arbitrary<Long> time = Arbitraries.longs().between(0, 1L << 53);
    Arbitrary<byte[]> extension = Arbitraries.bytes().array(byte[].class).ofMaxSize(PageLimits.MAX_EXTENSION_BYTES);
    Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(2000);
    return Combinators.combine(type, time, extension, body).as(SlotSeal.Draft::new).list().ofMinSize(1).ofMaxSize(20);
  }

  @Property
  void randomBytesGiveOnlyTypedErrors(@ForAll("noise") byte[] bytes) {
    parseAndVerifyExpectingOnlyTypedOutcomes(bytes);
  }

  @Property
  void mutatedPagesGiveOnlyTypedErrors(@ForAll("mutations") byte[] bytes) {
    parseAndVerifyExpectingOnlyTypedOutcomes(bytes);
  }

  @Property
  void randomLedgerValuesGiveOnlyTypedErrors(@ForAll("values") String value) {
    try {
      PageVerifier.openAndVerify(BA, ALICE_IN_BA, 1, KEY, value);
    } catch (PageFormatException | PageRejectedException expected) {
      // typed: fine
    }
  }

  private static void parseAndVerifyExpectingOnlyTypedOutcomes(byte[] bytes) {
    try {
      Page page = PageCodec.parse(bytes);
      PageVerifier.verify(BA, ALICE_IN_BA, 1, page);
      // Only the exact signed bytes verify; anything else that got this far is the original.
      assertThat(page.encoded()).isEqualTo(VALID);
    } catch (PageFormatException | PageRejectedException expected) {
      // typed: fine
    }
  }

  @Provide
  Arbitrary<byte[]> noise() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
  }

  @Provide
  Arbitrary<String> values() {
    return FuzzInputs.ledgerValues();
  }

  /** The valid page with one to four bytes changed, inserted or removed at random places. */
  @Provide
  Arbitrary<byte[]> mutations() {
    return FuzzInputs.mutationsOf(VALID);
  }
}
