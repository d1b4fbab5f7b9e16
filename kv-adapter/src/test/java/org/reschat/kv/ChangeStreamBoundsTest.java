package org.reschat.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reschat.kv.etcd.EtcdStore;
import org.reschat.kv.resilientdb.ResilientDbStore;
import org.reschat.kv.testing.HostileStreamServer;

/**
 * Issue 19 item 6: a hostile endpoint must not fill a follower's heap through the change stream. Each
 * endpoint offers one message of 256 MiB; the client must hang up after a bounded number of bytes (its
 * bound plus what the sockets' buffers hold) and treat it as a change it could not read. Measured in bytes
 * taken, never in time; the {@code @Timeout} only stops a broken test.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChangeStreamBoundsTest {
  /** Far above each bound (4 MiB for etcd, 64 KiB for a frame) plus loopback buffers; far below 256 MiB. */
  private static final long TAKEN_AT_MOST = 32L * 1024 * 1024;

  @Test
  void anEtcdWatchMessageWithoutEndIsDroppedAfterABoundedNumberOfBytes() throws Exception {
    try (HostileStreamServer hostile = new HostileStreamServer(HostileStreamServer.Kind.ETCD_WATCH);
        EtcdStore store = EtcdStore.builder().endpoint(hostile.url()).build();
        ChangeNotifier.Watch watch = store.changes().orElseThrow().watchKeys("", changed -> {})) {
      awaitStreams(hostile, 2); // it hung up on the first and came back for another
      assertThat(hostile.mostTaken()).isLessThan(TAKEN_AT_MOST);
    }
  }

  @Test
  void aWebSocketFrameDeclaringMoreThanTheBoundIsRefusedBeforeBuffering() throws Exception {
    try (HostileStreamServer hostile = new HostileStreamServer(HostileStreamServer.Kind.WEBSOCKET);
        ResilientDbStore store = ResilientDbStore.builder().endpoint(hostile.url()).build();
        ChangeNotifier.Watch watch = store.changes().orElseThrow().watch("", () -> {})) {
      awaitStreams(hostile, 2);
      assertThat(hostile.mostTaken()).isLessThan(TAKEN_AT_MOST);
    }
  }

  private static void awaitStreams(HostileStreamServer hostile, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (hostile.streams() < count && System.nanoTime() - deadline < 0) {
      Thread.sleep(50);
    }
    assertThat(hostile.streams()).as("huge answers started").isGreaterThanOrEqualTo(count);
  }
}
