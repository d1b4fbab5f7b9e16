package org.reschat.benchmarks;

import java.time.Duration;
import org.reschat.kv.testing.ResilientDbCluster;

/**
 * Runs the WireMock emulation of ResilientDB's KV service on loopback until interrupted, to try the
 * ResilientDB path of reschat by hand or to benchmark it:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.reschat.benchmarks.EmulatedResilientDb [ENDPOINTS] [DELAY_MS]
 * </pre>
 *
 * It prints the store spec to pass to {@code reschat --store}. DELAY_MS delays every answer, like a
 * real deployment where each operation takes 100 ms or more.
 */
public final class EmulatedResilientDb {
  private EmulatedResilientDb() {}

  public static void main(String[] args) throws Exception {
    int endpoints = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    long delay = args.length > 1 ? Long.parseLong(args[1]) : 0;
    ResilientDbCluster cluster = ResilientDbCluster.start(endpoints);
    if (delay > 0) {
      cluster.nodes().forEach(n -> n.responseDelay(Duration.ofMillis(delay)));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    System.out.println(cluster.storeSpec());
    System.out.flush();
    Thread.currentThread().join();
  }
}
