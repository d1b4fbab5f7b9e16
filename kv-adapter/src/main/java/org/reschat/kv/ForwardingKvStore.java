package org.reschat.kv;

import java.util.Objects;
import java.util.Optional;

/**
 * A store that passes every call to another: extend it and override only what a decorator changes
 * (counting, recording, injecting faults). Thread-safe when the delegate is. {@link #getAll} is not passed
 * on: it reads through this store's {@link #get}, so a decorator of {@code get} sees every read; a decorator
 * that leaves reads alone may override it to pass batches to the delegate. Likewise
 * {@link #putIfUnchanged} is not passed on: it is {@link KvStore}'s read then put through this store, so a
 * decorator of {@code get} or {@code put} sees it, and loses the delegate's atomic one-request write; a
 * decorator that leaves writes alone overrides it to pass it to the delegate. Nor is
 * {@link #writesAreLocalTransactions}: a decorator that passes writes on untouched says what the delegate says.
 */
public abstract class ForwardingKvStore implements KvStore {
  private final KvStore delegate;

  protected ForwardingKvStore(KvStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The store calls are passed to. */
  protected final KvStore delegate() {
    return delegate;
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    return delegate.get(key);
  }

  @Override
  public void put(String key, String value) throws KvException {
    delegate.put(key, value);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public StoreHealth health() {
    return delegate.health();
  }

  @Override
  public int maxConcurrentReads() {
    return delegate.maxConcurrentReads();
  }

  @Override
  public Optional<ChangeNotifier> changes() {
    return delegate.changes();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
