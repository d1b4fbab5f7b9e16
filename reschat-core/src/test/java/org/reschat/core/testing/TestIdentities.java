package org.reschat.core.testing;

import java.security.SecureRandom;
import org.reschat.core.identity.Identity;

/** Reproducible identities for tests: the same name always gives the same keys. */
public final class TestIdentities {
  private TestIdentities() {}

  public static Identity named(String name) {
    SecureRandom random;
    try {
      random = SecureRandom.getInstance("SHA1PRNG");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    random.setSeed(("reschat test identity " + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return Identity.generate(random);
  }
}
