package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;
import org.reschat.kv.testing.EtcdCluster;

/**
 * Two people chatting through the CLI on a real three-member etcd cluster whose members are killed with
 * SIGKILL midway. Skipped when etcd is not installed. Uses only CLI commands, so it holds for any protocol
 * version of the chat core. The {@code @Timeout} only stops a hung test.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@org.junit.jupiter.api.Tag("slow") // real etcd processes: left out by mvn -Pfast
class EtcdEndToEndTest {
  @TempDir Path dir;
  CliHarness cli;
  EtcdCluster cluster;

  @BeforeEach
  void start() {
    assumeTrue(EtcdCluster.installed(), EtcdCluster.NOT_INSTALLED);
    cluster = EtcdCluster.start(3);
    cli = new CliHarness(dir);
    cli.env.put("RESCHAT_STORE", cluster.storeSpec());
    cli.env.put("RESCHAT_CONNECT_TIMEOUT", "1s");
    cli.env.put("RESCHAT_READ_TIMEOUT", "2s");
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Issue 24: a cluster whose database reached its quota. {@code store check} says so, a send is queued
   * (exit 6) with one sentence saying what to do, and once an operator compacts, defragments and disarms
   * the alarm, the next send publishes it: nothing is lost.
   */
  @Test
  void aFullDatabaseQueuesSendsWithOneSentenceAndNothingIsLostOnceFreed() throws Exception {
    try (EtcdCluster small = EtcdCluster.startWithFlags(1, "--quota-backend-bytes", Integer.toString(5 * 512 * 1024))) {
      cli.env.put("RESCHAT_STORE", small.storeSpec());
      cli.friends("alice", "bob");
      assertThat(cli.as("alice", "send", "bob", "before").code()).isZero();
      byte[] filler = new byte[64 * 1024];
      for (int i = 0; i < 400; i++) { // one key rewritten: history only, which compaction frees
        try {
          small.rawPut("filler", filler);
        } catch (IllegalStateException full) {
          break;
        }
      }
      Result check = cli.run("store", "check");
      assertThat(check.out()).as(check.toString()).contains("FULL");
      Result queued = cli.as("alice", "send", "bob", "while full");
      assertThat(queued.code()).as(queued.toString()).isEqualTo(ExitCodes.QUEUED);
      assertThat(queued.err()).contains("refuses every write", "compact and defragment", "1 message(s) wait in the outbox");

      small.compactDefragmentAndDisarm();
      assertThat(cli.as("alice", "send", "bob", "after").code()).isZero();
      assertThat(cli.as("bob", "receive").out()).contains("before", "while full", "after");
    }
  }

  @Test
  void thirtySendsWhileTheLeaderIsKilledMidwayAreAllDeliveredOnceAndInOrder() {
    cli.friends("alice", "bob");
    int leader = cluster.leader(Duration.ofSeconds(10)).orElseThrow();
    List<Integer> codes = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      if (i == 16) {
        cluster.member(leader).kill();
      }
      Result sent = cli.as("alice", "send", "bob", "message " + i);
      assertThat(sent.code()).as(sent.toString()).isIn(ExitCodes.OK, ExitCodes.QUEUED);
      codes.add(sent.code());
    }
    cluster.leader(Duration.ofSeconds(60)).orElseThrow(); // the election after the kill is over, however slow
    Result publish = cli.as("alice", "receive");
    assertThat(publish.code()).as(publish.toString()).isZero();

    Result received = cli.as("bob", "receive");
    assertThat(received.code()).as(received.toString()).isZero();
    assertThat(texts(received)).containsExactlyElementsOf(expected(1, 30));
    assertThat(cli.as("bob", "receive").lines()).as("never the same message twice").isEmpty();

    cluster.member(leader).restart();
    Result store = cli.run("store", "check");
    assertThat(store.code()).as(store.toString()).isZero();
    assertThat(store.out()).contains("etcd at").contains("leader");
  }

  @Test
  void withTwoOfThreeMembersKilledSendsAreQueuedAndDeliveredAfterRestart() {
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "message 1"));
    cluster.member(1).kill();
    cluster.member(2).kill();

    for (int i = 2; i <= 4; i++) {
      Result queued = cli.as("alice", "send", "bob", "message " + i);
      assertThat(queued.code()).as(queued.toString()).isEqualTo(ExitCodes.QUEUED);
    }
    Result check = cli.run("store", "check");
    assertThat(check.code()).as(check.toString()).isEqualTo(ExitCodes.STORE);

    cluster.member(1).restart();
    cluster.member(2).restart();
    Result publish = cli.as("alice", "receive");
    assertThat(publish.code()).as(publish.toString()).isZero();
    assertThat(publish.err()).contains("Published");

    Result received = cli.as("bob", "receive");
    assertThat(texts(received)).as(received.toString()).containsExactlyElementsOf(expected(1, 4));
  }

  @Test
  void receiveFollowIsWokenByTheWatchWhileAMemberIsDown() throws Exception {
    // The first endpoint is where the watch would connect first.
    PushDeliveryTest.followWhileAliceSends(cli, () -> cluster.member(0).kill());
  }

  private static List<String> texts(Result r) {
    return r.lines().stream().map(l -> l.substring(l.indexOf("alice: ") + "alice: ".length())).collect(Collectors.toList());
  }

  private static List<String> expected(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> "message " + i).collect(Collectors.toList());
  }
}
