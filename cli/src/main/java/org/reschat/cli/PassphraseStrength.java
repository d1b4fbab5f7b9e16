package org.reschat.cli;

import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import java.nio.CharBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * How hard a new passphrase is to guess, estimated by zxcvbn, and what that means for someone who has
 * stolen the identity file: each guess costs one Argon2id derivation with the default parameters.
 */
public final class PassphraseStrength {
  /**
   * Seconds one guess takes with the default Argon2id parameters (64 MiB, 3 passes, 1 lane): measured at
   * 0.15–0.2 s warm on this project's 2-vCPU CI machine (Bouncy Castle 1.86), rounded to 0.2 s.
   */
  static final double SECONDS_PER_GUESS = 0.2;
  /** Below this many guesses (zxcvbn's score 4 starts here) a passphrase is called weak. */
  static final double WEAK_BELOW_GUESSES = 1e10;
  /** How many computers an attacker is assumed to be able to rent, for the second figure. */
  private static final int MANY_COMPUTERS = 1000;

  private final double guesses;
  private final String hint;

  private PassphraseStrength(double guesses, String hint) {
    this.guesses = guesses;
    this.hint = hint;
  }

  /**
   * Estimates {@code passphrase} without copying it into a String. zxcvbn measures a copy, which it wipes
   * afterwards (wiping also clears the characters it was given, so it must not be given the original).
   */
  public static PassphraseStrength of(char[] passphrase) {
    char[] copy = Arrays.copyOf(passphrase, passphrase.length);
    Strength s = new Zxcvbn().measure(CharBuffer.wrap(copy));
    try {
      String warning = s.getFeedback().getWarning(Locale.ENGLISH);
      return new PassphraseStrength(s.getGuesses(), warning == null ? "" : warning);
    } finally {
      s.wipe();
      Arrays.fill(copy, '\0');
    }
  }

  public boolean weak() {
    return guesses < WEAK_BELOW_GUESSES;
  }

  /**
   * "This passphrase is weak: about 4,300 guesses find it, 14 minutes for one computer at 0.2 s per
   * guess (1 second for 1,000 computers). This is a very common password."
   */
  public String warning() {
    double seconds = guesses * SECONDS_PER_GUESS;
    return "This passphrase is weak: about " + String.format(Locale.ROOT, "%,.0f", guesses) + " guesses find it, "
        + duration(seconds) + " for one computer at " + SECONDS_PER_GUESS + " s per guess (" + duration(seconds / MANY_COMPUTERS)
        + " for " + String.format(Locale.ROOT, "%,d", MANY_COMPUTERS) + " computers)." + (hint.isEmpty() ? "" : " " + hint);
  }

  /** "14 minutes", "3 days", "2,000 years". */
  static String duration(double seconds) {
    double[] sizes = {1, 60, 3600, 86400, 365.25 * 86400};
    String[] names = {"second", "minute", "hour", "day", "year"};
    int unit = 0;
    while (unit + 1 < sizes.length && seconds >= sizes[unit + 1]) {
      unit++;
    }
    long n = Math.max(1, Math.round(seconds / sizes[unit]));
    return String.format(Locale.ROOT, "%,d", n) + " " + names[unit] + (n == 1 ? "" : "s");
  }
}
