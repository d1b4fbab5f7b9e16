package org.reschat.kv.resilientdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reschat.kv.ChangeWaiter;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.testing.ResilientDbCluster;

/**
 * Hints from the block-update WebSocket of emulated endpoints (a real WebSocket over loopback). Ten-minute
 * waits are never waited out: each passes on a hint; the {@code @Timeout} only stops a broken test.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BlockUpdateTest {
  private static final Duration LONG = Duration.ofMinutes(10);
  /** How long a change of the watch's state may take to show: wide, as CI machines are often loaded. */
  private static final Duration WAIT = Duration.ofSeconds(50); // within the class's timeout
  private ResilientDbCluster cluster;
  private ResilientDbStore writer;
  private ResilientDbStore reader;

  @BeforeEach
  void start() {
    cluster = ResilientDbCluster.startWithBlockUpdates(2);
    StoreOptions options = StoreOptions.builder().confirmTimeout(Duration.ofSeconds(3)).build();
    writer = ResilientDbStore.builder().endpoints(cluster.urls()).options(options).build();
    reader = ResilientDbStore.builder().endpoints(cluster.urls()).options(options).build();
  }

  @AfterEach
  void stop() {
    writer.close();
    reader.close();
    cluster.close();
  }

  @Test
  void aCommitThroughEitherEndpointWakesTheReader() throws Exception {
    try (ChangeWaiter waiter = ChangeWaiter.on(reader, "", LONG)) {
      awaitPushing(waiter);
      assertThat(cluster.nodes()).allMatch(n -> n.blockUpdateListeners() == 1);
      for (int i = 0; i < 4; i++) { // the writer spreads its requests over both endpoints
        writer.put("k" + i, "v" + i);
        assertThat(waiter.await(LONG)).isTrue();
      }
      assertThat(reader.get("k3")).contains("v3");
    }
  }

  @Test
  void whileASocketIsDownTheWatchIsNotLiveAndItsReturnIsHinted() throws Exception {
    try (ChangeWaiter waiter = ChangeWaiter.on(reader, "", LONG)) {
      awaitPushing(waiter);
      cluster.node(1).refuseBlockUpdates(true);
      // Wide: noticing the socket is down takes a read that fails, slower on a loaded machine.
      for (long end = System.nanoTime() + WAIT.toNanos(); System.nanoTime() < end && waiter.pushing(); ) {
        Thread.sleep(25);
      }
      assertThat(waiter.pushing()).as("not live while a socket is down: callers poll at their interval").isFalse();
      long before = waiter.hints();
      cluster.node(1).refuseBlockUpdates(false);
      awaitPushing(waiter);
      assertThat(waiter.await(LONG)).isTrue();
      assertThat(waiter.hints()).isGreaterThan(before);
    }
  }

  @Test
  void aServiceWithoutTheSocketMeansPollingAsBefore() throws Exception {
    try (ResilientDbCluster plain = ResilientDbCluster.start(1);
        ResilientDbStore store = ResilientDbStore.builder().endpoints(plain.urls()).build();
        ChangeWaiter waiter = ChangeWaiter.on(store, "", LONG)) {
      assertThat(waiter.await(Duration.ofMillis(200))).isFalse();
      assertThat(waiter.pushing()).isFalse();
      store.put("k", "v"); // the KV routes are unaffected
      assertThat(store.get("k")).contains("v");
    }
  }

  private static void awaitPushing(ChangeWaiter waiter) throws InterruptedException {
    for (long end = System.nanoTime() + WAIT.toNanos(); System.nanoTime() < end && !waiter.pushing(); ) {
      Thread.sleep(25);
    }
    assertThat(waiter.pushing()).isTrue();
  }
}
