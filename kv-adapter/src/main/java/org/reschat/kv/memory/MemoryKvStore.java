package org.reschat.kv.memory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.Changed;
import org.reschat.kv.KvKeys;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.KvValues;
import org.reschat.kv.PutIfUnchanged;
import org.reschat.kv.KvVersion;
import org.reschat.kv.StoreHealth;
import org.reschat.kv.VersionedKvStore;

/**
 * A store in this process's memory that keeps every version of every key. For tests and for
 * applications that embed the chat core without persistence. Thread-safe; {@code put} is visible to
 * every later {@code get} as soon as it returns. Values are capped at {@link KvValues#MAX_VALUE_BYTES} when
 * they are put, the only way in, so nothing larger can be read.
 */
public final class MemoryKvStore implements VersionedKvStore {
  private final Map<String, List<KvVersion>> versions = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final Clock clock;
  private final java.util.Set<PrefixWatch> watches = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public MemoryKvStore() {
    this(Clock.systemUTC());
  }

  public MemoryKvStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Optional<String> get(String key) throws KvUnavailableException {
    KvKeys.requireValid(key);
    ensureOpen();
    List<KvVersion> list = versions.get(key);
    if (list == null) {
      return Optional.empty();
    }
    return Optional.of(newest(list));
  }

  @Override
  public Map<String, KvRead> getAll(Collection<String> keys) throws KvUnavailableException {
    keys.forEach(KvKeys::requireValid);
    ensureOpen();
    Map<String, KvRead> out = new LinkedHashMap<>();
    for (String key : keys) {
      if (!out.containsKey(key)) {
        out.put(key, KvRead.of(get(key)));
      }
    }
    return out;
  }

  @Override
  public void put(String key, String value) throws KvUnavailableException {
    KvKeys.requireValid(key);
    KvValues.requireValid(value);
    ensureOpen();
    versions.compute(key, (k, list) -> append(list, value));
    notifyWatches(key);
  }

  /** Compares and puts in one step: the map's compute holds the key against every other put of it. */
  @Override
  public PutIfUnchanged putIfUnchanged(String key, Optional<String> expected, String value) throws KvUnavailableException {
    KvKeys.requireValid(key);
    KvValues.requireValid(value);
    expected.ifPresent(KvValues::requireValid);
    ensureOpen();
    KvRead[] found = new KvRead[1];
    versions.compute(key, (k, list) -> {
      found[0] = list == null ? KvRead.absent() : KvRead.of(Optional.of(newest(list)));
      return found[0].equals(KvRead.of(expected)) ? append(list, value) : list;
    });
    if (!found[0].equals(KvRead.of(expected))) {
      return PutIfUnchanged.refused(found[0]);
    }
    notifyWatches(key);
    return PutIfUnchanged.written(value);
  }

  private List<KvVersion> append(List<KvVersion> list, String value) {
    List<KvVersion> target = list == null ? new ArrayList<>() : list;
    synchronized (target) {
      target.add(new KvVersion(sequence.incrementAndGet(), value, clock.instant()));
    }
    return target;
  }

  private static String newest(List<KvVersion> list) {
    synchronized (list) {
      return list.get(list.size() - 1).value();
    }
  }

  private void notifyWatches(String key) {
    for (PrefixWatch w : watches) {
      if (key.startsWith(w.prefix)) {
        w.onChange.accept(Changed.keys(Set.of(key))); // on the writer's thread, after the write is visible
      }
    }
  }

  /** Every key ever written, in the order each was first written (by the sequence of its first version). */
  public List<String> keys() {
    List<Map.Entry<String, List<KvVersion>>> entries = new ArrayList<>(versions.entrySet());
    entries.sort(java.util.Comparator.comparingLong(e -> {
      synchronized (e.getValue()) {
        return e.getValue().get(0).sequence();
      }
    }));
    return entries.stream().map(Map.Entry::getKey).toList();
  }

  /** Hints on every put under the prefix, exactly, naming the key (no spurious or lost ones in one process). */
  @Override
  public Optional<ChangeNotifier> changes() {
    return Optional.of(new ChangeNotifier() {
      @Override
      public Watch watch(String prefix, Runnable onChange) {
        Objects.requireNonNull(onChange);
        return watchKeys(prefix, changed -> onChange.run());
      }

      @Override
      public Watch watchKeys(String prefix, Consumer<Changed> onChange) {
        PrefixWatch w = new PrefixWatch(Objects.requireNonNull(prefix), Objects.requireNonNull(onChange));
        watches.add(w);
        return w;
      }
    });
  }

  private final class PrefixWatch implements ChangeNotifier.Watch {
    final String prefix;
    final Consumer<Changed> onChange;

    PrefixWatch(String prefix, Consumer<Changed> onChange) {
      this.prefix = prefix;
      this.onChange = onChange;
    }

    @Override
    public boolean live() {
      return !closed && watches.contains(this);
    }

    @Override
    public void close() {
      watches.remove(this);
    }
  }

  @Override
  public List<KvVersion> history(String key) throws KvUnavailableException {
    KvKeys.requireValid(key);
    ensureOpen();
    List<KvVersion> list = versions.get(key);
    if (list == null) {
      return List.of();
    }
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  /** One step in this process's memory, which dies with the process and everyone who read it. */
  @Override
  public boolean writesAreLocalTransactions() {
    return true;
  }

  @Override
  public String describe() {
    return "in-memory store (this process only)";
  }

  @Override
  public StoreHealth health() {
    return new StoreHealth(describe(), List.of(closed
        ? StoreHealth.Endpoint.down("memory", "closed")
        : StoreHealth.Endpoint.up("memory", Duration.ZERO, versions.size() + " keys")));
  }

  @Override
  public int maxConcurrentReads() {
    return Runtime.getRuntime().availableProcessors();
  }

  @Override
  public void close() {
    closed = true;
    watches.clear();
  }

  private void ensureOpen() throws KvUnavailableException {
    if (closed) {
      throw new KvUnavailableException("The in-memory store is closed.");
    }
  }
}
