package org.reschat.kv;

import java.util.Optional;
import java.util.Set;

/**
 * What a change notification knows about which keys changed: the keys, when the store's notification names
 * them (an etcd watch event, the embedded store's version log), or nothing, when it cannot tell (ResilientDB's
 * block hint, or any watch that reconnected and may have missed events). A caller re-reads only the keys
 * named; after an {@linkplain #unknown() unknown} change it re-reads everything it follows. Immutable.
 */
public final class Changed {
  private static final Changed UNKNOWN = new Changed(null);
  private final Set<String> keys;

  private Changed(Set<String> keys) {
    this.keys = keys;
  }

  /** Something may have changed anywhere under the watched prefix. */
  public static Changed unknown() {
    return UNKNOWN;
  }

  /** Exactly these keys were written (perhaps with values equal to the old ones). */
  public static Changed keys(Set<String> keys) {
    return new Changed(Set.copyOf(keys));
  }

  /** The keys written, or empty when the store cannot tell. */
  public Optional<Set<String>> keys() {
    return Optional.ofNullable(keys);
  }

  /** Whether {@code key} may have changed. */
  public boolean mayCover(String key) {
    return keys == null || keys.contains(key);
  }

  /** The union of two notifications (unknown if either is). */
  public Changed and(Changed other) {
    if (keys == null || other.keys == null) {
      return UNKNOWN;
    }
    java.util.Set<String> all = new java.util.HashSet<>(keys);
    all.addAll(other.keys);
    return new Changed(all);
  }

  @Override
  public String toString() {
    return keys == null ? "Changed[unknown]" : "Changed" + keys;
  }
}
