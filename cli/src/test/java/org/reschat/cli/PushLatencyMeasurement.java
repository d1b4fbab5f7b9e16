package org.reschat.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.kv.testing.EtcdCluster;
import org.reschat.kv.testing.ResilientDbCluster;

/**
 * Measures send → shown in {@code receive --follow}, per store, with the store's change hints and with
 * plain polling at 2 s, and the store reads an idle follower makes. Not part of the normal suite (it
 * takes minutes and its figures depend on the machine); run it with
 * {@code mvn -B -ntp -pl cli -am verify -Dtest=PushLatencyMeasurement -Dsurefire.failIfNoSpecifiedTests=false -Dreschat.measure=push}.
 * It prints a table and writes it to {@code cli/target/push-latency.txt}; it asserts nothing.
 */
@EnabledIfSystemProperty(named = "reschat.measure", matches = "push")
class PushLatencyMeasurement {
  private static final int MESSAGES = 20;
  private static final long IDLE_SECONDS = 30;
  @TempDir Path dir;
  private final StringBuilder report = new StringBuilder();

  @Test
  void measure() throws Exception {
    report.append(String.format("%-22s %-8s %12s %12s %14s%n", "store", "mode", "median ms", "max ms", "reads/idle min"));
    for (String mode : List.of("push", "poll 2s")) {
      measureEmbedded(mode);
      if (EtcdCluster.installed()) {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
          measure("etcd (3 members)", mode, cluster.storeSpec(), () -> etcdRanges(cluster));
        }
      }
      try (ResilientDbCluster cluster = ResilientDbCluster.startWithBlockUpdates(2)) {
        measure("ResilientDB emulated", mode, cluster.storeSpec(), cluster::reads);
      }
    }
    System.out.println(report);
    Files.writeString(Path.of("target", "push-latency.txt"), report.toString());
  }

  private void measureEmbedded(String mode) throws Exception {
    measure("embedded SQLite", mode, "embedded:" + dir.resolve(mode.replace(' ', '-') + ".db"), null);
  }

  /** {@code reads} counts the store's reads so far, or is null when the store cannot count them. */
  private void measure(String store, String mode, String spec, LongSupplier reads) throws Exception {
    Path root = Files.createDirectories(dir.resolve(store.replaceAll("\\W", "") + mode.replaceAll("\\W", "")));
    CliHarness alice = new CliHarness(root);
    alice.env.put("RESCHAT_STORE", spec);
    alice.friends("alice", "bob");
    CliHarness.check(alice.as("alice", "send", "bob", "warm-up"));

    if (mode.startsWith("poll")) {
      System.setProperty(LedgerWatch.SWITCH, "off");
    }
    TimedLines shown = new TimedLines();
    Thread follower = new Thread(() -> {
      CliContext ctx = CliContext.builder()
          .env(alice.env)
          .in(new ByteArrayInputStream(new byte[0]))
          .out(new PrintWriter(shown, true))
          .err(new PrintWriter(new StringWriter(), true))
          .interactive(false)
          .progress(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .zone(ZoneOffset.UTC)
          .build();
      Cli.run(ctx, "--home", root.resolve("bob").toString(), "receive", "--follow", "--interval", "2s");
    }, "follower");
    follower.setDaemon(true);
    follower.start();
    try {
      awaitLine(shown, "warm-up");
      Thread.sleep(1000); // let the watch connect
      Random random = new Random(42);
      List<Long> latencies = new ArrayList<>();
      for (int i = 1; i <= MESSAGES; i++) {
        String text = "measure " + i;
        CliHarness.check(alice.as("alice", "send", "bob", text));
        long sent = System.nanoTime();
        long at = awaitLine(shown, text);
        latencies.add(Math.max(0, at - sent));
        Thread.sleep(200 + random.nextInt(1300)); // a random phase against the poll interval
      }
      String idle = "n/a";
      if (reads != null) {
        long before = reads.getAsLong();
        Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_SECONDS));
        idle = Long.toString((reads.getAsLong() - before) * 60 / IDLE_SECONDS);
      }
      Collections.sort(latencies);
      long median = (latencies.get(MESSAGES / 2 - 1) + latencies.get(MESSAGES / 2)) / 2;
      report.append(String.format("%-22s %-8s %12d %12d %14s%n", store, mode,
          TimeUnit.NANOSECONDS.toMillis(median), TimeUnit.NANOSECONDS.toMillis(latencies.get(MESSAGES - 1)), idle));
    } finally {
      follower.interrupt();
      follower.join(10_000);
      System.clearProperty(LedgerWatch.SWITCH);
    }
  }

  private static long awaitLine(TimedLines lines, String text) throws InterruptedException {
    while (true) {
      TimedLine line = lines.queue.poll(60, TimeUnit.SECONDS);
      if (line == null) {
        throw new AssertionError("\"" + text + "\" was not shown within 60 s");
      }
      if (line.text.endsWith(text)) {
        return line.nanos;
      }
    }
  }

  /** The sum of every member's count of ranges served (etcd's own metric). */
  private static long etcdRanges(EtcdCluster cluster) {
    HttpClient http = HttpClient.newHttpClient();
    long total = 0;
    for (String url : cluster.clientUrls()) {
      try {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        for (String line : metrics.split("\n")) {
          if (line.startsWith("etcd_mvcc_range_total ")) {
            total += (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return total;
  }

  private record TimedLine(String text, long nanos) {}

  /** Output that notes when each line was completed. */
  private static final class TimedLines extends Writer {
    final BlockingQueue<TimedLine> queue = new LinkedBlockingQueue<>();
    private final StringBuilder current = new StringBuilder();

    @Override
    public synchronized void write(char[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        if (buf[i] == '\n') {
          queue.add(new TimedLine(current.toString(), System.nanoTime()));
          current.setLength(0);
        } else {
          current.append(buf[i]);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
