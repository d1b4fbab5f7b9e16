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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.reschat.benchmarks.yardstick.ResChatSide;

/**
 * The engine around the page path: the whole {@code ChatClient.send} of a direct message on a memory store
 * and memory state, and the other side's {@code update} receiving one new message (bench's
 * {@code full_send_cpu_us} and {@code live_receive_cpu_us}, here in wall time with JMH's error bars).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(3)
public class EngineBenchmarks {
  private ResChatSide reschat;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    reschat = new ResChatSide();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    reschat.close();
  }

  @Benchmark
  public void fullSend() throws Exception {
    reschat.fullSend();
  }

  /** A separate state: its per-invocation send must not run before {@link #fullSend}'s calls. */
  @State(Scope.Benchmark)
  public static class Receiving {
    ResChatSide reschat;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      reschat = new ResChatSide();
    }

    @Setup(Level.Invocation)
    public void oneNewMessage() throws Exception {
      reschat.fullSend();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      reschat.close();
    }
  }

  @Benchmark
  public int liveReceive(Receiving r) throws Exception {
    return r.reschat.liveReceive();
  }
}
