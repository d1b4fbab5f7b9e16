package org.reschat.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
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
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.internal.files.FileOffer;
import org.reschat.core.internal.files.FileTransfer;
import org.reschat.kv.KvStore;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.resilientdb.ResilientDbStore;
import org.reschat.kv.testing.ResilientDbCluster;

/**
 * Sending and fetching a 10 MiB file (41 chunks): on the embedded SQLite ledger, and on the ResilientDB
 * emulation with 3 endpoints that each answer after 100 ms. MB/s = 10.49 / (seconds per operation).
 * The FILE message itself is not sent (a feed write, measured by the other benchmarks).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class FileTransferBenchmark {
  private static final int SIZE = 10 * 1024 * 1024;

  @Param({"embedded", "resilientdb-3x100ms"})
  public String store;

  private Path dir;
  private Path source;
  private ResilientDbCluster cluster;
  private KvStore kv;
  private FileOffer offer;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("reschat-files-bench");
    byte[] bytes = new byte[SIZE];
    new Random(1).nextBytes(bytes);
    source = Files.write(dir.resolve("ten.bin"), bytes);
    if (store.equals("embedded")) {
      kv = EmbeddedStore.open(dir.resolve("ledger.db"));
    } else {
      cluster = ResilientDbCluster.start(3);
      cluster.nodes().forEach(n -> n.responseDelay(Duration.ofMillis(100)));
      kv = ResilientDbStore.builder().endpoints(cluster.urls()).options(StoreOptions.defaults()).build();
    }
    offer = upload();
  }

  private FileOffer upload() throws Exception {
    FileOffer[] sent = new FileOffer[1];
    new FileTransfer(kv, dir.resolve("journals")).send(source, "ten.bin", "application/octet-stream", "", "bench",
        (type, extension, body) -> {
          sent[0] = FileOffer.parse(body).orElseThrow();
          return new SendResult(new Message("b:1:0", Message.Direction.SENT, null, java.time.Instant.EPOCH, type, "",
              1, 0, Message.Status.CONFIRMED, extension, body), 0, Optional.empty());
        }, FileTransfer.Progress.NONE);
    return sent[0];
  }

  /** A fresh key each time (a finished upload leaves no journal): every chunk is written and confirmed. */
  @Benchmark
  public FileOffer upload10MiB() throws Exception {
    return upload();
  }

  @Benchmark
  public long download10MiB() throws Exception {
    Path target = dir.resolve("out.bin");
    new FileTransfer(kv, dir.resolve("journals")).fetch(offer, target, true, FileTransfer.Progress.NONE);
    return Files.size(target);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    kv.close();
    if (cluster != null) {
      cluster.close();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
