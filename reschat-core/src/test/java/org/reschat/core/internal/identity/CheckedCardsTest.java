package org.reschat.core.internal.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.reschat.core.InvalidCardException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * A card's keys are checked once per key pair and process: a card read again costs no curve arithmetic, and
 * nothing but a pair that passed is ever let through unchecked (counted with {@link CheckedCards#checks()}).
 */
class CheckedCardsTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** A point of order 8 on Curve25519 (RFC 7748's u = 1 is of order 4; this one, from the small-order list, 8). */
  private static final byte[] LOW_ORDER_X25519 = java.util.HexFormat.of()
      .parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");

  private static PublicCard fresh() {
    return Identity.generate(RANDOM).card();
  }

  @Test
  void aCardReadAgainIsCheckedOnce() throws Exception {
    long before = CheckedCards.checks();
    PublicCard card = fresh(); // new keys: checked when the card is made, or else at the first parse
    for (int i = 0; i < 100; i++) {
      assertThat(PublicCard.parse(card.toString())).isEqualTo(card);
    }
    assertThat(CheckedCards.checks() - before).isEqualTo(1);
  }

  @Test
  void aKeyThatFailsIsRefusedEveryTimeEvenBesideAKeyThatPassed() throws Exception {
    PublicCard good = fresh();
    PublicCard.of(good.signingKey(), good.encryptionKey());
    long before = CheckedCards.checks();
    for (int i = 0; i < 3; i++) { // the good signing key, kept, with a weak encryption key: another pair
      assertThatThrownBy(() -> PublicCard.of(good.signingKey(), LOW_ORDER_X25519)).isInstanceOf(InvalidCardException.class)
          .hasMessageContaining("low order");
    }
    byte[] notAKey = new byte[32];
    Arrays.fill(notAKey, (byte) 0xFF); // y above the field's prime: no canonical Ed25519 key
    for (int i = 0; i < 3; i++) { // with the good encryption key, kept beside the good signing key
      assertThatThrownBy(() -> PublicCard.of(notAKey, good.encryptionKey())).isInstanceOf(InvalidCardException.class)
          .hasMessageContaining("signing key");
    }
    byte[] highBit = good.encryptionKey();
    highBit[31] |= (byte) 0x80;
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> PublicCard.of(good.signingKey(), highBit)).isInstanceOf(InvalidCardException.class)
          .hasMessageContaining("canonical");
    }
    assertThat(CheckedCards.checks() - before).as("every refused pair checked every time").isEqualTo(3 + 3 + 3);
  }

  @Test
  void atMostAThousandPairsAreKeptTheLeastRecentlyUsedGoingFirst() throws Exception {
    PublicCard first = fresh();
    PublicCard.of(first.signingKey(), first.encryptionKey());
    PublicCard recent = fresh();
    PublicCard.of(recent.signingKey(), recent.encryptionKey());
    for (int i = 0; i < CheckedCards.MAX_KEPT - 1; i++) {
      PublicCard other = fresh();
      PublicCard.of(other.signingKey(), other.encryptionKey());
      if (i % 100 == 0) {
        PublicCard.of(recent.signingKey(), recent.encryptionKey()); // used now and then: stays
      }
    }
    long before = CheckedCards.checks();
    PublicCard.of(recent.signingKey(), recent.encryptionKey());
    assertThat(CheckedCards.checks() - before).as("a pair used recently is still kept").isZero();
    PublicCard.of(first.signingKey(), first.encryptionKey());
    assertThat(CheckedCards.checks() - before).as("the pair unused longest went, and is checked again").isEqualTo(1);
  }
}
