package org.reschat.core.internal.feed;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStore;
import org.reschat.kv.PutIfUnchanged;

/**
 * The client's reads, remembered for the length of one receive pass. A pass reads the next keys of every
 * chat in one batch; the verified read of a chat that changed then finds those values here instead of
 * asking the store again, and what it reads on top is remembered too, so the pass knows what each chat's
 * keys held when it was done (see {@link NextKeys}). Outside a pass it passes every call through.
 * Writes go through, conditional ones as one request, and update what is remembered. Thread-safe.
 */
public final class PassCache extends ForwardingKvStore {
  private volatile Map<String, KvRead> pass;
  private final java.util.concurrent.atomic.AtomicLong keysRead = new java.util.concurrent.atomic.AtomicLong();

  public PassCache(KvStore store) {
    super(store);
  }

  /** Starts remembering, with the values of a batch read already in hand. */
  public void begin(Map<String, KvRead> prefetched) {
    Map<String, KvRead> m = new ConcurrentHashMap<>(prefetched);
    pass = m;
  }

  /** Stops remembering. */
  public void end() {
    pass = null;
  }

  /** Keys read from the store through this cache so far (a measure, never a limit). */
  public long keysRead() {
    return keysRead.get();
  }

  /** What the pass saw at {@code key}, when it read it. */
  public Optional<KvRead> seen(String key) {
    Map<String, KvRead> m = pass;
    return m == null ? Optional.empty() : Optional.ofNullable(m.get(key));
  }

  /** Reads {@code keys} in one batch (what the pass has not seen yet) and remembers them. */
  public Map<String, KvRead> prefetch(Collection<String> keys) throws KvException {
    Map<String, KvRead> m = pass;
    if (m == null) { // outside a pass: the store's batch as it is, not copied into another map
      keysRead.addAndGet(keys.size());
      return delegate().getAll(keys);
    }
    Map<String, KvRead> out = new java.util.LinkedHashMap<>();
    java.util.List<String> missing = new java.util.ArrayList<>();
    for (String k : keys) {
      KvRead known = m.get(k);
      if (known != null) {
        out.put(k, known);
      } else {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      keysRead.addAndGet(missing.size());
      Map<String, KvRead> got = delegate().getAll(missing);
      out.putAll(got);
      m.putAll(got);
    }
    return out;
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    Map<String, KvRead> m = pass;
    KvRead known = m == null ? null : m.get(key);
    if (known == null) {
      try {
        keysRead.incrementAndGet();
        Optional<String> v = delegate().get(key);
        if (m != null) {
          m.put(key, KvRead.of(v));
        }
        return v;
      } catch (KvCorruptValueException e) {
        if (m != null) {
          m.put(key, new KvRead.Corrupt(e.getMessage()));
        }
        throw e;
      }
    }
    if (known instanceof KvRead.Corrupt) {
      throw new KvCorruptValueException(key, ((KvRead.Corrupt) known).detail());
    }
    return known.value();
  }

  /** Reads {@code key} from the store now, whatever the pass remembers, and remembers the answer. */
  public Optional<String> getLive(String key) throws KvException {
    Map<String, KvRead> m = pass;
    if (m != null) {
      m.remove(key);
    }
    return get(key);
  }

  @Override
  public Map<String, KvRead> getAll(Collection<String> keys) throws KvException {
    return prefetch(keys);
  }

  @Override
  public void put(String key, String value) throws KvException {
    Map<String, KvRead> m = pass;
    if (m != null) {
      m.remove(key); // a write that fails may or may not have landed: read it again
    }
    super.put(key, value);
    if (m != null) {
      m.put(key, new KvRead.Value(value));
    }
  }

  /** Passed to the store as one request (atomic where it can be); what the key holds after it is remembered. */
  @Override
  public PutIfUnchanged putIfUnchanged(String key, Optional<String> expected, String value) throws KvException {
    Map<String, KvRead> m = pass;
    if (m != null) {
      m.remove(key);
    }
    PutIfUnchanged result = delegate().putIfUnchanged(key, expected, value);
    if (m != null) {
      m.put(key, result.current());
    }
    return result;
  }

  /** Writes pass through whole: as local as the store's. */
  @Override
  public boolean writesAreLocalTransactions() {
    return delegate().writesAreLocalTransactions();
  }
}
