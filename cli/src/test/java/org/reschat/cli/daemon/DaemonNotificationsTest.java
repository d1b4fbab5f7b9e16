package org.reschat.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.Writer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Notifications go to each connection through a bounded queue: a peer that stops reading is dropped once
 * its queue is full, and never holds up the engine's thread or the other peers. Counted, not timed.
 */
class DaemonNotificationsTest {

  /** A peer whose socket never drains: every write blocks until the test lets go. */
  private static final class StuckWriter extends Writer {
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IOException("interrupted");
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      release.countDown();
    }
  }

  @Test
  void aPeerThatStopsReadingIsDroppedAfterItsBoundAndTheOthersGetEveryNotification() throws Exception {
    Daemon daemon = new Daemon(null, null);
    AtomicInteger drops = new AtomicInteger();
    StuckWriter stuck = new StuckWriter();
    PipedWriter keepOpen = new PipedWriter();
    RpcConnection slow = new RpcConnection(daemon, new PipedReader(keepOpen), stuck, drops::incrementAndGet);
    Thread slowServe = new Thread(() -> {
      try {
        slow.serve();
      } catch (IOException e) {
        // the connection ended
      }
    });
    slowServe.start();

    AtomicInteger received = new AtomicInteger();
    Daemon.Listener fast = new Daemon.Listener() {
      @Override
      public boolean offer(JsonObject notification) {
        received.incrementAndGet();
        return true;
      }

      @Override
      public void dropped() {
        throw new AssertionError("the reading peer was dropped");
      }
    };
    daemon.addListener(fast);
    while (!daemon.hasListener(slow)) {
      Thread.sleep(5); // serve() registers the slow peer on its own thread
    }

    int sent = 3 * RpcConnection.MAX_QUEUED_NOTIFICATIONS;
    for (int i = 0; i < sent; i++) { // returns although one peer never reads: nothing waits on it
      JsonObject o = new JsonObject();
      o.addProperty("n", i);
      daemon.broadcast(Daemon.notification("receive", o));
    }
    assertThat(received.get()).isEqualTo(sent);
    assertThat(drops.get()).as("dropped once, when its queue was full").isEqualTo(1);
    assertThat(daemon.hasListener(slow)).isFalse();

    stuck.close();
    keepOpen.close();
    slowServe.join(60_000);
    assertThat(slowServe.isAlive()).isFalse();
  }

  @Test
  void aPeerThatReadsGetsEveryNotificationInOrder() throws Exception {
    Daemon daemon = new Daemon(null, null);
    java.io.StringWriter out = new java.io.StringWriter();
    PipedWriter keepOpen = new PipedWriter();
    RpcConnection peer = new RpcConnection(daemon, new PipedReader(keepOpen), out, () -> { });
    Thread serve = new Thread(() -> {
      try {
        peer.serve();
      } catch (IOException e) {
        // the connection ended
      }
    });
    serve.start();
    while (!daemon.hasListener(peer)) {
      Thread.sleep(5);
    }
    for (int i = 0; i < 10; i++) {
      JsonObject o = new JsonObject();
      o.addProperty("n", i);
      daemon.broadcast(Daemon.notification("receive", o));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (out.toString().split("\n").length < 10 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    String[] lines = out.toString().split("\n");
    for (int i = 0; i < 10; i++) {
      assertThat(lines[i]).contains("\"n\":" + i);
    }
    keepOpen.close();
    serve.join(60_000);
  }
}
