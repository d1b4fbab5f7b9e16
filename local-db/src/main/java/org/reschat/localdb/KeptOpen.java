package org.reschat.localdb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * The objects of one kind that keep a file open between uses, the one used last at the end: past a bound, those used
 * longest ago are closed (a daemon touches many conversations, and each open file is a descriptor).
 */
final class KeptOpen<T> {
  private final int bound;
  private final Consumer<T> close;
  private final LinkedHashMap<T, Boolean> open = new LinkedHashMap<>(16, 0.75f, true);

  /** @param close closes one object's file (and calls {@link #closed}); called holding none of this class's locks */
  KeptOpen(int bound, Consumer<T> close) {
    this.bound = bound;
    this.close = close;
  }

  /** {@code t} has its file open and just used it. */
  synchronized void used(T t) {
    open.put(t, Boolean.TRUE);
  }

  /** {@code t} closed its file. */
  synchronized void closed(T t) {
    open.remove(t);
  }

  /** How many are open now: a count for tests. */
  synchronized int size() {
    return open.size();
  }

  /** Closes the files of those used longest ago past the bound: called holding no lock a close may wait for. */
  void closeExcess() {
    List<T> eldest = new ArrayList<>();
    synchronized (this) {
      int excess = open.size() - bound;
      for (T t : open.keySet()) {
        if (excess-- <= 0) {
          break;
        }
        eldest.add(t);
      }
    }
    eldest.forEach(close);
  }
}
