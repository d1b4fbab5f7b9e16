package org.reschat.cli;

import java.security.SecureRandom;
import java.util.Arrays;
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
    Identity identity = Identity.generate(new SecureRandom());
    profile.createIdentity(file(identity, name, passphrase, argon2MemoryKiB));
    return identity;
  }

  /**
   * The identity file's text: sealed with {@code passphrase} (then cleared) under fresh Argon2id salt, or
   * unprotected when it is null. Also what {@code passphrase change} and {@code identity export} write.
   */
  public static String file(Identity identity, String name, char[] passphrase, int argon2MemoryKiB) throws CliException {
    if (passphrase == null) {
      return IdentityFile.withoutPassphrase(identity, name);
    }
    try {
      return IdentityFile.seal(identity, name, passphrase, argon2MemoryKiB, new SecureRandom());
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }
}
