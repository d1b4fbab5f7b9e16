package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.PageFormatException.Reason;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestIdentities;

/**
 * The strict record parser (protocol §4.8): a typed error for every malformed record, and random or mutated input
 * (bytes, or ledger values at a record key) never crashes it, never loops and never allocates beyond its size.
 */
class RecordCodecTest {
  private static final Identity ALICE = TestIdentities.named("alice");
  private static final Identity BOB = TestIdentities.named("bob");
  private static final Conversation AB = Conversation.pair(ALICE, BOB.card());
  private static final Conversation BA = Conversation.pair(BOB, ALICE.card());
  private static final FeedId ALICE_IN_BA = BA.feed(BA.indexOf(ALICE.card()));
  private static final SlotRecord RECORD = first(AB);
  private static final byte[] VALID = RECORD.encoded();
  private static final String KEY = AB.recordKey(AB.myFeed(), 1, 0);

  private static SlotRecord first(Conversation c) {
    try {
      return new RecordWriter(c).append(1, null, List.of(), List.of(), new SlotSeal.Draft("TEXT", 1_000, new byte[0],
          "hello".getBytes(StandardCharsets.UTF_8))).orElseThrow();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Reason reasonOf(byte[] bytes) {
    try {
      RecordCodec.parse(bytes);
      throw new AssertionError("accepted: " + Arrays.toString(bytes));
    } catch (PageFormatException e) {
      return e.reason();
    }
  }

  @Test
  void aValidRecordParsesToItselfVerifiesAndOpens() throws Exception {
    assertThat(RecordCodec.parse(VALID)).isEqualTo(RECORD);
    SlotRecord read = RecordVerifier.openAndVerify(BA, ALICE_IN_BA, 1, 0, KEY, new RecordWriter(AB).seal(RECORD));
    assertThat(new String(SlotSeal.open(BA, ALICE_IN_BA, read), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(new String(SlotSeal.open(AB, AB.myFeed(), read), StandardCharsets.UTF_8)).isEqualTo("hello");
  }

  @Test
  void eachMalformationHasItsReason() {
    assertThat(reasonOf(new byte[PageLimits.MAX_PAGE_BYTES + 1])).isEqualTo(Reason.TOO_LARGE);
    assertThat(reasonOf(new byte[0])).isEqualTo(Reason.TRUNCATED);
    byte[] page = VALID.clone();
    page[0] = 4; // a page's version where a record's is expected
    assertThat(reasonOf(page)).isEqualTo(Reason.UNSUPPORTED_VERSION);
    byte[] page0 = VALID.clone();
    page0[1] = page0[2] = page0[3] = page0[4] = 0;
    assertThat(reasonOf(page0)).isEqualTo(Reason.BAD_FIELD);
    byte[] index20 = VALID.clone();
    index20[5] = 20;
    assertThat(reasonOf(index20)).isEqualTo(Reason.BAD_FIELD);
    byte[] kind3 = VALID.clone();
    kind3[VALID.length - PageLimits.SIGNATURE_BYTES - 1] = 3;
    assertThat(reasonOf(kind3)).isEqualTo(Reason.BAD_FIELD);
    assertThat(reasonOf(Arrays.copyOf(VALID, VALID.length - 1))).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(Arrays.copyOf(VALID, VALID.length + 1))).isEqualTo(Reason.TRAILING_DATA);
    int slotAt = 1 + 4 + 1 + 32 + 1; // no heads
    byte[] badType = VALID.clone();
    badType[slotAt + 1 + 8 + 1] = 'a'; // "TEXT" → "aEXT"
    assertThat(reasonOf(badType)).isEqualTo(Reason.BAD_SLOT);
  }

  @Test
  void aRecordOfASlotOfVersion2IsRefused() {
    // The slot of a page of version 2, carried in a record: its sender copy has the legacy size.
    Slot s = RECORD.slot();
    Slot legacy = new Slot(s.receiver(), s.type(), s.timestampMillis(), s.extension(),
        new byte[PageLimits.LEGACY_SENDER_COPY_BYTES], Arrays.copyOf(s.forReceivers(), PageLimits.LEGACY_MIN_RECEIVER_COPY_BYTES));
    byte[] body = RecordCodec.encodeBody(1, 0, Page.NO_PREVIOUS, List.of(), legacy, false);
    assertThat(reasonOf(PageCodec.withSignature(body, new byte[PageLimits.SIGNATURE_BYTES]))).isEqualTo(Reason.BAD_SLOT);
  }

  /** Any chain of records a writer can build parses back, verifies in order, and opens to what was written. */
  @Property(tries = 100)
  void everyWrittenRecordRoundTrips(@ForAll("drafts") List<SlotSeal.Draft> drafts) throws Exception {
    RecordWriter writer = new RecordWriter(AB);
    List<SlotRecord> open = new ArrayList<>();
    RecordChain chain = new RecordChain(1, Page.NO_PREVIOUS);
    for (SlotSeal.Draft d : drafts) {
      SlotRecord r = writer.append(1, null, open, List.of(), d).orElse(null);
      if (r == null) {
        break; // page 1 closed by size: page 2's records are the same code
      }
      open.add(r);
      String key = AB.recordKey(AB.myFeed(), 1, r.index());
      SlotRecord read = RecordVerifier.openAndVerify(BA, ALICE_IN_BA, 1, r.index(), key, writer.seal(r));
      assertThat(chain.add(read)).isTrue();
      assertThat(SlotSeal.open(BA, ALICE_IN_BA, read)).isEqualTo(d.body());
    }
    Page closing = writer.close(open);
    PageVerifier.verify(BA, ALICE_IN_BA, 1, PageCodec.parse(closing.encoded()));
    chain.checkClosing(closing);
    assertThat(closing.encoded().length).isLessThanOrEqualTo(PageLimits.MAX_PAGE_BYTES);
  }

  @Provide
  Arbitrary<List<SlotSeal.Draft>> drafts() {
    Arbitrary<String> type = Arbitraries.strings().withChars("ABCXYZ019_").ofMinLength(0).ofMaxLength(15).map(t -> "T" + t);
    Arbitrary<Long> time = Arbitraries.longs().between(0, 1L << 53);
    Arbitrary<byte[]> extension = Arbitraries.bytes().array(byte[].class).ofMaxSize(PageLimits.MAX_EXTENSION_BYTES);
    Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(PageLimits.MAX_MESSAGE_BYTES);
    return Combinators.combine(type, time, extension, body).as(SlotSeal.Draft::new).list().ofMinSize(1).ofMaxSize(20);
  }

  @Property
  void randomBytesGiveOnlyTypedErrors(@ForAll("noise") byte[] bytes) {
    parseAndVerifyExpectingOnlyTypedOutcomes(bytes);
  }

  @Property
  void mutatedRecordsGiveOnlyTypedErrors(@ForAll("mutations") byte[] bytes) {
    parseAndVerifyExpectingOnlyTypedOutcomes(bytes);
  }

  @Property
  void randomLedgerValuesAtARecordKeyGiveOnlyTypedErrors(@ForAll("values") String value) {
    try {
      RecordVerifier.openAndVerify(BA, ALICE_IN_BA, 1, 0, KEY, value);
      throw new AssertionError("a random value verified: " + value);
    } catch (PageFormatException | PageRejectedException expected) {
      // typed: fine
    }
  }

  private static void parseAndVerifyExpectingOnlyTypedOutcomes(byte[] bytes) {
    try {
      SlotRecord r = RecordCodec.parse(bytes);
      RecordVerifier.verify(BA, ALICE_IN_BA, 1, 0, r);
      assertThat(r.encoded()).isEqualTo(VALID); // only the exact signed bytes verify
    } catch (PageFormatException | PageRejectedException expected) {
      // typed: fine
    }
  }

  @Provide
  Arbitrary<byte[]> noise() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(600).map(b -> {
      byte[] v = b.clone();
      if (v.length > 0) {
        v[0] = (byte) RecordCodec.VERSION; // past the first check, so the rest is exercised
      }
      return v;
    });
  }

  @Provide
  Arbitrary<String> values() {
    return FuzzInputs.ledgerValues();
  }

  /** The valid record with one to four bytes changed, inserted or removed at random places. */
  @Provide
  Arbitrary<byte[]> mutations() {
    return FuzzInputs.mutationsOf(VALID);
  }
}
