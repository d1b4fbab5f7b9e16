package org.reschat.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C during {@code send}: on the embedded ledger a page is written before it is queued, so a send caught in its
 * commit has sent its message though nothing is queued. What Ctrl-C says must count it: it lets the send under way
 * end before it counts, and no send begins after it.
 */
class SendInFlightTest {

  @Test
  void ctrlCCountsTheSendThatEndsAfterItAndNoSendBeginsAfterIt() throws Exception {
    // The product waits 2 s; here long enough that a loaded machine cannot run the wait out between two steps.
    SendCommand.InFlight sending = new SendCommand.InFlight(TimeUnit.MINUTES.toNanos(10));
    sending.begin();
    sending.end();
    sending.begin(); // the second message is being written
    Thread[] signal = new Thread[1];
    CompletableFuture<Integer> counted = CompletableFuture.supplyAsync(() -> {
      signal[0] = Thread.currentThread();
      return sending.stopAndSettle();
    });
    waitUntilWaiting(() -> signal[0]);
    assertThat(counted).as("it waits for the send under way").isNotDone();
    sending.end(); // the commit returns
    assertThat(counted.get(1, TimeUnit.MINUTES)).as("the message committed while Ctrl-C was handled is counted")
        .isEqualTo(2);

    Thread third = new Thread(() -> {
      try {
        sending.begin();
        throw new AssertionError("a send began after Ctrl-C");
      } catch (InterruptedException stopped) {
        // the test ends it
      }
    });
    third.start();
    waitUntilWaiting(() -> third);
    assertThat(third.getState()).as("no send begins after Ctrl-C").isEqualTo(Thread.State.WAITING);
    third.interrupt();
    third.join();
  }

  private static void waitUntilWaiting(java.util.function.Supplier<Thread> thread) throws InterruptedException {
    while (thread.get() == null || (thread.get().getState() != Thread.State.WAITING
        && thread.get().getState() != Thread.State.TIMED_WAITING)) {
      Thread.sleep(1);
    }
  }
}
