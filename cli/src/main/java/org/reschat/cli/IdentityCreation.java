package org.reschat.cli;

import java.security.SecureRandom;
import java.util.Arrays;
import org.reschat.core.crypto.PassphraseBox;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import org.reschat.localdb.Profile;

/** Creates a new identity in a profile: shared by {@code reschat init} and the menu. */
public final class IdentityCreation {
  private IdentityCreation() {}

  /**
   * @param passphrase null for no passphrase; cleared afterwards
   * @param argon2MemoryKiB Argon2id memory: 64 MiB by default, 19 MiB at least (tests use the floor for speed)
   */
  public static Identity create(Profile profile, String name, char[] passphrase, int argon2MemoryKiB) throws Exception {
    profile.checkNoIdentity();
    if (name != null && (name.isBlank() || name.length() > IdentityFile.MAX_NAME_LENGTH)) {
      throw new CliException(ExitCodes.USAGE, "A name is 1 to " + IdentityFile.MAX_NAME_LENGTH + " characters.");
    }
    SecureRandom random = new SecureRandom();
    Identity identity = Identity.generate(random);
    String file;
    if (passphrase == null) {
      file = IdentityFile.withoutPassphrase(identity, name);
    } else {
      try {
        PassphraseBox.Argon2 defaults = PassphraseBox.Argon2.interactive(random);
        PassphraseBox.Argon2 params = new PassphraseBox.Argon2(argon2MemoryKiB, defaults.iterations(),
            defaults.parallelism(), defaults.salt());
        if (params.creationProblem() != null) {
          throw new CliException(ExitCodes.USAGE, params.creationProblem() + ".");
        }
        file = IdentityFile.seal(identity, name, passphrase, params, random);
      } finally {
        Arrays.fill(passphrase, '\0');
      }
    }
    profile.createIdentity(file);
    return identity;
  }
}
