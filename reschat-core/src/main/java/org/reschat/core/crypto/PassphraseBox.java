package org.reschat.core.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Seals secrets under a passphrase: Argon2id (Bouncy Castle) derives a 256-bit key, AES-256-GCM (the JDK)
 * encrypts. The passphrase is Unicode-normalised (NFC) first, so the same passphrase typed on systems
 * that compose accents differently opens the same box.
 */
public final class PassphraseBox {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private PassphraseBox() {}

  /**
   * Argon2id cost parameters, stored beside the ciphertext.
   *
   * @param memoryKiB memory per derivation, in KiB
   * @param iterations passes over the memory
   * @param parallelism lanes
   * @param salt random salt, 16 bytes or more
   */
  public record Argon2(int memoryKiB, int iterations, int parallelism, byte[] salt) {
    /** Memory of {@link #interactive}: 64 MiB. */
    public static final int DEFAULT_MEMORY_KIB = 64 * 1024;

    /** The defaults for new files: 64 MiB, 3 passes, 1 lane (about half a second on a laptop). */
    public static Argon2 interactive(SecureRandom random) {
      return new Argon2(DEFAULT_MEMORY_KIB, 3, 1, randomBytes(random, 16));
    }

    /** Cheap parameters for tests only. */
    public static Argon2 cheapForTestsOnly(SecureRandom random) {
      return new Argon2(64, 1, 1, randomBytes(random, 16));
    }

    /** Null when the parameters are usable, else what is wrong (limits keep hostile files from exhausting memory). */
    public String problem() {
      if (memoryKiB < 8 || memoryKiB > 1024 * 1024) {
        return "Argon2 memory must be 8 KiB to 1 GiB";
      }
      if (iterations < 1 || iterations > 64) {
        return "Argon2 iterations must be 1 to 64";
      }
      if (parallelism < 1 || parallelism > 16 || memoryKiB < 8 * parallelism) {
        return "Argon2 parallelism must be 1 to 16, with 8 KiB of memory per lane";
      }
      if (salt == null || salt.length < 16 || salt.length > 64) {
        return "Argon2 salt must be 16 to 64 bytes";
      }
      return null;
    }
  }

  /** A sealed secret: the nonce and the AES-GCM output. */
  public record Sealed(byte[] nonce, byte[] ciphertext) {}

  public static Sealed seal(char[] passphrase, Argon2 params, byte[] associatedData, byte[] secret, SecureRandom random) {
    byte[] key = deriveKey(passphrase, params);
    byte[] nonce = randomBytes(random, NONCE_BYTES);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData);
      return new Sealed(nonce, cipher.doFinal(secret));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Opens a sealed secret; null when the passphrase is wrong or the box was altered. */
  public static byte[] open(char[] passphrase, Argon2 params, byte[] associatedData, Sealed sealed) {
    if (sealed.nonce().length != NONCE_BYTES) {
      return null;
    }
    byte[] key = deriveKey(passphrase, params);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, sealed.nonce()));
      cipher.updateAAD(associatedData);
      return cipher.doFinal(sealed.ciphertext());
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] deriveKey(char[] passphrase, Argon2 params) {
    String problem = params.problem();
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    String normalised = Normalizer.normalize(CharBuffer.wrap(passphrase), Normalizer.Form.NFC);
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(normalised);
    byte[] password = new byte[encoded.remaining()];
    encoded.get(password);
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(params.memoryKiB())
        .withIterations(params.iterations())
        .withParallelism(params.parallelism())
        .withSalt(params.salt())
        .build());
    byte[] key = new byte[32];
    generator.generateBytes(password, key);
    Arrays.fill(password, (byte) 0);
    return key;
  }

  private static byte[] randomBytes(SecureRandom random, int n) {
    byte[] out = new byte[n];
    random.nextBytes(out);
    return out;
  }
}
