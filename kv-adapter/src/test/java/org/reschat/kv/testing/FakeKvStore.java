package org.reschat.kv.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.KvUnconfirmedException;
import org.reschat.kv.KvVersion;
import org.reschat.kv.StoreHealth;
import org.reschat.kv.VersionedKvStore;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * An in-memory store whose failures a test scripts: a store that is down, writes that are lost or
 * applied without confirmation, and direct writes by a third party. Thread-safe.
 *
 * <pre>{@code
 * FakeKvStore store = new FakeKvStore();
 * store.putMode(PutMode.UNCONFIRMED_LOST);   // the next puts throw KvUnconfirmedException, nothing stored
 * store.failNextGets(2);                      // the next two reads throw KvUnavailableException
 * store.tamper("rc1.x.y.1", "garbage");       // what an attacker with ledger access can do
 * store.corrupt("rc1.x.y.2");                 // a key holding something that is not a value
 * }</pre>
 *
 * <p>A {@link #getAll} is one call, as it is one request to a real store: it takes one scripted read
 * failure (the whole batch fails, as a real one does), and {@link #getAllCalls()} counts it once.
 */
public final class FakeKvStore extends ForwardingKvStore implements VersionedKvStore {

  /** What a {@code put} does. */
  public enum PutMode {
    /** Stores the value and returns. */
    NORMAL,
    /** Stores the value but throws {@link KvUnconfirmedException}, as a slow cluster does. */
    UNCONFIRMED_APPLIED,
    /** Stores nothing and throws {@link KvUnconfirmedException}, as a stalled cluster does. */
    UNCONFIRMED_LOST,
    /** Stores nothing and throws {@link KvUnavailableException}, as a dead endpoint does. */
    UNAVAILABLE
  }

  private final MemoryKvStore memory;
  private final Deque<KvException> getFailures = new ArrayDeque<>();
  private volatile PutMode putMode = PutMode.NORMAL;
  private volatile boolean down;
  private final java.util.Set<String> corrupt = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong getAllCalls = new java.util.concurrent.atomic.AtomicLong();

  public FakeKvStore() {
    this(new MemoryKvStore());
  }

  private FakeKvStore(MemoryKvStore memory) {
    super(memory);
    this.memory = memory;
  }

  /** Sets what every following {@code put} does. */
  public FakeKvStore putMode(PutMode mode) {
    this.putMode = mode;
    return this;
  }

  /** While down, every call throws {@link KvUnavailableException}. */
  public FakeKvStore down(boolean down) {
    this.down = down;
    return this;
  }

  /** The next {@code count} reads ({@code get} or {@code getAll}, one each) throw {@link KvUnavailableException}. */
  public FakeKvStore failNextGets(int count) {
    synchronized (getFailures) {
      for (int i = 0; i < count; i++) {
        getFailures.add(new KvUnavailableException("FakeKvStore: scripted read failure"));
      }
    }
    return this;
  }

  /** Writes directly, bypassing scripted faults: what any third party with ledger access can do. */
  public void tamper(String key, String value) {
    try {
      memory.put(key, value);
      corrupt.remove(key);
    } catch (KvException e) {
      throw new IllegalStateException(e);
    }
  }

  /** From now on {@code key} holds something that is not a value, until it is put again. */
  public void corrupt(String key) {
    corrupt.add(org.reschat.kv.KvKeys.requireValid(key));
  }

  /** How many {@link #getAll} calls were made (each is one batch, whatever its size). */
  public long getAllCalls() {
    return getAllCalls.get();
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    org.reschat.kv.KvKeys.requireValid(key);
    checkRead();
    if (corrupt.contains(key)) {
      throw new org.reschat.kv.KvCorruptValueException(key, "FakeKvStore: scripted corrupt value");
    }
    return super.get(key);
  }

  @Override
  public java.util.Map<String, org.reschat.kv.KvRead> getAll(java.util.Collection<String> keys) throws KvException {
    keys.forEach(org.reschat.kv.KvKeys::requireValid);
    getAllCalls.incrementAndGet();
    checkRead();
    java.util.Map<String, org.reschat.kv.KvRead> out = new java.util.LinkedHashMap<>();
    for (String key : keys) {
      if (!out.containsKey(key)) {
        out.put(key, corrupt.contains(key)
            ? new org.reschat.kv.KvRead.Corrupt(new org.reschat.kv.KvCorruptValueException(key,
                "FakeKvStore: scripted corrupt value").getMessage())
            : org.reschat.kv.KvRead.of(super.get(key)));
      }
    }
    return out;
  }

  private void checkRead() throws KvException {
    checkUp();
    synchronized (getFailures) {
      KvException scripted = getFailures.poll();
      if (scripted != null) {
        throw scripted;
      }
    }
  }

  @Override
  public void put(String key, String value) throws KvException {
    checkUp();
    switch (putMode) {
      case NORMAL:
        super.put(key, value);
        corrupt.remove(key);
        return;
      case UNCONFIRMED_APPLIED:
        super.put(key, value);
        throw new KvUnconfirmedException("FakeKvStore: write of " + key + " applied but not confirmed");
      case UNCONFIRMED_LOST:
        throw new KvUnconfirmedException("FakeKvStore: write of " + key + " lost");
      case UNAVAILABLE:
      default:
        throw new KvUnavailableException("FakeKvStore: store unavailable for " + key);
    }
  }

  @Override
  public List<KvVersion> history(String key) throws KvException {
    return memory.history(key);
  }

  @Override
  public String describe() {
    return "fake store";
  }

  @Override
  public StoreHealth health() {
    return down ? new StoreHealth(describe(), List.of(StoreHealth.Endpoint.down("fake", "scripted down")))
        : super.health();
  }

  private void checkUp() throws KvUnavailableException {
    if (down) {
      throw new KvUnavailableException("FakeKvStore: scripted down");
    }
  }
}
