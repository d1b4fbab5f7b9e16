package org.reschat.kv.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRejectedException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.StoreHealth;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.testing.EtcdCluster;

/**
 * The etcd store on a real three-member cluster whose members the tests kill with SIGKILL. Skipped when
 * etcd is not installed. The {@code @Timeout}s only stop a hung test; no test asserts how long a call took.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@org.junit.jupiter.api.Tag("slow") // real etcd processes: left out by mvn -Pfast
class EtcdStoreTest {
  private static EtcdCluster cluster;
  private KvStore store;

  @BeforeAll
  static void startCluster() {
    assumeTrue(EtcdCluster.installed(), EtcdCluster.NOT_INSTALLED);
    cluster = EtcdCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void open() throws KvException {
    cluster.deleteAllKeys();
    store = KvStores.open(cluster.storeSpec(), StoreOptions.builder()
        .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2)).build());
  }

  @AfterEach
  void closeAndHeal() {
    store.close();
    cluster.restartStopped();
  }

  @Test
  void aValueOverTheClustersRequestLimitIsRejectedNotRetried() throws Exception {
    // A cluster configured below the store's own 1 MiB cap: etcd's refusal is a typed, final error.
    try (EtcdCluster small = EtcdCluster.start(1, 64 * 1024);
        org.reschat.kv.KvStore smallStore = KvStores.open(small.storeSpec(), StoreOptions.defaults())) {
      String tooBig = "x".repeat(100 * 1024);
      assertThatThrownBy(() -> smallStore.put("big", tooBig)).isInstanceOf(KvRejectedException.class)
          .hasMessageContaining("--max-request-bytes");
    }
  }

  @Test
  void bytesThatAreNotUtf8AreReportedAsCorrupt() {
    cluster.rawPut("raw", new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
    assertThatThrownBy(() -> store.get("raw")).isInstanceOf(KvCorruptValueException.class)
        .hasMessageContaining("raw");
  }

  @Test
  void healthNamesEachMemberAndTheLeader() {
    StoreHealth health = store.health();
    assertThat(health.endpoints()).hasSize(3).allMatch(StoreHealth.Endpoint::ok);
    int leader = cluster.leader(Duration.ofSeconds(10)).orElseThrow();
    assertThat(health.endpoints().get(leader).detail()).startsWith("healthy, leader, etcd 3.");
    assertThat(health.endpoints()).filteredOn(e -> e.detail().contains("follower")).hasSize(2);
  }

  @Test
  void killingTheLeaderMidwayLosesNoConfirmedPut() throws Exception {
    int leader = cluster.leader(Duration.ofSeconds(10)).orElseThrow();
    Map<String, String> confirmed = new LinkedHashMap<>();
    List<KvException> failed = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      if (i == 10) {
        cluster.member(leader).kill();
      }
      String key = "msg." + i;
      String value = "message " + i;
      try {
        store.put(key, value);
        confirmed.put(key, value);
      } catch (KvUnavailableException | KvTimeoutException e) {
        failed.add(e); // allowed: the outbox re-sends it; the test checks the confirmed ones
      }
    }
    assertThat(confirmed).as("the two remaining members keep a quorum").hasSizeGreaterThanOrEqualTo(20);
    for (Map.Entry<String, String> e : confirmed.entrySet()) {
      assertThat(store.get(e.getKey())).as(e.getKey()).contains(e.getValue());
    }
    cluster.member(leader).restart();
    // The restarted member catches up: a read from it alone sees every confirmed value.
    try (KvStore onlyRestarted = KvStores.open("etcd:" + cluster.member(leader).clientUrl())) {
      for (Map.Entry<String, String> e : confirmed.entrySet()) {
        assertThat(onlyRestarted.get(e.getKey())).as(e.getKey()).contains(e.getValue());
      }
    }
  }

  @Test
  void withTwoOfThreeKilledCallsFailWithTypedErrorsAndRecoverAfterRestart() throws Exception {
    store.put("before", "1");
    cluster.member(1).kill();
    cluster.member(2).kill();

    assertThatThrownBy(() -> store.put("during", "2"))
        .isInstanceOfAny(KvUnavailableException.class, KvTimeoutException.class)
        .hasMessageStartingWith("Could not write key during on etcd after");
    assertThatThrownBy(() -> store.get("before"))
        .isInstanceOfAny(KvUnavailableException.class, KvTimeoutException.class)
        .hasMessageStartingWith("Could not read key before on etcd after");
    StoreHealth health = store.health();
    assertThat(health.reachable()).isFalse();
    assertThat(health.endpoints().get(1).detail()).isEqualTo("connection refused");

    cluster.member(1).restart();
    cluster.member(2).restart();
    store.put("after", "3");
    assertThat(store.get("before")).contains("1");
    assertThat(store.get("after")).contains("3");
    // "during" may or may not have been applied: a put that throws is ambiguous, as the KvStore contract says.
    assertThat(store.get("during")).satisfiesAnyOf(v -> assertThat(v).isEmpty(), v -> assertThat(v).contains("2"));
  }

  @Test
  void aWatchHintsAtChangesUnderItsPrefix() throws Exception {
    ChangeNotifier notifier = store.changes().orElseThrow();
    Semaphore hints = new Semaphore(0);
    try (ChangeNotifier.Watch watch = notifier.watch("rc2.", hints::release)) {
      awaitLive(watch);
      store.put("rc2.feed.1", "page");
      assertThat(hints.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aWatchReconnectsToAnotherMemberWhenItsMemberIsKilled() throws Exception {
    ChangeNotifier notifier = store.changes().orElseThrow();
    Semaphore hints = new Semaphore(0);
    try (ChangeNotifier.Watch watch = notifier.watch("", hints::release)) {
      awaitLive(watch);
      cluster.member(0).kill(); // the watch's stream is on the first endpoint
      hints.drainPermits();
      store.put("after.kill", "v");
      assertThat(hints.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aWatchResumesFromTheRevisionAfterTheLastItSawSoAChangeMadeWhileAwayIsStillSeen() throws Exception {
    // A store on member 0 alone: while it is dead the watch has nowhere else to go.
    try (EtcdStore viaFirst = EtcdStore.builder().endpoint(cluster.member(0).clientUrl()).build()) {
      Semaphore hints = new Semaphore(0);
      try (ChangeNotifier.Watch watch = viaFirst.changes().orElseThrow().watch("k.", hints::release)) {
        awaitLive(watch);
        store.put("k.seen", "1");
        assertThat(hints.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
        long resumeAt = EtcdWatcher.resumeRevision(watch); // the revision of k.seen + 1
        assertThat(resumeAt).isPositive();

        cluster.member(0).kill();
        store.put("k.missed", "2"); // revision resumeAt, committed by the other two members
        cluster.member(0).restart();
        // Only an event replayed from revision resumeAt moves the resume point past it.
        for (int i = 0; i < 600 && EtcdWatcher.resumeRevision(watch) == resumeAt; i++) {
          Thread.sleep(50);
        }
        assertThat(EtcdWatcher.resumeRevision(watch)).isEqualTo(resumeAt + 1);
      }
    }
  }

  private static void awaitLive(ChangeNotifier.Watch watch) throws InterruptedException {
    for (int i = 0; i < 600 && !watch.live(); i++) {
      Thread.sleep(50);
    }
    assertThat(watch.live()).as("watch live").isTrue();
  }

  @Test
  void theRequestTimeoutStaysBelowEtcdsOwnSevenSeconds() {
    assertThat(EtcdStore.MAX_REQUEST_TIME).isLessThan(Duration.ofSeconds(7));
  }
}
