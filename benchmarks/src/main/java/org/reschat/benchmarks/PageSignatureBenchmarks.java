package org.reschat.benchmarks;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 24's question, measured and not adopted: would Ed25519ph (RFC 8032 §5.1, the page's SHA-512 computed
 * first, by the JDK) sign and verify a 7 KB page for less than what pages do today (the JDK's SHA-256 of the
 * page inside a short signed message, protocol.md) or than pure Ed25519 over the whole page? Each benchmark signs
 * and verifies once, with a kept private key and a public point decoded once, as the engine does; the digests
 * alone are measured too. README "Protocol options" reports the figures.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(2)
public class PageSignatureBenchmarks {
  /** About a full page of 20 sealed 100-character messages (`ledger_bytes_per_20_messages` ÷ 20 × 2 ≈ 7 KB). */
  static final int PAGE_BYTES = 7 * 1024;
  /** Label, conversation id, fingerprint: what today's signed message adds to the page's SHA-256. */
  static final int SIGNED_PREFIX_BYTES = 16 + 16 + 32;

  private byte[] page;
  private Ed25519PrivateKeyParameters key;
  private Ed25519PublicKeyParameters publicKey;
  private Ed25519.PublicPoint point;
  private final byte[] noContext = new byte[0];

  @Setup
  public void setUp() {
    SecureRandom random = new SecureRandom();
    page = new byte[PAGE_BYTES];
    random.nextBytes(page);
    key = new Ed25519PrivateKeyParameters(random);
    publicKey = key.generatePublicKey();
    point = Ed25519.validatePublicKeyPartialExport(publicKey.getEncoded(), 0);
  }

  /** Today's pages: Ed25519 over label ‖ id ‖ fingerprint ‖ SHA-256(page), SHA-256 by the JDK. */
  @Benchmark
  public boolean signAndVerifyToday() throws Exception {
    byte[] signed = todaysSignedMessage();
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    key.sign(Ed25519.Algorithm.Ed25519, publicKey, null, signed, 0, signed.length, signature, 0);
    byte[] received = todaysSignedMessage(); // the reader hashes the page again
    return Ed25519.verify(signature, 0, point, received, 0, received.length);
  }

  /** Pure Ed25519 over the whole page: Bouncy Castle's SHA-512 passes over it, twice to sign, once to verify. */
  @Benchmark
  public boolean signAndVerifyPure() {
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    key.sign(Ed25519.Algorithm.Ed25519, publicKey, null, page, 0, page.length, signature, 0);
    return Ed25519.verify(signature, 0, point, page, 0, page.length);
  }

  /** Ed25519ph, the page's SHA-512 by the JDK (once by the writer, once by the reader). */
  @Benchmark
  public boolean signAndVerifyPrehashJdk() throws Exception {
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    byte[] ph = MessageDigest.getInstance("SHA-512").digest(page);
    key.sign(Ed25519.Algorithm.Ed25519ph, publicKey, noContext, ph, 0, ph.length, signature, 0);
    byte[] received = MessageDigest.getInstance("SHA-512").digest(page);
    return Ed25519.verifyPrehash(signature, 0, point, noContext, received, 0);
  }

  /** Ed25519ph, the page's SHA-512 by Bouncy Castle. */
  @Benchmark
  public boolean signAndVerifyPrehashBouncyCastle() {
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    byte[] ph = bcSha512();
    key.sign(Ed25519.Algorithm.Ed25519ph, publicKey, noContext, ph, 0, ph.length, signature, 0);
    return Ed25519.verifyPrehash(signature, 0, point, noContext, bcSha512(), 0);
  }

  @Benchmark
  public byte[] sha256PageJdk() throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(page);
  }

  @Benchmark
  public byte[] sha512PageJdk() throws Exception {
    return MessageDigest.getInstance("SHA-512").digest(page);
  }

  @Benchmark
  public byte[] sha512PageBouncyCastle() {
    return bcSha512();
  }

  private byte[] todaysSignedMessage() throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(page);
    byte[] out = new byte[SIGNED_PREFIX_BYTES + digest.length];
    System.arraycopy(digest, 0, out, SIGNED_PREFIX_BYTES, digest.length);
    return out;
  }

  private byte[] bcSha512() {
    SHA512Digest d = new SHA512Digest();
    d.update(page, 0, page.length);
    byte[] out = new byte[64];
    d.doFinal(out, 0);
    return out;
  }
}
