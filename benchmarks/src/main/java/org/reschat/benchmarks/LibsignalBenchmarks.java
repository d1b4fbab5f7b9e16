package org.reschat.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.reschat.benchmarks.yardstick.Signal;

/**
 * libsignal-client's costs, the yardstick ResChat's are measured against (it is not part of ResChat): a
 * Double Ratchet encrypt and decrypt of a 100-character message, and a SenderKey group encrypt and decrypt.
 * Compare with {@link PageBenchmarks} and {@link EngineBenchmarks}; {@code yardstick.Yardstick} runs both
 * sides in one process, alternating.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(3)
public class LibsignalBenchmarks {
  private Signal signal;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    signal = new Signal();
  }

  /** A session where each message is decrypted as it comes: one fresh message per decrypt. */
  @State(Scope.Benchmark)
  public static class Incoming {
    Signal signal;
    byte[] next;
    byte[] nextGroup;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      signal = new Signal();
    }

    @Setup(Level.Invocation)
    public void nextMessages() throws Exception {
      next = signal.encrypt();
      nextGroup = signal.groupEncrypt();
    }
  }

  @Benchmark
  public byte[] doubleRatchetEncrypt() throws Exception {
    return signal.encrypt();
  }

  @Benchmark
  public byte[] doubleRatchetDecrypt(Incoming in) throws Exception {
    return in.signal.decrypt(in.next);
  }

  @Benchmark
  public byte[] senderKeyEncrypt() throws Exception {
    return signal.groupEncrypt();
  }

  @Benchmark
  public byte[] senderKeyDecrypt(Incoming in) throws Exception {
    return in.signal.groupDecrypt(in.nextGroup);
  }
}
