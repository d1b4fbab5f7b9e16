package org.reschat.cli;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.reschat.core.identity.PublicCard;

/** Naming a card by the start of its fingerprint, as the commands print it ({@code 3f9a 01c2 …}). */
public final class Fingerprints {
  /** Hex digits a prefix needs: fewer would name the wrong person too easily. */
  public static final int MIN_DIGITS = 4;

  private Fingerprints() {}

  /** The items whose card's fingerprint starts with {@code prefix} (spaces and case ignored); none when it is too short. */
  public static <T> List<T> startingWith(String prefix, Collection<T> items, Function<T, PublicCard> card) {
    String p = prefix.replace(" ", "").toLowerCase(Locale.ROOT);
    if (p.length() < MIN_DIGITS) {
      return List.of();
    }
    return items.stream().filter(x -> card.apply(x).fingerprintText().replace(" ", "").startsWith(p)).toList();
  }

  /** The first two groups of the fingerprint, what a person types to name it. */
  public static String shortForm(PublicCard card) {
    return card.fingerprintText().substring(0, 9).replace(" ", "");
  }
}
