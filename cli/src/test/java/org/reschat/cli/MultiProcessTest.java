package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;

/**
 * Real OS processes at once on one embedded ledger: two people sending hundreds of messages at the same
 * time, two processes of the same profile, and processes killed with SIGKILL in the middle of sending.
 * Nothing may be lost, duplicated or reordered, and every local file must still parse.
 */
@org.junit.jupiter.api.Tag("slow") // child JVMs: left out by mvn -Pfast
class MultiProcessTest {
  /** Longer runs: -Dreschat.crash.runs=200. */
  private static final int CRASH_RUNS = Integer.getInteger("reschat.crash.runs", 6);
  private static final int EACH = Integer.getInteger("reschat.concurrent.messages", 150);

  @TempDir Path dir;
  CliHarness cli;

  @BeforeEach
  void profiles() {
    cli = new CliHarness(dir);
    cli.friends("alice", "bob");
  }

  private static String lines(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.joining("\n")) + "\n";
  }

  private Process send(String who, String to, String stdin, String log) throws Exception {
    return ChildProcesses.start(cli.env, dir.resolve(log), stdin, "--home", dir.resolve(who).toString(),
        "send", "--lines", to);
  }

  private List<JsonObject> history(String who, String friend) {
    Result r = cli.as(who, "--json", "history", friend, "--all");
    assertThat(r.code()).as(r.toString()).isZero();
    return r.lines().stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).collect(Collectors.toList());
  }

  @Test
  void twoPeopleSendingFromSeparateProcessesAtOnceLoseNothing() throws Exception {
    Process alice = send("alice", "bob", lines("a", EACH), "alice.log");
    Process bob = send("bob", "alice", lines("b", EACH), "bob.log");
    assertThat(alice.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(bob.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(alice.exitValue()).as(Files.readString(dir.resolve("alice.log"))).isZero();
    assertThat(bob.exitValue()).as(Files.readString(dir.resolve("bob.log"))).isZero();

    List<JsonObject> seenByAlice = history("alice", "bob");
    List<JsonObject> seenByBob = history("bob", "alice");
    assertThat(seenByAlice).hasSize(2 * EACH).allMatch(o -> o.get("type").getAsString().equals("message"));
    List<String> idsA = seenByAlice.stream().map(o -> o.get("id").getAsString()).collect(Collectors.toList());
    List<String> idsB = seenByBob.stream().map(o -> o.get("id").getAsString()).collect(Collectors.toList());
    assertThat(idsA).isEqualTo(idsB).doesNotHaveDuplicates();
    for (String who : List.of("a", "b")) {
      List<String> own = seenByBob.stream().map(o -> o.get("text").getAsString()).filter(t -> t.startsWith(who))
          .collect(Collectors.toList());
      assertThat(own).isEqualTo(IntStream.range(0, EACH).mapToObj(i -> who + i).collect(Collectors.toList()));
    }
    System.out.printf("[reliability] concurrent processes: %d messages sent, %d seen by each side, 0 lost%n",
        2 * EACH, seenByAlice.size());
  }

  @Test
  void twoProcessesOfTheSameProfileAreSerialisedNotCorrupted() throws Exception {
    Process first = send("alice", "bob", lines("x", 80), "x.log");
    Process second = send("alice", "bob", lines("y", 80), "y.log");
    assertThat(first.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(first.exitValue()).as(Files.readString(dir.resolve("x.log"))).isZero();
    assertThat(second.exitValue()).as(Files.readString(dir.resolve("y.log"))).isZero();
    Result r = cli.as("bob", "history", "alice", "--all");
    assertThat(r.code()).as(r.toString()).isZero(); // no warning: the feed is one valid chain
    List<String> texts = r.lines().stream().map(l -> l.substring(l.indexOf(": ") + 2)).collect(Collectors.toList());
    assertThat(texts).hasSize(160).doesNotHaveDuplicates();
    for (String p : List.of("x", "y")) {
      assertThat(texts.stream().filter(t -> t.startsWith(p)).collect(Collectors.toList()))
          .isEqualTo(IntStream.range(0, 80).mapToObj(i -> p + i).collect(Collectors.toList()));
    }
  }

  @Test
  void killingTheSenderWithSigkillLosesNothingItAccepted() throws Exception {
    long seed = Long.getLong("reschat.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    int perRun = 40;
    int killed = 0;
    List<String> allSeen = new ArrayList<>();
    for (int run = 0; run < CRASH_RUNS; run++) {
      Process p = send("alice", "bob", lines("r" + run + "-", perRun), "run" + run + ".log");
      // Mid-send: once it reported a first message sent (starting a JVM on a loaded machine can take longer than
      // any fixed wait, and a kill before the first send tests nothing), then after a random pause.
      Path log = dir.resolve("run" + run + ".log");
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (p.isAlive() && !Files.readString(log).contains("Sent to bob.") && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      if (!p.waitFor(random.nextInt(300), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
        killed++;
      }
      p.waitFor(1, TimeUnit.MINUTES);

      // Restart: the next command publishes what the killed one queued; every local file still parses.
      Result restart = cli.as("alice", "receive");
      assertThat(restart.code()).as("seed " + seed + "\n" + restart).isIn(0);
      assertThat(cli.as("alice", "friend", "list").code()).isZero();
      assertThat(cli.as("alice", "history", "bob", "--all").code()).as("seed " + seed).isZero();
      Result received = cli.as("bob", "receive");
      assertThat(received.code()).as("seed " + seed + "\n" + received).isZero();
      List<String> texts = received.lines().stream().map(l -> l.substring(l.indexOf(": ") + 2)).collect(Collectors.toList());
      // What arrived from this run is exactly its first k lines: no gap, no duplicate, nothing out of order.
      String prefix = "r" + run + "-";
      assertThat(texts).as("seed " + seed).allMatch(t -> t.startsWith(prefix));
      assertThat(texts).as("seed " + seed)
          .isEqualTo(IntStream.range(0, texts.size()).mapToObj(i -> prefix + i).collect(Collectors.toList()));
      // Every message the killed process reported as sent arrived, plus at most the one it was sending.
      long reported = Files.readAllLines(dir.resolve("run" + run + ".log")).stream().filter(l -> l.equals("Sent to bob."))
          .count();
      assertThat((long) texts.size()).as("seed " + seed).isBetween(reported, reported + 1);
      allSeen.addAll(texts);
      assertThat(cli.as("alice", "whoami").code()).isZero();
    }
    Set<String> unique = new HashSet<>(allSeen);
    assertThat(unique).hasSize(allSeen.size());
    Result finalCheck = cli.as("bob", "history", "alice", "--all");
    assertThat(finalCheck.code()).as(finalCheck.toString()).isZero();
    assertThat(finalCheck.lines()).hasSize(allSeen.size());
    System.out.printf("[reliability] kill -9: %d runs (seed %d), %d killed mid-send, %d messages delivered, 0 lost,"
        + " 0 duplicated, every local file parsed%n", CRASH_RUNS, seed, killed, allSeen.size());
  }
}
