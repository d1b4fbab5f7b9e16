package org.reschat.benchmarks;

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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.reschat.cli.Cli;
import org.reschat.cli.CliContext;
import org.reschat.kv.testing.EtcdCluster;
import org.reschat.kv.testing.ResilientDbCluster;

/**
 * Measures send → shown in {@code receive --follow}, per store, with the store's change hints and with
 * plain polling at 2 s, and the store reads an idle follower makes. It takes minutes, its figures depend
 * on the machine and it asserts nothing, so it is a measurement here, not a test:
 *
 * <pre>
 * mvn -B -ntp -DskipTests package -pl benchmarks -am
 * java -cp benchmarks/target/benchmarks.jar org.reschat.benchmarks.PushLatency [MESSAGES] [IDLE_SECONDS]
 * </pre>
 *
 * Alice sends MESSAGES (default 20) with {@code send}, each after a random pause of 0.2–1.5 s, while Bob runs
 * {@code receive --follow} in this JVM (mode push; poll 2s with the hints off), or {@code daemon} with a client
 * on its socket (mode daemon); the time is from {@code send} returning to the line appearing on Bob's output,
 * or to the notification arriving on the socket. Idle reads are the store's own count over IDLE_SECONDS (default 30) of silence, per minute.
 * etcd is measured when it is installed. It prints a table.
 */
public final class PushLatency {
  /** {@code -Dreschat.push=off} turns the stores' change hints off (the CLI's LedgerWatch switch). */
  private static final String PUSH_SWITCH = "reschat.push";

  private final int messages;
  private final long idleSeconds;
  private final Path dir;
  private final StringBuilder report = new StringBuilder();

  private PushLatency(int messages, long idleSeconds, Path dir) {
    this.messages = messages;
    this.idleSeconds = idleSeconds;
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    long idleSeconds = args.length > 1 ? Long.parseLong(args[1]) : 30;
    if (messages < 2) {
      throw new IllegalArgumentException("MESSAGES must be at least 2");
    }
    Path dir = Files.createTempDirectory("reschat-push-latency");
    try {
      PushLatency run = new PushLatency(messages, idleSeconds, dir);
      run.measure();
      System.out.print(run.report);
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.exit(0); // the follower threads and the clusters' pools are done with
  }

  private void measure() throws Exception {
    report.append(String.format("%-22s %-8s %12s %12s %14s%n", "store", "mode", "median ms", "max ms", "reads/idle min"));
    for (String mode : List.of("push", "daemon", "poll 2s")) {
      measure("embedded SQLite", mode, "embedded:" + dir.resolve(mode.replace(' ', '-') + ".db"), null);
      if (EtcdCluster.installed()) {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
          measure("etcd (3 members)", mode, cluster.storeSpec(), () -> etcdRanges(cluster));
        }
      }
      try (ResilientDbCluster cluster = ResilientDbCluster.startWithBlockUpdates(2)) {
        measure("ResilientDB emulated", mode, cluster.storeSpec(), cluster::reads);
      }
    }
  }

