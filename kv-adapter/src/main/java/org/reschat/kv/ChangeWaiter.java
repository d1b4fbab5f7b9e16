package org.reschat.kv;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pause between two polls of a store, cut short when the store hints at a change.
 *
 * <p>A poller calls {@link #await} where it used to sleep. With a store that cannot notify, or while its
 * watch is reconnecting, {@code await} waits the whole poll interval, as before. While the watch is live it
 * returns as soon as a hint arrives, and otherwise waits the longer {@linkplain #fallback() fallback}
 * interval, because hints may be lost (see {@link ChangeNotifier}). A hint that arrives while the caller is
 * reading is kept, so the next {@code await} returns at once: a change is never slept through.
 *
 * <p>Thread-safe; one waiting thread at a time is the intended use.
 */
public final class ChangeWaiter implements AutoCloseable {
  /** How long a live watch may stay silent before the caller reads anyway. */
  public static final Duration DEFAULT_FALLBACK = Duration.ofSeconds(30);

  /** How often a long wait re-checks whether the watch is still live. */
  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final ChangeNotifier.Watch watch;
  private final Duration fallback;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition hinted = lock.newCondition();
  private boolean pending;
  private long hints;

  private ChangeWaiter(Optional<ChangeNotifier> notifier, String keyPrefix, Duration fallback) {
    this.fallback = Objects.requireNonNull(fallback, "fallback");
    this.watch = notifier.map(n -> n.watch(keyPrefix, this::hint)).orElse(null);
  }

  /** Watches {@code keyPrefix} on {@code store} if it can notify; otherwise only times the polls. */
  public static ChangeWaiter on(KvStore store, String keyPrefix) {
    return on(store, keyPrefix, DEFAULT_FALLBACK);
  }

  public static ChangeWaiter on(KvStore store, String keyPrefix, Duration fallback) {
    return new ChangeWaiter(store.changes(), Objects.requireNonNull(keyPrefix, "keyPrefix"), fallback);
  }

  /** True while hints arrive: the store notifies and its watch is connected. */
  public boolean pushing() {
    return watch != null && watch.live();
  }

  /** How long {@link #await} waits without a hint while {@link #pushing()}. */
  public Duration fallback() {
    return fallback;
  }

  /** Hints received so far (for tests and measurements). */
  public long hints() {
    lock.lock();
    try {
      return hints;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until a hint arrives or the wait is over: {@code pollInterval} while not {@link #pushing()}, the
   * longer of it and the fallback while pushing.
   *
   * @return true when a hint ended the wait, false when the time ran out
   */
  public boolean await(Duration pollInterval) throws InterruptedException {
    long start = System.nanoTime();
    lock.lock();
    try {
      while (true) {
        if (pending) {
          pending = false;
          return true;
        }
        long limit = pushing() ? Math.max(pollInterval.toNanos(), fallback.toNanos()) : pollInterval.toNanos();
        long remaining = start + limit - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        hinted.awaitNanos(Math.min(remaining, SLICE_NANOS));
      }
    } finally {
      lock.unlock();
    }
  }

  private void hint() {
    lock.lock();
    try {
      pending = true;
      hints++;
      hinted.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
  }
}
