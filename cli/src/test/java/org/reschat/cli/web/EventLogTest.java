package org.reschat.cli.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The log the pages' event streams read: its numbers are the cursor a reconnecting browser sends back. */
class EventLogTest {
  private static final Duration NO_WAIT = Duration.ZERO;

  @Test
  void aStreamGetsEverythingAfterItsCursorAndNothingBefore() throws Exception {
    EventLog log = new EventLog("run1");
    log.append(new EventLog.ChatsChanged());
    long seen = log.cursor();
    log.append(new EventLog.ChatsChanged());
    log.append(new EventLog.Notice(null, "b"));
    EventLog.Batch b = log.after(seen, NO_WAIT);
    assertThat(b.entries()).extracting(EventLog.Entry::seq).containsExactly(2L, 3L);
    assertThat(b.gap()).isFalse();
    assertThat(log.after(3, NO_WAIT).entries()).isEmpty();
  }

  @Test
  void aCursorFromAnotherRunOrTheFutureIsNotTakenForOneOfThisRun() {
    EventLog log = new EventLog("run1");
    log.append(new EventLog.ChatsChanged());
    assertThat(log.parse("run1-1")).isEqualTo(1);
    assertThat(log.parse("run1-0")).isZero();
    assertThat(log.parse("run2-1")).as("another run of the server: the page reloads").isEqualTo(-1);
    assertThat(log.parse("run1-9")).as("a number this run never gave").isEqualTo(-1);
    assertThat(log.parse("run1-x")).isEqualTo(-1);
    assertThat(log.parse(null)).isEqualTo(-1);
  }

  @Test
  void aCursorOlderThanWhatTheLogHoldsIsAGapNotASilentSkip() throws Exception {
    EventLog log = new EventLog("run1");
    for (int i = 0; i < EventLog.CAPACITY + 10; i++) {
      log.append(new EventLog.ChatsChanged());
    }
    assertThat(log.after(5, NO_WAIT).gap()).isTrue();
    EventLog.Batch recent = log.after(log.cursor() - 3, NO_WAIT);
    assertThat(recent.gap()).isFalse();
    assertThat(recent.entries()).hasSize(3);
    assertThat(log.after(log.cursor() - EventLog.CAPACITY, NO_WAIT).gap()).as("the oldest held is still there").isFalse();
  }

  @Test
  void aWaitingStreamWakesForANewItemAndEndsWhenTheLogCloses() throws Exception {
    EventLog log = new EventLog("run1");
    Thread writer = new Thread(() -> {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      log.append(new EventLog.ChatsChanged());
    });
    writer.start();
    EventLog.Batch b = log.after(0, Duration.ofMinutes(2));
    assertThat(b.entries()).hasSize(1);
    writer.join();
    log.close();
    assertThat(log.after(1, Duration.ofMinutes(2)).closed()).isTrue();
  }
}