  /** {@code reads} counts the store's reads so far, or is null when the store cannot count them. */
  private void measure(String store, String mode, String spec, LongSupplier reads) throws Exception {
    Path root = Files.createDirectories(dir.resolve(store.replaceAll("\\W", "") + mode.replaceAll("\\W", "")));
    Map<String, String> env = new HashMap<>();
    env.put("HOME", root.resolve("home").toString());
    env.put("XDG_DATA_HOME", root.resolve("data").toString());
    env.put("XDG_CONFIG_HOME", root.resolve("config").toString());
    env.put("RESCHAT_STORE", spec);
    String aliceCard = check(env, root, "alice", "init", "--name", "alice", "--no-passphrase").strip();
    String bobCard = check(env, root, "bob", "init", "--name", "bob", "--no-passphrase").strip();
    check(env, root, "alice", "friend", "add", "bob", bobCard);
    check(env, root, "bob", "friend", "add", "alice", aliceCard);
    check(env, root, "alice", "send", "bob", "warm-up");

    if (mode.startsWith("poll")) {
      System.setProperty(PUSH_SWITCH, "off");
    }
    TimedLines shown = new TimedLines();
    Path socket = root.resolve("bob.sock");
    Thread follower = new Thread(() -> {
      CliContext ctx = CliContext.builder()
          .env(env)
          .in(new ByteArrayInputStream(new byte[0]))
          .out(new PrintWriter(mode.equals("daemon") ? new StringWriter() : shown, true))
          .err(new PrintWriter(new StringWriter(), true))
          .interactive(false)
          .progress(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .zone(ZoneOffset.UTC)
          .build();
      if (mode.equals("daemon")) { // the same engine, through the daemon's notifications on its socket
        Cli.run(ctx, "--home", root.resolve("bob").toString(), "daemon", "--socket", socket.toString());
      } else {
        Cli.run(ctx, "--home", root.resolve("bob").toString(), "receive", "--follow", "--interval", "2s");
      }
    }, "follower");
    follower.setDaemon(true);
    follower.start();
    java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
    Thread reader = mode.equals("daemon") ? readNotifications(socket, shown, connected) : null;
    try {
      if (reader != null) { // the daemon tells only clients connected when a message arrives
        if (!connected.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the daemon did not listen within 60 s");
        }
        check(env, root, "alice", "send", "bob", "warm-up again");
        awaitLine(shown, "warm-up again");
      } else {
        awaitLine(shown, "warm-up");
      }
      Thread.sleep(1000); // let the watch connect
      Random random = new Random(42);
      List<Long> latencies = new ArrayList<>();
      for (int i = 1; i <= messages; i++) {
        String text = "measure " + i;
        check(env, root, "alice", "send", "bob", text);
        long sent = System.nanoTime();
        long at = awaitLine(shown, text);
        latencies.add(Math.max(0, at - sent));
        Thread.sleep(200 + random.nextInt(1300)); // a random phase against the poll interval
      }
      String idle = "n/a";
      if (reads != null) {
        long before = reads.getAsLong();
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
        idle = Long.toString((reads.getAsLong() - before) * 60 / idleSeconds);
      }
      Collections.sort(latencies);
      long median = (latencies.get(messages / 2 - 1) + latencies.get(messages / 2)) / 2;
      report.append(String.format("%-22s %-8s %12d %12d %14s%n", store, mode,
          TimeUnit.NANOSECONDS.toMillis(median), TimeUnit.NANOSECONDS.toMillis(latencies.get(messages - 1)), idle));
    } finally {
      follower.interrupt();
      follower.join(10_000);
      if (reader != null) {
        reader.interrupt();
      }
      System.clearProperty(PUSH_SWITCH);
    }
  }

  /**
   * Connects to the daemon's socket once it listens, and writes the text of each message notification as a
   * line to {@code shown}, timed as it arrives.
   */
  private static Thread readNotifications(Path socket, TimedLines shown, java.util.concurrent.CountDownLatch connected) {
    Thread t = new Thread(() -> {
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        java.nio.channels.SocketChannel channel = null;
        while (channel == null) {
          try {
            channel = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket));
          } catch (IOException notYet) {
            if (System.nanoTime() > deadline) {
              throw notYet;
            }
            Thread.sleep(20);
          }
        }
        connected.countDown();
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
            java.nio.channels.Channels.newInputStream(channel), java.nio.charset.StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            com.google.gson.JsonObject n = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
            com.google.gson.JsonObject params = n.has("params") ? n.getAsJsonObject("params") : null;
            if (params != null && params.has("text")) {
              shown.write((params.get("text").getAsString() + "\n").toCharArray(), 0, params.get("text").getAsString().length() + 1);
            }
          }
        }
      } catch (IOException | InterruptedException e) {
        // the measurement is over
      }
    }, "notifications");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Runs one reschat command in this JVM as {@code who}; its stdout, or an error when it did not exit 0. */
  private static String check(Map<String, String> env, Path root, String who, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext ctx = CliContext.builder()
        .env(env)
        .in(new ByteArrayInputStream(new byte[0]))
        .out(new PrintWriter(out, true))
        .err(new PrintWriter(err, true))
        .zone(ZoneOffset.UTC)
        .build();
    List<String> all = new ArrayList<>(List.of("--home", root.resolve(who).toString()));
    all.addAll(List.of(args));
    int code = Cli.run(ctx, all.toArray(new String[0]));
    if (code != 0) {
      throw new IllegalStateException("reschat " + String.join(" ", args) + ": exit " + code + "\n" + out + err);
    }
    return out.toString();
  }

  private static long awaitLine(TimedLines lines, String text) throws InterruptedException {
    while (true) {
      TimedLine line = lines.queue.poll(60, TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException("\"" + text + "\" was not shown within 60 s");
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
