package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;
import org.reschat.kv.testing.ResilientDbCluster;

/**
 * {@code receive --follow} woken by the store's hints. The poll interval is ten minutes, so three polls
 * within the test's timeout can only come from hints; the {@code @Timeout} only stops a hung test.
 * (etcd's case is in {@link EtcdEndToEndTest}.)
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@org.junit.jupiter.api.Tag("slow") // end to end, follows a live store: left out by mvn -Pfast
class PushDeliveryTest {
  @TempDir Path dir;

  @Test
  void onTheEmbeddedLedgerAnotherProfilesSendWakesTheFollower() throws Exception {
    followWhileAliceSends(new CliHarness(dir), () -> { });
  }

  @Test
  void onResilientDbTheBlockUpdateSocketWakesTheFollower() throws Exception {
    try (ResilientDbCluster cluster = ResilientDbCluster.startWithBlockUpdates(2)) {
      CliHarness cli = new CliHarness(dir);
      cli.env.put("RESCHAT_STORE", cluster.storeSpec());
      followWhileAliceSends(cli, () -> { });
    }
  }

  /** A step taken after the first message and before Bob starts following (killing a store member, say). */
  interface Step {
    void run() throws Exception;
  }

  /**
   * Alice sends "message 1", {@code meanwhile} runs, then Bob follows with a ten-minute poll interval while
   * Alice keeps sending: only the store's hints can make his three polls happen, and he must see messages
   * 1…n in order, more than one, none twice.
   */
  static void followWhileAliceSends(CliHarness cli, Step meanwhile) throws Exception {
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "message 1"));
    meanwhile.run();
    CliHarness alice = new CliHarness(cli.root);
    alice.env.putAll(cli.env);
    AtomicBoolean done = new AtomicBoolean();
    Thread sender = new Thread(() -> {
      for (int i = 2; !done.get(); i++) {
        alice.as("alice", "send", "bob", "message " + i);
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    cli.env.put("RESCHAT_POLL_INTERVAL", "10m");
    sender.start();
    Result followed;
    try {
      followed = cli.as("bob", "receive", "--follow", "--polls", "3");
    } finally {
      done.set(true);
      sender.join();
    }
    assertThat(followed.code()).as(followed.toString()).isZero();
    List<String> texts = followed.lines().stream()
        .map(l -> l.substring(l.indexOf("alice: ") + "alice: ".length())).collect(Collectors.toList());
    assertThat(texts).hasSizeGreaterThan(1);
    assertThat(texts).isEqualTo(IntStream.rangeClosed(1, texts.size()).mapToObj(i -> "message " + i)
        .collect(Collectors.toList()));
  }
}
