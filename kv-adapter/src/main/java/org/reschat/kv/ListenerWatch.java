package org.reschat.kv;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every store's {@link ChangeNotifier.Watch} shares: the listener, called so that it never runs after
 * {@link #close} and its bugs never stop the watch; the closed flag; and the set of open watches a
 * notifier closes when its store closes. A store adds only how it learns of changes ({@link #stop}).
 */
public abstract class ListenerWatch implements ChangeNotifier.Watch {
  private final Runnable onChange;
  private final Set<ListenerWatch> open;
  private volatile boolean closed;

  /** A watch its notifier adds to {@code open} (see {@link #newOpenSet}) once built; it leaves when closed. */
  protected ListenerWatch(Runnable onChange, Set<ListenerWatch> open) {
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

  /** Tells the listener to read now, unless the watch is closed. */
  protected final void hint() {
    if (closed) {
      return;
    }
    try {
      onChange.run();
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
