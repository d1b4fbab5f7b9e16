package org.reschat.kv;

/**
 * Tells readers that keys under a prefix may have changed, so they can read now instead of at their next
 * poll. Offered by stores that can learn of changes cheaply ({@link KvStore#changes()}).
 *
 * <h2>Contract</h2>
 * A notification is a <b>hint</b> to read now, nothing more:
 * <ul>
 *   <li>it may be spurious (nothing changed, or only keys outside the prefix);</li>
 *   <li>it may be late or lost (a dropped connection, a full queue), so a caller still reads on its own
 *       at a longer fallback interval, and at its normal interval while {@link Watch#live()} is false;</li>
 *   <li>it carries no data: the caller reads the keys it cares about with {@link KvStore#get}.</li>
 * </ul>
 * {@code onChange} runs on a thread of the store; it must return quickly and must not throw.
 */
public interface ChangeNotifier {

  /**
   * Starts watching keys that start with {@code keyPrefix} ({@code ""} for every key) until the returned
   * watch is closed. Never throws for an unreachable store: the watch reconnects by itself and reports
   * {@link Watch#live()} false meanwhile.
   */
  Watch watch(String keyPrefix, Runnable onChange);

  /**
   * Like {@link #watch}, but says which keys changed when the store knows ({@link Changed#keys()}), so a
   * caller re-reads only those; {@link Changed#unknown()} otherwise, and always after the watch reconnects
   * (events may have been missed). The same contract as {@link #watch} applies: a hint, perhaps spurious,
   * late or lost. The default knows no keys.
   *
   * <p>Per store: etcd names the keys of its watch events; the embedded store names the keys of the versions
   * committed since its last check; memory names each key put; ResilientDB knows none (its block hint names
   * no key). A notification never names a key outside the prefix, and one that would name more than
   * {@link ListenerWatch#MAX_KEYS_PER_NOTIFICATION} keys is unknown instead.
   */
  default Watch watchKeys(String keyPrefix, java.util.function.Consumer<Changed> onChange) {
    return watch(keyPrefix, () -> onChange.accept(Changed.unknown()));
  }

  /** One running watch. */
  interface Watch extends AutoCloseable {
    /** True while the store would tell this watch of a change; false while it is reconnecting. */
    boolean live();

    /** Stops the watch; no notification starts after it returns. Idempotent. */
    @Override
    void close();
  }
}
