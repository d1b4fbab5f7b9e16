package org.reschat.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.FakeKvStore;

/**
 * The wait between polls. The long intervals below are never waited out: a test that passes returns on a
 * hint; the {@code @Timeout} only stops a broken one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChangeWaiterTest {
  private static final Duration LONG = Duration.ofMinutes(10);

  @Test
  void aPutUnderThePrefixEndsTheWait() throws Exception {
    try (MemoryKvStore store = new MemoryKvStore(); ChangeWaiter waiter = ChangeWaiter.on(store, "rc2.", LONG)) {
      assertThat(waiter.pushing()).isTrue();
      Thread writer = new Thread(() -> {
        try {
          Thread.sleep(100);
          store.put("rc2.page", "v");
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      writer.start();
      assertThat(waiter.await(LONG)).isTrue();
      writer.join();
    }
  }

  @Test
  void aHintThatArrivedWhileTheCallerWasReadingIsKeptForTheNextWait() throws Exception {
    try (MemoryKvStore store = new MemoryKvStore(); ChangeWaiter waiter = ChangeWaiter.on(store, "", LONG)) {
      store.put("a", "1");
      store.put("b", "2");
      assertThat(waiter.await(LONG)).isTrue();
      assertThat(waiter.hints()).isEqualTo(2);
    }
  }

  @Test
  void putsOutsideThePrefixDoNotHintAndALiveWatchWaitsTheFallback() throws Exception {
    try (MemoryKvStore store = new MemoryKvStore();
        ChangeWaiter waiter = ChangeWaiter.on(store, "rc2.", Duration.ofMillis(50))) {
      store.put("rc1.page", "v");
      assertThat(waiter.await(Duration.ofMillis(1))).isFalse();
      assertThat(waiter.hints()).isZero();
    }
  }

  @Test
  void aStoreThatCannotNotifyWaitsThePollIntervalAsBefore() throws Exception {
    KvStore silent = new ForwardingKvStore(new MemoryKvStore()) {
      @Override
      public java.util.Optional<ChangeNotifier> changes() {
        return java.util.Optional.empty();
      }
    };
    try (ChangeWaiter waiter = ChangeWaiter.on(silent, "", LONG)) {
      assertThat(waiter.pushing()).isFalse();
      assertThat(waiter.await(Duration.ofMillis(20))).isFalse();
    }
  }

  @Test
  void aClosedWaiterHearsNothingMore() throws Exception {
    FakeKvStore store = new FakeKvStore();
    ChangeWaiter waiter = ChangeWaiter.on(store, "", LONG);
    waiter.close();
    store.put("k", "v");
    assertThat(waiter.hints()).isZero();
    assertThat(waiter.pushing()).isFalse();
  }
}
