package org.reschat.kv.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvStore;
import org.reschat.kv.PutIfUnchanged;

/**
 * Wraps a store and records every call, in order, so a test can assert exactly which reads and writes
 * an operation made. Thread-safe.
 */
public final class RecordingKvStore extends ForwardingKvStore {

  /** What was called: a single read, a write, or one batch read ({@link KvStore#getAll}). */
  public enum Op { GET, PUT, GET_ALL, PUT_IF_UNCHANGED }

  /**
   * One call.
   *
   * @param op the operation
   * @param key the key; empty for a {@code GET_ALL}
   * @param valueLength characters written (PUT, and PUT_IF_UNCHANGED when it wrote) or read (GET, and
   *     PUT_IF_UNCHANGED's refusal; -1 when absent); for a {@code GET_ALL}, how many of its keys held a value
   * @param failure the exception's simple class name, or null when the call succeeded
   * @param keys the distinct keys of a {@code GET_ALL}, in order; empty otherwise
   * @param refused a {@code PUT_IF_UNCHANGED} the store refused: it wrote nothing
   */
  public record Call(Op op, String key, int valueLength, String failure, List<String> keys, boolean refused) {
    public Call {
      keys = List.copyOf(keys);
    }

    public Call(Op op, String key, int valueLength, String failure, List<String> keys) {
      this(op, key, valueLength, failure, keys, false);
    }

    public Call(Op op, String key, int valueLength, String failure) {
      this(op, key, valueLength, failure, List.of());
    }

    /** A write the ledger may show: a put (even one that failed: it may have landed), or a conditional put not refused. */
    public boolean wrote() {
      return op == Op.PUT || (op == Op.PUT_IF_UNCHANGED && !refused);
    }
  }

  private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

  public RecordingKvStore(KvStore delegate) {
    super(delegate);
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    try {
      Optional<String> value = super.get(key);
      calls.add(new Call(Op.GET, key, value.map(String::length).orElse(-1), null));
      return value;
    } catch (KvException | RuntimeException e) {
      calls.add(new Call(Op.GET, key, -1, e.getClass().getSimpleName()));
      throw e;
    }
  }

  /** Passed on as one batch and recorded as one {@code GET_ALL} call, as the store sees it. */
  @Override
  public Map<String, KvRead> getAll(Collection<String> keys) throws KvException {
    List<String> distinct = List.copyOf(new LinkedHashSet<>(keys.stream().map(k -> k == null ? "" : k).toList()));
    try {
      Map<String, KvRead> read = delegate().getAll(keys);
      int values = (int) read.values().stream().filter(r -> r instanceof KvRead.Value).count();
      calls.add(new Call(Op.GET_ALL, "", values, null, distinct));
      return read;
    } catch (KvException | RuntimeException e) {
      calls.add(new Call(Op.GET_ALL, "", -1, e.getClass().getSimpleName(), distinct));
      throw e;
    }
  }

  /** Keys read so far, by {@code GET} one at a time and by {@code GET_ALL} in batches. */
  public long keysRead() {
    return calls.stream().mapToLong(c -> c.op() == Op.GET ? 1 : c.op() == Op.GET_ALL ? c.keys().size() : 0).sum();
  }

  @Override
  public void put(String key, String value) throws KvException {
    try {
      super.put(key, value);
      calls.add(new Call(Op.PUT, key, value.length(), null));
    } catch (KvException | RuntimeException e) {
      calls.add(new Call(Op.PUT, key, value == null ? 0 : value.length(), e.getClass().getSimpleName()));
      throw e;
    }
  }

  /** Passed on as one request, as the store sees it, and recorded as one {@code PUT_IF_UNCHANGED}. */
  @Override
  public PutIfUnchanged putIfUnchanged(String key, Optional<String> expected, String value) throws KvException {
    try {
      PutIfUnchanged result = delegate().putIfUnchanged(key, expected, value);
      calls.add(new Call(Op.PUT_IF_UNCHANGED, key, result.current().value().map(String::length).orElse(-1), null,
          List.of(), !result.written()));
      return result;
    } catch (KvException | RuntimeException e) {
      calls.add(new Call(Op.PUT_IF_UNCHANGED, key, value == null ? 0 : value.length(), e.getClass().getSimpleName()));
      throw e;
    }
  }

  /** Writes pass through untouched: as local as the delegate's. */
  @Override
  public boolean writesAreLocalTransactions() {
    return delegate().writesAreLocalTransactions();
  }

  /** Every call recorded so far, oldest first, and forgets them. */
  public List<Call> takeCalls() {
    List<Call> out = new ArrayList<>();
    calls.drainTo(out);
    return out;
  }

  /** Calls recorded so far of one kind, without forgetting them. */
  public long count(Op op) {
    return calls.stream().filter(c -> c.op() == op).count();
  }

  @Override
  public String describe() {
    return "recording " + super.describe();
  }
}
