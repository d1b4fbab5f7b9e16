package org.reschat.cli.bench;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStore;
import org.reschat.kv.PutIfUnchanged;
import org.reschat.kv.resilientdb.ResilientDbStore;

/**
 * Counts what a store is asked to do, for {@code reschat bench}. On ResilientDB it also counts the
 * requests the store sends by itself (the read-backs that confirm a write, re-posts), which a wrapper
 * cannot see. A {@link #getAll} is counted as one batch and, apart, by its keys; {@code reads} counts
 * single gets only (on ResilientDB, every GET sent, batches' included, as each key is one request there).
 * Thread-safe.
 */
final class CountingKvStore extends ForwardingKvStore {
  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong batchKeys = new AtomicLong();
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong bytesPut = new AtomicLong();
  private volatile String lastWritten;

  CountingKvStore(KvStore delegate) {
    super(delegate);
  }

  /**
   * A snapshot of the counters.
   *
   * @param reads single reads
   * @param writes puts, conditional ones included (each one request)
   * @param bytesWritten bytes of UTF-8 put
   * @param batches {@code getAll} calls
   * @param batchKeys distinct keys asked for by those calls
   * @param readRequests requests that read: single gets and batches (on ResilientDB {@code reads}, every GET sent)
   */
  record Counts(long reads, long writes, long bytesWritten, long batches, long batchKeys, long readRequests) {
    Counts minus(Counts before) {
      return new Counts(reads - before.reads, writes - before.writes, bytesWritten - before.bytesWritten,
          batches - before.batches, batchKeys - before.batchKeys, readRequests - before.readRequests);
    }
  }

  /** The value of the last write that stored one, or null: what a raw put of "the same value" puts. */
  String lastWritten() {
    return lastWritten;
  }

  Counts counts() {
    if (delegate() instanceof ResilientDbStore) {
      ResilientDbStore.RequestCounts http = ((ResilientDbStore) delegate()).requestCounts();
      return new Counts(http.reads(), http.commits(), bytesPut.get(), batches.get(), batchKeys.get(), http.reads());
    }
    return new Counts(gets.get(), puts.get(), bytesPut.get(), batches.get(), batchKeys.get(), gets.get() + batches.get());
  }

  @Override
  public Map<String, KvRead> getAll(Collection<String> keys) throws KvException {
    batches.incrementAndGet();
    batchKeys.addAndGet(new HashSet<>(keys).size());
    return delegate().getAll(keys);
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    gets.incrementAndGet();
    return super.get(key);
  }

  @Override
  public void put(String key, String value) throws KvException {
    puts.incrementAndGet();
    bytesPut.addAndGet(value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    super.put(key, value);
    lastWritten = value;
  }

  /**
   * One write request, passed on whole (on etcd one transaction, no read): counted as a write, and its bytes
   * when it wrote. On ResilientDB the store's own counters see the read and the commit it emulates it with.
   */
  @Override
  public PutIfUnchanged putIfUnchanged(String key, Optional<String> expected, String value) throws KvException {
    puts.incrementAndGet();
    PutIfUnchanged result = delegate().putIfUnchanged(key, expected, value);
    if (result.written()) {
      bytesPut.addAndGet(value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
      lastWritten = value;
    }
    return result;
  }

  @Override
  public void close() {
    // The session closes the real store.
  }

  /** Writes pass through whole: as local as the store's. */
  @Override
  public boolean writesAreLocalTransactions() {
    return delegate().writesAreLocalTransactions();
  }
}
