package org.reschat.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;

/** put and get of a page-sized value (9 KB) on the embedded SQLite ledger and in memory. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StoreBenchmarks {
  @Param({"embedded", "memory"})
  public String kind;

  private Path dir;
  private KvStore store;
  private final String value = "x".repeat(9_100);
  private long n;

  @Setup(Level.Trial)
  public void open() throws Exception {
    dir = Files.createTempDirectory("reschat-bench");
    store = KvStores.open(kind.equals("memory") ? "memory:" : "embedded:" + dir.resolve("ledger.db"));
    for (int i = 0; i < 1000; i++) {
      store.put("bench.key." + i, value);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    store.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public void put() throws Exception {
    store.put("bench.key." + (n++ % 1000), value);
  }

  @Benchmark
  public Object get() throws Exception {
    return store.get("bench.key." + (n++ % 1000));
  }
}
