package org.reschat.cli.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * How {@code bench} measures on a loaded machine. CPU time, not wall time: on a shared machine a thread
 * that waits for a core is not doing ResChat's work, and wall clocks counted that wait (one run's
 * {@code open_page_us} ranged from 641 to 15,496 µs). Warm-up counted in iterations until the JIT is quiet,
 * not in seconds: under load two seconds may hold a tenth of the iterations the compiler needs.
 */
final class Measure {
  /** An operation measured by {@code bench}. */
  interface Op {
    void run() throws Exception;
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
  /** Iterations in one batch of the warm-up; the JIT is asked whether it is quiet after each. */
  static final int WARM_BATCH = 500;

  private Measure() {}

  /** CPU nanoseconds of the calling thread (native code included: JNI, the JDK's intrinsics). */
  static long threadCpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  /** CPU nanoseconds of every live Java thread of this process, for work spread over the engine's pools. */
  static long allThreadsCpu() {
    long[] ids = THREADS.getAllThreadIds();
    long sum = 0;
    for (long t : THREADS.getThreadCpuTime(ids)) {
      sum += Math.max(0, t);
    }
    return sum;
  }

  /**
   * Runs {@code op} at least {@code min} times, then in batches of {@link #WARM_BATCH} until a whole batch
   * passed without the JIT compiling anything (or {@code max} iterations): what is measured afterwards is the
   * compiled hot path, however slowly the machine runs. Returns the iterations it took.
   */
  static int warm(int min, int max, Op op) throws Exception {
    int done = 0;
    while (done < min) {
      op.run();
      done++;
    }
    long compiled = compileMillis();
    while (done < max) {
      for (int i = 0; i < WARM_BATCH; i++) {
        op.run();
      }
      done += WARM_BATCH;
      long now = compileMillis();
      if (now == compiled) {
        break;
      }
      compiled = now;
    }
    return done;
  }

  private static long compileMillis() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
  }
}
