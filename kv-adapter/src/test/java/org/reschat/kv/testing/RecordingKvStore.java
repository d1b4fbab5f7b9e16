package org.reschat.kv.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.reschat.kv.KvException;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvStore;

/**
 * Wraps a store and records every call, in order, so a test can assert exactly which reads and writes
 * an operation made. Thread-safe.
 */
public final class RecordingKvStore extends ForwardingKvStore {

  /** What was called. */
  public enum Op { GET, PUT }

  /**
   * One call.
   *
   * @param op the operation
   * @param key the key
   * @param valueLength characters written (PUT) or read (GET; -1 when absent)
   * @param failure the exception's simple class name, or null when the call succeeded
   */
  public record Call(Op op, String key, int valueLength, String failure) {}

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
