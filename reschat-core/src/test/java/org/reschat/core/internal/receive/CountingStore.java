package org.reschat.core.internal.receive;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.Changed;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStore;

/**
 * Counts what a client asks a store: single reads, batches and the keys in them; and lets a test play the
 * store's change notifications ({@link #announce}), keys named or not.
 */
final class CountingStore extends ForwardingKvStore {
  final AtomicInteger gets = new AtomicInteger();
  final AtomicInteger batches = new AtomicInteger();
  final AtomicInteger batchedKeys = new AtomicInteger();
  private final java.util.Set<java.util.function.Consumer<Changed>> watchers =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  CountingStore(KvStore delegate) {
    super(delegate);
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    gets.incrementAndGet();
    keys.add(key);
    return delegate().get(key);
  }

  @Override
  public Map<String, KvRead> getAll(Collection<String> keys) throws KvException {
    batches.incrementAndGet();
    batchedKeys.addAndGet(keys.size());
    this.keys.addAll(keys);
    return delegate().getAll(keys);
  }

  /** Round trips: single reads plus batches. */
  int roundTrips() {
    return gets.get() + batches.get();
  }

  /** Keys read, singly or in batches. */
  int keysRead() {
    return gets.get() + batchedKeys.get();
  }

  /** The keys read since the last {@link #reset}, singly or in batches. */
  final java.util.Set<String> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();

  void reset() {
    keys.clear();
    gets.set(0);
    batches.set(0);
    batchedKeys.set(0);
  }

  /** Plays a change notification to every watch. */
  void announce(Changed c) {
    watchers.forEach(w -> w.accept(c));
  }

  @Override
  public Optional<ChangeNotifier> changes() {
    return Optional.of(new ChangeNotifier() {
      @Override
      public Watch watch(String keyPrefix, Runnable onChange) {
        return watchKeys(keyPrefix, c -> onChange.run());
      }

      @Override
      public Watch watchKeys(String keyPrefix, java.util.function.Consumer<Changed> onChange) {
        watchers.add(onChange);
        return new Watch() {
          @Override
          public boolean live() {
            return true;
          }

          @Override
          public void close() {
            watchers.remove(onChange);
          }
        };
      }
    });
  }
}
