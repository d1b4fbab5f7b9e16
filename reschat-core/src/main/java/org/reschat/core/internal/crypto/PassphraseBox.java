package org.reschat.core.internal.crypto;

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
  /**
   * Argon2 derivations started in this JVM. A test seam only (read by the tests' {@code PassphraseBoxProbe}):
   * it lets a test prove that hostile parameters are refused before any derivation, by counting, not timing.
   */
  static final java.util.concurrent.atomic.AtomicLong DERIVATIONS = new java.util.concurrent.atomic.AtomicLong();

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
    /** Passes of {@link #interactive}. */
    public static final int DEFAULT_ITERATIONS = 3;
    /** Lanes of {@link #interactive}. */
    public static final int DEFAULT_PARALLELISM = 1;
    /** The least memory a new file may use: OWASP's minimum for Argon2id, 19 MiB with 2 passes. */
    public static final int MIN_MEMORY_KIB = 19 * 1024;
    /** The fewest passes a new file may use. */
    public static final int MIN_ITERATIONS = 2;

    /** The defaults for new files: 64 MiB, 3 passes, 1 lane (0.15–0.2 s per derivation measured on a 2-vCPU server). */
    public static Argon2 interactive(SecureRandom random) {
      return new Argon2(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, randomBytes(random, 16));
    }

    /** The floor for new files, 19 MiB and 2 passes: the cheapest parameters {@link #creationProblem} accepts. */
    public static Argon2 minimum(SecureRandom random) {
      return new Argon2(MIN_MEMORY_KIB, MIN_ITERATIONS, DEFAULT_PARALLELISM, randomBytes(random, 16));
    }

    /**
     * Null when a file may ask for this much work, else what is wrong. ResChat never writes more than the
     * defaults (64 MiB, 3 passes, 1 lane), so a file asking for more was not written by it: refusing it
     * at once keeps a tampered file from costing minutes and a gigabyte on each unlock. Files below the
     * creation floor still open: they cost the reader nothing.
     */
    public String problem() {
      if (salt == null || salt.length < 16 || salt.length > 64) {
        return "Argon2 salt must be 16 to 64 bytes";
      }
      if (memoryKiB < 8 || iterations < 1 || parallelism < 1 || memoryKiB < 8 * parallelism) {
        return "Argon2 needs at least 8 KiB of memory per lane, 1 pass and 1 lane";
      }
      return excessWork();
    }

    /**
     * Null when the work is within what ResChat writes, else "asks for Argon2 work of …, more work than
     * ResChat ever writes (…)": the memory, passes and lanes asked for and the bounds.
     */
    public String excessWork() {
      if (memoryKiB > DEFAULT_MEMORY_KIB || iterations > DEFAULT_ITERATIONS || parallelism > DEFAULT_PARALLELISM) {
        return "asks for Argon2 work of " + describe() + ", more work than ResChat ever writes (at most "
            + new Argon2(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, null).describe() + ")";
      }
      return null;
    }

    /** Null when new files may use these parameters: {@link #problem} plus the floor of 19 MiB and 2 passes. */
    public String creationProblem() {
      String problem = problem();
      if (problem != null) {
        return problem;
      }
      if (memoryKiB < MIN_MEMORY_KIB || iterations < MIN_ITERATIONS) {
        return "Argon2 memory must be at least " + MIN_MEMORY_KIB + " KiB (19 MiB) with at least " + MIN_ITERATIONS
            + " passes, and at most " + DEFAULT_MEMORY_KIB + " KiB (64 MiB) with " + DEFAULT_ITERATIONS + " passes";
      }
      return null;
    }

    /** "1024 MiB of memory × 64 passes × 16 lanes". */
    String describe() {
      String memory = memoryKiB % 1024 == 0 ? (memoryKiB / 1024) + " MiB" : memoryKiB + " KiB";
      return memory + " of memory × " + iterations + (iterations == 1 ? " pass × " : " passes × ")
          + parallelism + (parallelism == 1 ? " lane" : " lanes");
    }
  }

  /** A sealed secret: the nonce and the AES-GCM output. */
  public record Sealed(byte[] nonce, byte[] ciphertext) {}

  /** Seals {@code secret}; refuses parameters below the floor or above the defaults ({@link Argon2#creationProblem}). */
  public static Sealed seal(char[] passphrase, Argon2 params, byte[] associatedData, byte[] secret, SecureRandom random) {
    String problem = params.creationProblem();
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
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
    DERIVATIONS.incrementAndGet();
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
