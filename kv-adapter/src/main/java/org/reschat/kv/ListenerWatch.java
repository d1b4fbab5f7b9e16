package org.reschat.kv;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What every store's {@link ChangeNotifier.Watch} shares: the listener, called so that it never runs after
 * {@link #close} and its bugs never stop the watch; the closed flag; and the set of open watches a
 * notifier closes when its store closes. A store adds only how it learns of changes ({@link #stop}).
 */
public abstract class ListenerWatch implements ChangeNotifier.Watch {
  /**
   * The most keys one notification names; past it the listener hears {@link Changed#unknown()}, so a burst
   * of writes (a migration, a flood by another writer) costs one re-read of everything, not a set in memory
   * as large as the burst.
   */
  public static final int MAX_KEYS_PER_NOTIFICATION = 4096;

  private final Consumer<Changed> onChange;
  private final Set<ListenerWatch> open;
  private volatile boolean closed;

  /** A watch its notifier adds to {@code open} (see {@link #newOpenSet}) once built; it leaves when closed. */
  protected ListenerWatch(Consumer<Changed> onChange, Set<ListenerWatch> open) {
    this.onChange = onChange;
    this.open = open;
  }

  /** The set a notifier keeps its open watches in. */
  public static Set<ListenerWatch> newOpenSet() {
    return ConcurrentHashMap.newKeySet();
  }

  /** Closes every watch in {@code open}: the store is closing. */
  public static void closeAll(Set<ListenerWatch> open) {
    open.forEach(ListenerWatch::close);
  }

  /** Tells the listener to read now, knowing nothing of which keys changed, unless the watch is closed. */
  protected final void hint() {
    hint(Changed.unknown());
  }

  /** Tells the listener these keys changed (unknown past {@link #MAX_KEYS_PER_NOTIFICATION}); none: no call. */
  protected final void hintKeys(Set<String> keys) {
    if (keys.size() > MAX_KEYS_PER_NOTIFICATION) {
      hint(Changed.unknown());
    } else if (!keys.isEmpty()) {
      hint(Changed.keys(keys));
    }
  }

  private void hint(Changed changed) {
    if (closed) {
      return;
    }
    try {
      onChange.accept(changed);
    } catch (RuntimeException e) {
      // A listener's bug must not stop the watch.
    }
  }

  protected final boolean closed() {
    return closed;
  }

  @Override
  public final void close() {
    closed = true;
    open.remove(this);
    stop();
  }

  /** Releases what the watch holds (its thread, its sockets); called once {@link #closed()} is true. */
  protected abstract void stop();

  /** The wait after {@code wait} when reconnecting again: doubled, at most {@code max}. */
  public static Duration doubled(Duration wait, Duration max) {
    Duration twice = wait.multipliedBy(2);
    return twice.compareTo(max) > 0 ? max : twice;
  }
}
