package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.kv.testing.ResilientDbCluster;

/** Ctrl-C during a send (issue 20): exit 130, and one sentence saying the message is kept and published later. */
class InterruptedSendTest {
  @TempDir Path dir;

  @Test
  void ctrlCWhileTheStoreConfirmsSaysTheMessageIsKeptAndItIsPublishedLater() throws Exception {
    try (ResilientDbCluster cluster = ResilientDbCluster.start(1)) {
      CliHarness cli = new CliHarness(dir);
      cli.useResilientDb(cluster, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMinutes(5));
      cli.friends("alice", "bob");
      cluster.dropCommits(true); // accepted and never visible: the send waits for its confirmation
      Path log = dir.resolve("send.log");
      Process send = ChildProcesses.startUnder(ChildProcesses.DEFAULT_SIGINT, List.of(), cli.env, log, null, "--home", dir.resolve("alice").toString(),
          "send", "bob", "typed before Ctrl-C");
      try {
        waitForOutbox(dir.resolve("alice/state/outbox"), send, log);
        assertThat(new ProcessBuilder("kill", "-INT", Long.toString(send.pid())).start().waitFor()).isZero();
        assertThat(send.waitFor(2, TimeUnit.MINUTES)).as("it ends on Ctrl-C").isTrue();
      } finally {
        send.destroyForcibly();
      }
      String said = Files.readString(log);
      assertThat(send.exitValue()).as(said).isEqualTo(ExitCodes.INTERRUPTED);
      assertThat(said).contains("reschat: Interrupted: the message to bob is kept in the outbox, and the next"
          + " 'reschat send' or 'reschat receive' publishes it.");

      cluster.dropCommits(false);
      assertThat(CliHarness.check(cli.as("alice", "receive")).err()).contains("Published 1 queued message(s) to bob.");
      assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice: typed before Ctrl-C");
    }
  }

  private static void waitForOutbox(Path outbox, Process send, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (true) {
      if (Files.isDirectory(outbox)) {
        try (Stream<Path> files = Files.walk(outbox)) {
          if (files.anyMatch(p -> p.toString().endsWith(".log"))) { // the feed's outbox log, made durable before the store is asked
            return;
          }
        }
      }
      if (!send.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("the message never reached the outbox: " + Files.readString(log));
      }
      Thread.sleep(50);
    }
  }
}
