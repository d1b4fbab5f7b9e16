package org.reschat.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.reschat.core.InvalidCardException;
import org.reschat.core.testing.TestIdentities;

/** The card parser meets random and mutated text: a card or a typed error, never anything else. */
class CardFuzzTest {
  private static final String CARD = TestIdentities.named("alice").card().toString();

  @Property
  void randomTextGivesACardOrATypedError(@ForAll("noise") String text) {
    parse(text);
  }

  @Property
  void mutatedCardsGiveACardOrATypedError(@ForAll("mutations") String text) {
    PublicCard card = parse(text);
    if (card != null) {
      // Only the card itself is accepted: a changed character never names another key.
      assertThat(card.toString()).isEqualTo(CARD);
    }
  }

  private static PublicCard parse(String text) {
    try {
      return PublicCard.parse(text);
    } catch (InvalidCardException e) {
      assertThat(e.getMessage()).isNotBlank();
      return null;
    }
  }

  @Provide
  Arbitrary<String> noise() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(120),
        Arbitraries.strings().withChars("rc2:ABCabc0123-_=+/ ").ofMinLength(93).ofMaxLength(97),
        Arbitraries.strings().withChars("A").ofLength(91).map(s -> "rc2:" + s));
  }

  @Provide
  Arbitrary<String> mutations() {
    Arbitrary<Integer> position = Arbitraries.integers().between(0, CARD.length() - 1);
    Arbitrary<Character> replacement = Arbitraries.chars().with("AZaz09-_=+/!é \n".toCharArray());
    return Combinators.combine(position, replacement).as((p, c) -> CARD.substring(0, p) + c + CARD.substring(p + 1));
  }
}
