package org.reschat.core.internal.crypto;

/**
 * Reads {@link PassphraseBox}'s count of Argon2 derivations, for tests in other packages and modules
 * (it ships in the test-jar). Tests compare the count before and after, never its absolute value.
 */
public final class PassphraseBoxProbe {
  private PassphraseBoxProbe() {}

  /** Argon2 derivations started in this JVM so far. */
  public static long derivations() {
    return PassphraseBox.DERIVATIONS.get();
  }
}
