package org.reschat.benchmarks.yardstick;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * ResChat side by side with libsignal-client in one process, alternating batch by batch (which side goes
 * first alternates too), so both see the same machine at the same moments. Prints, per comparison, each
 * side's CPU time per operation (median and range over the rounds) and the ratio ResChat ÷ libsignal
 * (median, and range of the per-round ratios). CPU time of every Java thread, less the unmeasured steps
 * between operations (producing the message to receive), so waiting for a core on a loaded machine does
 * not count and work on the engine's pools does.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.reschat.benchmarks.yardstick.Yardstick [ROUNDS] [BATCH]
 * </pre>
 *
 * libsignal is here only to measure against; the product never loads it.
 */
public final class Yardstick {
  interface Op {
    void run() throws Exception;
  }

  /** One side of a comparison: an operation, what must happen before each (not measured), and a divisor. */
  record Side(String name, Op prepare, Op op, int per, Op after) {
    Side(String name, Op prepare, Op op, int per) {
      this(name, prepare, op, per, null);
    }
  }

  record Pair(String name, Side reschat, Side signal) {}

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    // Two sessions: one only encrypts; in the other every message is decrypted in turn. A receiver that fell
    // behind would store the skipped keys and carry them in every later decrypt (what Signal does too).
    Signal signal = new Signal();
    Signal lockstep = new Signal();
    byte[][] message = new byte[1][];
    byte[][] groupMessage = new byte[1][];
    try (ResChatSide reschat = new ResChatSide()) {
      Side encrypt = new Side("libsignal encrypt", null, signal::encrypt, 1);
      Side decrypt = new Side("libsignal decrypt", () -> message[0] = lockstep.encrypt(),
          () -> lockstep.decrypt(message[0]), 1);
      Side senderKey = new Side("SenderKey encrypt", null, signal::groupEncrypt, 1);
      List<Pair> pairs = List.of(
          new Pair("send (seal slot, tag or sign, seal page)", new Side("bench send", null, reschat::pageSend, 1), encrypt),
          new Pair("send, version 3 (seal slot, sign, seal page)", new Side("bench send v3", null, reschat::pageSendV3, 1),
              encrypt),
          new Pair("whole ChatClient.send, memory store", new Side("full send", null, reschat::fullSend, 1,
              reschat::catchUp), encrypt),
          new Pair("live receive of one message (update)",
              new Side("live receive", reschat::fullSend, reschat::liveReceive, 1), decrypt),
          new Pair("group send, 10 members", new Side("group send 10", null, () -> reschat.groupSend(10), 1), senderKey),
          new Pair("group send, 50 members", new Side("group send 50", null, () -> reschat.groupSend(50), 1), senderKey),
          new Pair("group send as signed records, 10 members", new Side("group record send 10", null,
              () -> reschat.groupRecordSend(10), 1), senderKey),
          new Pair("group send as signed records, 50 members", new Side("group record send 50", null,
              () -> reschat.groupRecordSend(50), 1), senderKey),
          new Pair("open a full page, per message", new Side("open page / 20", null, reschat::openFullPage, 20), decrypt));
      // Also check SenderKey decrypt works, so the group session is a real one.
      groupMessage[0] = lockstep.groupEncrypt();
      lockstep.groupDecrypt(groupMessage[0]);

      System.out.println("warming up (iterations until the JIT is quiet)…");
      warm(pairs);
      List<List<double[]>> results = new ArrayList<>(); // per pair: per round {reschat, signal}
      for (int p = 0; p < pairs.size(); p++) {
        results.add(new ArrayList<>());
      }
      for (int round = 0; round < rounds; round++) {
        for (int p = 0; p < pairs.size(); p++) {
          Pair pair = pairs.get(p);
          double r;
          double s;
          if (round % 2 == 0) {
            r = perOp(pair.reschat(), batch);
            s = perOp(pair.signal(), batch);
          } else {
            s = perOp(pair.signal(), batch);
            r = perOp(pair.reschat(), batch);
          }
          results.get(p).add(new double[] {r, s});
        }
      }
      System.out.printf(Locale.ROOT, "%d rounds of %d operations per side; CPU µs per operation, median (min–max)%n",
          rounds, batch);
      System.out.printf(Locale.ROOT, "%-38s | %-24s | %-24s | %s%n", "comparison", "ResChat", "libsignal",
          "ratio ResChat ÷ libsignal");
      for (int p = 0; p < pairs.size(); p++) {
        List<Double> r = new ArrayList<>();
        List<Double> s = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        for (double[] x : results.get(p)) {
          r.add(x[0]);
          s.add(x[1]);
          ratio.add(x[0] / x[1]);
        }
        Pair pair = pairs.get(p);
        System.out.printf(Locale.ROOT, "%-38s | %-24s | %-24s | %s%n", pair.name(),
            pair.reschat().name() + " " + range(r, 1), pair.signal().name() + " " + range(s, 1), range(ratio, 2) + "×");
      }
    }
  }

  /** Runs every side until a whole pass compiled nothing (at least 3,000 iterations each, at most 30,000). */
  private static void warm(List<Pair> pairs) throws Exception {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long compiled = -1;
    for (int done = 0; done < 30_000; done += 500) {
      for (Pair p : pairs) {
        for (Side s : List.of(p.reschat(), p.signal())) {
          for (int i = 0; i < 500; i++) {
            if (s.prepare() != null) {
              s.prepare().run();
            }
            s.op().run();
          }
          if (s.after() != null) {
            s.after().run();
          }
        }
      }
      long now = jit.getTotalCompilationTime();
      if (done >= 3_000 && now == compiled) {
        break;
      }
      compiled = now;
    }
  }

  /** CPU µs per operation over one batch, the preparing steps (on this thread) subtracted. */
  private static double perOp(Side side, int batch) throws Exception {
    long prepared = 0;
    long start = allThreadsCpu();
    for (int i = 0; i < batch; i++) {
      if (side.prepare() != null) {
        long t = THREADS.getCurrentThreadCpuTime();
        side.prepare().run();
        prepared += THREADS.getCurrentThreadCpuTime() - t;
      }
      side.op().run();
    }
    long cpu = allThreadsCpu() - start - prepared;
    if (side.after() != null) {
      side.after().run(); // not measured: puts things back as the next batch expects them
    }
    return cpu / 1e3 / batch / side.per();
  }

  private static long allThreadsCpu() {
    long sum = 0;
    for (long t : THREADS.getThreadCpuTime(THREADS.getAllThreadIds())) {
      sum += Math.max(0, t);
    }
    return sum;
  }

  private static String range(List<Double> values, int decimals) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    String f = "%." + decimals + "f";
    return String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median, sorted.get(0), sorted.get(n - 1));
  }
}
