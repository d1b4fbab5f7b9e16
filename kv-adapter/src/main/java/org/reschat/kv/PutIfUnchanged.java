package org.reschat.kv;

import java.util.Objects;

/**
 * What {@link KvStore#putIfUnchanged} did: whether it wrote, and what the key holds now as far as the call
 * saw. When it did not write, {@link #current} is what the store held instead of the expected value, so the
 * caller can decide what to do without reading the key again. Immutable.
 *
 * @param written true when this call stored the value
 * @param current after a write, the value written; otherwise what the key held when it was compared
 *     ({@link KvRead.Absent} for nothing, {@link KvRead.Corrupt} for something that is not a value)
 */
public record PutIfUnchanged(boolean written, KvRead current) {

  public PutIfUnchanged {
    Objects.requireNonNull(current, "current");
    if (written && !(current instanceof KvRead.Value)) {
      throw new IllegalArgumentException("A written key holds the value written");
    }
  }

  /** The value was stored. */
  public static PutIfUnchanged written(String value) {
    return new PutIfUnchanged(true, new KvRead.Value(value));
  }

  /** Nothing was stored: the key held {@code current}, not the expected value. */
  public static PutIfUnchanged refused(KvRead current) {
    return new PutIfUnchanged(false, current);
  }
}
