package org.reschat.core.directory;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Directory names: NFKC, lower case, 1–32 letters, digits, {@code .}, {@code _} or {@code -}. */
public final class Names {
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}._-]{1,32}");

  private Names() {}

  /**
   * The normal form of {@code name}, or empty when it is not a valid name. Look-alike names in other
   * scripts stay distinct: names are hints, the safety number is the trust.
   */
  public static Optional<String> normalise(String name) {
    String n = Normalizer.normalize(name.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    return NAME.matcher(n).matches() ? Optional.of(n) : Optional.empty();
  }
}
