package org.reschat.kv;

import java.util.Optional;

/**
 * A key-value store holding string values under keys from the safe alphabet {@code [A-Za-z0-9._~:-]}.
 *
 * <p>This is the whole contract every store in this library keeps, so code written against it runs the
 * same on the embedded SQLite ledger, on ResilientDB, and in memory.
 *
 * <h2>Thread safety</h2>
 * Implementations are safe for concurrent use by many threads. A store may limit how many of those calls
 * are in flight at once (see {@link #maxConcurrentReads()}); extra callers then wait, they do not fail.
 *
 * <h2>What {@code put} guarantees</h2>
 * When {@link #put} returns normally the value is stored and a {@link #get} of the same key, by this or
 * any other client of the same store, returns it (or a value written later). When {@code put} throws, the
 * write may or may not have taken effect: writing the same value again is always safe.
 *
 * <p>Keys are meant to have one writer each. Puts of different keys from many threads or processes never
 * interfere. When several clients put the same key at once, the newest write wins; a ResilientDB store,
 * which can only confirm a write by reading it back, may then report a write that lost the race as
 * {@link KvUnconfirmedException}, because HTTP gives it no way to tell a lost write from an overwritten one.
 *
 * <h2>Writing only over what was seen</h2>
 * {@link #putIfUnchanged} writes only if the key still holds the value the caller expects, and otherwise
 * answers what it holds: atomic on etcd, the embedded ledger and in memory, a read then a put on ResilientDB.
 *
 * <h2>What failure means</h2>
 * Every failure is a {@link KvException} subclass that says what happened:
 * <ul>
 *   <li>{@link KvUnavailableException}: no endpoint or file could serve the call;</li>
 *   <li>{@link KvTimeoutException}: the store did not answer within the configured timeout;</li>
 *   <li>{@link KvUnconfirmedException}: a write was accepted but never became visible in time;</li>
 *   <li>{@link KvCorruptValueException}: the store holds something under the key that is not a value;</li>
 *   <li>{@link KvRejectedException}: the store refused the request as malformed;</li>
 *   <li>{@link KvStorageException}: local storage failed (disk full, read-only, not a store file).</li>
 * </ul>
 * A key outside the safe alphabet is a programming error and throws {@link IllegalArgumentException}
 * before any I/O (see {@link KvKeys#requireValid}).
 */
public interface KvStore extends AutoCloseable {

  /** Returns the newest value stored under {@code key}, or empty if nothing was ever stored there. */
  Optional<String> get(String key) throws KvException;

  /**
   * Reads many keys at once: one answer per distinct key, a {@link KvRead.Corrupt} for a key holding
   * something that is not a value (the others are still answered). Either every key is answered or the call
   * throws, as {@link #get} does. Stores answer in as few round trips as they can (one query on the embedded
   * store, batched transactions on etcd, reads spread over the endpoints on ResilientDB); the default reads
   * one key after another. An invalid key throws {@link IllegalArgumentException} before any I/O.
   *
   * <p>The map holds each distinct key once, in the order the keys were first given; an empty collection
   * is answered without I/O. The call as a whole is bounded by the store's timeouts, as {@link #get} is.
   */
  default java.util.Map<String, KvRead> getAll(java.util.Collection<String> keys) throws KvException {
    java.util.Map<String, KvRead> out = new java.util.LinkedHashMap<>();
    for (String key : keys) {
      KvKeys.requireValid(key);
    }
    for (String key : keys) {
      if (!out.containsKey(key)) {
        try {
          out.put(key, KvRead.of(get(key)));
        } catch (KvCorruptValueException e) {
          out.put(key, new KvRead.Corrupt(e.getMessage()));
        }
      }
    }
    return out;
  }

  /** Stores {@code value} under {@code key}, replacing what a {@code get} returns. See the class contract. */
  void put(String key, String value) throws KvException;

  /**
   * Stores {@code value} under {@code key} only if the key's newest value is {@code expected} (empty: only if
   * nothing was ever stored there), compared as text, character for character. Either way the answer says
   * what the key holds, so a caller that finds its expectation wrong decides from {@link PutIfUnchanged#current}
   * without another read. This is how a writer that holds the bytes it last verified at a key writes there
   * in one request, never over something it has not seen.
   *
   * <p>Atomic where the store allows it: on etcd one transaction (compare, then put or read the key, in one
   * request), on the embedded ledger one SQLite write transaction (other processes' writes wait for it), in
   * memory one step. <b>A ResilientDB store cannot make it atomic</b> (its HTTP service has no conditional
   * write): it reads the key, then puts, so another writer can write in between and be overwritten, as with
   * a caller's own read then {@link #put}; so does this default, for any store that does not override it.
   *
   * <p>When the call throws, the write may or may not have taken effect, as with {@link #put}: calling again
   * with the same arguments is safe, and then answers either a write or, when the first attempt had landed, a
   * refusal whose current value is {@code value} itself. A refusal whose current value equals {@code value}
   * means exactly that the key holds it, whoever wrote it. An invalid key, value or expected value throws
   * {@link IllegalArgumentException} before any I/O.
   */
  default PutIfUnchanged putIfUnchanged(String key, Optional<String> expected, String value) throws KvException {
    KvKeys.requireValid(key);
    KvValues.requireValid(value);
    expected.ifPresent(KvValues::requireValid);
    KvRead now;
    try {
      now = KvRead.of(get(key));
    } catch (KvCorruptValueException e) {
      now = new KvRead.Corrupt(e.getMessage());
    }
    if (!now.equals(KvRead.of(expected))) {
      return PutIfUnchanged.refused(now);
    }
    put(key, value);
    return PutIfUnchanged.written(value);
  }

  /**
   * Whether every write here is a local transaction: durable when {@link #put} or {@link #putIfUnchanged}
   * returns, and, when it throws, read by no one afterwards (a crash may bring it back only before anyone reads
   * the store again). Then a writer needs no copy of a write made ahead of it: it keeps one only when the write
   * fails. True for the embedded ledger and the memory store; false for network stores, where a write that
   * timed out may still land later, and by default, so a decorator that changes writes says false.
   */
  default boolean writesAreLocalTransactions() {
    return false;
  }

  /** One line naming the store for people, e.g. {@code embedded SQLite ledger at /home/a/ledger.db}. */
  String describe();

  /** Probes every endpoint (or file) once. Never throws: failures are reported in the result. */
  StoreHealth health();

  /** How many {@link #get} calls can usefully run at once; callers use it to size parallel page loads. */
  default int maxConcurrentReads() {
    return 1;
  }

  /**
   * The store's change notifications, when it has them (etcd's watch, ResilientDB's block-update socket,
   * SQLite's data version); empty when callers can only poll. See {@link ChangeNotifier} for what a
   * notification promises, which is little: callers keep polling at a longer interval.
   */
  default Optional<ChangeNotifier> changes() {
    return Optional.empty();
  }

  /** Releases connections and threads. Calls after close fail with {@link KvUnavailableException}. */
  @Override
  void close();
}
