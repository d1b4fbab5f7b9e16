package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.PassphraseBox;
import org.reschat.core.identity.Identity;

/**
 * Issue 19 item 12: an identity file of version 1, as ResChat wrote it before the self seed, still opens,
 * and the first command that unlocks it rewrites it as version 2 with the same card (0600, atomically).
 */
class IdentityUpgradeCliTest {
  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();

  /** A version 1 file exactly as the old IdentityFile wrote it: 64 bytes of keys under "reschat/v1 identity ". */
  private String versionOneFile(byte[] keys, String passphrase) {
    String card = Identity.importPrivateKeys(keys).card().toString();
    if (passphrase == null) {
      return "{\n  \"format\": \"reschat-identity\",\n  \"version\": 1,\n  \"name\": \"alice\",\n  \"card\": \"" + card
          + "\",\n  \"protection\": \"none\",\n  \"privateKeys\": \"" + Base64Url.encode(keys) + "\"\n}\n";
    }
    PassphraseBox.Argon2 params = PassphraseBox.Argon2.minimum(random);
    PassphraseBox.Sealed sealed = PassphraseBox.seal(passphrase.toCharArray(), params,
        ("reschat/v1 identity " + card).getBytes(StandardCharsets.UTF_8), keys, random);
    return "{\n  \"format\": \"reschat-identity\",\n  \"version\": 1,\n  \"name\": \"alice\",\n  \"card\": \"" + card
        + "\",\n  \"protection\": \"argon2id-aes256gcm\",\n  \"argon2\": {\n    \"memoryKiB\": " + params.memoryKiB()
        + ",\n    \"iterations\": " + params.iterations() + ",\n    \"parallelism\": 1,\n    \"salt\": \""
        + Base64Url.encode(params.salt()) + "\"\n  },\n  \"nonce\": \"" + Base64Url.encode(sealed.nonce())
        + "\",\n  \"sealed\": \"" + Base64Url.encode(sealed.ciphertext()) + "\"\n}\n";
  }

  @Test
  void aVersionOneIdentityFileIsRewrittenAsVersionTwoByTheFirstCommandThatUnlocksIt() throws Exception {
    for (String passphrase : new String[] {null, PassphraseStrengthTest.STRONG}) {
      Path run = Files.createDirectories(dir.resolve(passphrase == null ? "clear" : "sealed"));
      CliHarness cli = new CliHarness(run);
      String bob = cli.init("bob");
      byte[] keys = new byte[64];
      random.nextBytes(keys);
      Path file = run.resolve("alice").resolve("identity.json");
      Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.writeString(file, versionOneFile(keys, passphrase));
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      String card = Identity.importPrivateKeys(keys).card().toString();
      if (passphrase != null) {
        cli.env.put("RESCHAT_PASSPHRASE", passphrase);
      }

      CliHarness.check(cli.as("alice", "friend", "add", "bob", bob));
      assertThat(Files.readString(file)).contains("\"version\": 1"); // nothing unlocked it yet
      CliHarness.check(cli.as("alice", "send", "bob", "after the upgrade"));

      String now = Files.readString(file);
      assertThat(now).contains("\"version\": 2", "\"card\": \"" + card + "\"", "\"name\": \"alice\"");
      assertThat(now.contains("argon2id")).isEqualTo(passphrase != null);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThat(CliHarness.check(cli.as("alice", "history", "bob")).out()).contains("after the upgrade");
      assertThat(CliHarness.check(cli.as("alice", "whoami", "--json")).out()).contains(card);
    }
  }
}
