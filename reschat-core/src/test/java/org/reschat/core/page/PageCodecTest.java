package org.reschat.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.page.PageFormatException.Reason;
import org.reschat.core.testing.PageFixtures;
import org.reschat.core.testing.TestIdentities;

/** The strict parser: a typed error for every malformed input, and random or mutated input never crashes it. */
class PageCodecTest {
  private static final Identity ALICE = TestIdentities.named("alice");
  private static final Identity BOB = TestIdentities.named("bob");
  private static final Conversation AB = Conversation.between(ALICE, BOB.card());
  private static final Conversation BA = Conversation.between(BOB, ALICE.card());
  private static final Page PAGE = PageFixtures.page(ALICE, AB, 2);
  private static final String VALID = PageCodec.toJson(PAGE);

  private static Reason reasonOf(String json) {
    try {
      PageCodec.parse(json);
      throw new AssertionError("accepted: " + json);
    } catch (PageFormatException e) {
      return e.reason();
    }
  }

  @Test
  void eachMalformationHasItsReason() {
    assertThat(reasonOf("x".repeat(PageLimits.MAX_PAGE_BYTES + 1))).isEqualTo(Reason.TOO_LARGE);
    assertThat(reasonOf("not json")).isEqualTo(Reason.NOT_JSON);
    assertThat(reasonOf("[1,2]")).isEqualTo(Reason.NOT_JSON);
    assertThat(reasonOf(VALID + " {}")).isEqualTo(Reason.NOT_JSON);
    assertThat(reasonOf(VALID.substring(0, VALID.length() - 10))).isEqualTo(Reason.NOT_JSON);
    assertThat(reasonOf(VALID.replace("\"v\":1", "\"v\":1.0"))).isEqualTo(Reason.BAD_FIELD);
    assertThat(reasonOf(VALID.replace("{\"v\":1,", "{\"v\":1,\"v\":1,"))).isEqualTo(Reason.DUPLICATE_FIELD);
    assertThat(reasonOf(VALID.replace("{\"v\":1,", "{\"v\":1,\"extra\":0,"))).isEqualTo(Reason.UNKNOWN_FIELD);
    assertThat(reasonOf(VALID.replaceFirst(",\"sig\":\"[^\"]*\"", ""))).isEqualTo(Reason.MISSING_FIELD);
    assertThat(reasonOf(VALID.replaceFirst("\"slots\":\\[.*\\],\"sig\"", "\"slots\":[],\"sig\""))).isEqualTo(Reason.NO_SLOTS);
    assertThat(reasonOf(VALID.replace("\"page\":1", "\"page\":0"))).isEqualTo(Reason.BAD_FIELD);
    assertThat(reasonOf(VALID.replace("\"page\":1", "\"page\":\"1\""))).isEqualTo(Reason.BAD_FIELD);
    assertThat(reasonOf(VALID.replace("\"TEXT\"", "\"text\""))).isEqualTo(Reason.BAD_SLOT);
    assertThat(reasonOf(VALID.replace("\"TEXT\",\"17", "\"TEXT\",\"017"))).isEqualTo(Reason.BAD_SLOT);
    assertThat(reasonOf(VALID.replace("\"TEXT\"", "7"))).isEqualTo(Reason.BAD_SLOT);
    assertThat(reasonOf(VALID.replaceFirst("\"\\],\\[", "\",\"seventh\"],["))).isEqualTo(Reason.BAD_SLOT);
  }

  @Test
  void moreThanTwentySlotsIsRejected() {
    String slot = VALID.replaceFirst("^.*\"slots\":\\[(\\[[^\\]]*\\]).*$", "$1");
    String many = String.join(",", java.util.Collections.nCopies(21, slot));
    String json = VALID.replaceFirst("\"slots\":\\[.*\\],\"sig\"", "\"slots\":[" + many + "],\"sig\"");
    assertThat(reasonOf(json)).isEqualTo(Reason.TOO_MANY_SLOTS);
  }

  @Test
  void nonCanonicalBase64IsRejected() {
    String sig = PAGE.signature();
    char last = sig.charAt(sig.length() - 1);
    // The last character of 64 bytes of base64url carries 4 unused bits; flipping them must not pass.
    String json = VALID.replace(sig, sig.substring(0, sig.length() - 1) + (char) (last ^ 1));
    assertThat(json).isNotEqualTo(VALID);
    assertThatThrownBy(() -> PageCodec.parse(json)).isInstanceOf(PageFormatException.class);
  }

  @Property
  void randomTextGivesOnlyTypedErrors(@ForAll("noise") String text) {
    parseAndVerifyExpectingOnlyTypedOutcomes(text);
  }

  @Property
  void mutatedPagesGiveOnlyTypedErrors(@ForAll("mutations") String text) {
    parseAndVerifyExpectingOnlyTypedOutcomes(text);
  }

  private static void parseAndVerifyExpectingOnlyTypedOutcomes(String text) {
    Page page;
    try {
      page = PageCodec.parse(text);
    } catch (PageFormatException e) {
      assertThat(e.getMessage()).startsWith("Not a valid page: ");
      return;
    }
    try {
      PageVerifier.verify(page, BA, BA.theirFeed(), 1);
    } catch (PageRejectedException e) {
      assertThat(e.kind()).isNotNull();
    }
  }

  @Provide
  Arbitrary<String> noise() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(300),
        Arbitraries.strings().withChars("{}[]\":,0123456789vconvwriterpageprevslotssigTEXT-_ABCabc").ofMaxLength(300),
        Arbitraries.strings().withChars("[").ofMinLength(1).ofMaxLength(200));
  }

  @Provide
  Arbitrary<String> mutations() {
    Arbitrary<Integer> position = Arbitraries.integers().between(0, VALID.length() - 1);
    Arbitrary<String> replacement = Arbitraries.of("", "\"", "}", "]", ",", "0", "A", "-", "\\", "\u0000", "é", "[[]]", "1e9");
    Arbitrary<Integer> cut = Arbitraries.integers().between(0, 5);
    return Combinators.combine(position, replacement, cut).as((pos, rep, len) ->
        VALID.substring(0, pos) + rep + VALID.substring(Math.min(VALID.length(), pos + len)));
  }

  @Test
  void theMutationsReachEveryMember() {
    // A sanity check that the fuzzer's base input is the full page shape.
    assertThat(List.of("\"v\"", "\"conv\"", "\"writer\"", "\"page\"", "\"prev\"", "\"slots\"", "\"sig\""))
        .allMatch(VALID::contains);
  }
}
