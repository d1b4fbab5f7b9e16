package org.reschat.core.internal.receive;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.reschat.core.Event;
import org.reschat.core.Receiver;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.Changed;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * A running {@link Receiver#follow}: a thread that makes a full pass at once, then a pass limited to the
 * chats a change notification names (when the store names keys), a full pass after a notification that
 * names none, and a full pass whenever the wait runs out: the interval while the store cannot notify, the
 * wait chosen for while it pushes otherwise (notifications may be lost).
 */
final class Following implements Receiver.Subscription {
  private final LedgerReceiver receiver;
  private final Receiver.Scope scope;
  private final Duration interval;
  private final Duration whilePushing;
  private final Receiver.Listener listener;
  private final ChangeNotifier.Watch watch;
  private final Thread thread;
  private final LedgerReceiver.Shown shown = new LedgerReceiver.Shown();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition hinted = lock.newCondition();
  private final AtomicLong passes = new AtomicLong();
  private Changed pending;
  private volatile boolean stopping;
  private volatile Exception failure;

  Following(LedgerReceiver receiver, KvStore store, Receiver.Scope scope, Duration interval, Duration whilePushing,
      Receiver.Listener listener) {
    this.receiver = receiver;
    this.scope = scope;
    this.interval = interval;
    this.whilePushing = whilePushing;
    this.listener = listener;
    this.watch = store.changes().map(n -> n.watchKeys(Conversation.KEY_PREFIX, this::hint)).orElse(null);
    this.thread = new Thread(this::run, "reschat-receive");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void hint(Changed c) {
    lock.lock();
    try {
      pending = pending == null ? c : pending.and(c);
      hinted.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a notification or the end of the wait; returns what changed (unknown when the wait ran out). */
  private Changed await() throws InterruptedException {
    long start = System.nanoTime();
    lock.lock();
    try {
      while (!stopping) {
        if (pending != null) {
          Changed c = pending;
          pending = null;
          return c;
        }
        boolean pushing = watch != null && watch.live();
        long limit = pushing ? whilePushing.toNanos() : interval.toNanos();
        long remaining = start + limit - System.nanoTime();
        if (remaining <= 0) {
          return Changed.unknown();
        }
        hinted.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(250)));
      }
      return Changed.unknown();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    try {
      Changed changed = Changed.unknown();
      while (!stopping) {
        try {
          receiver.pass(scope, changed, event -> {
            if (!stopping) {
              listener.onEvent(event);
            }
          }, shown);
          passes.incrementAndGet();
        } catch (KvException e) {
          if (!stopping) {
            listener.onEvent(new Event.StoreUnreachable(e));
          }
          passes.incrementAndGet();
        }
        changed = await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception | Error e) {
      if (!stopping) {
        failure = e instanceof Exception ? (Exception) e : new IllegalStateException(e);
      }
    } finally {
      receiver.stopped(this);
    }
  }

  @Override
  public long passes() {
    return passes.get();
  }

  @Override
  public Optional<Exception> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public void close() {
    stopping = true;
    if (watch != null) {
      watch.close();
    }
    lock.lock();
    try {
      hinted.signalAll();
    } finally {
      lock.unlock();
    }
    if (Thread.currentThread() != thread) {
      thread.interrupt();
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
