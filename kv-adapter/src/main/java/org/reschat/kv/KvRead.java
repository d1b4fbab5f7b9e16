package org.reschat.kv;

import java.util.Objects;
import java.util.Optional;

/**
 * What a store holds under one key, as {@link KvStore#getAll} reports it: a batch answers every key, and one
 * key holding something that is not a value does not fail the others. Immutable.
 */
public sealed interface KvRead permits KvRead.Value, KvRead.Absent, KvRead.Corrupt {

  /** The value, when there is one. */
  default Optional<String> value() {
    return Optional.empty();
  }

  static KvRead of(Optional<String> value) {
    return value.<KvRead>map(Value::new).orElse(Absent.INSTANCE);
  }

  static KvRead absent() {
    return Absent.INSTANCE;
  }

  /** A value is stored. */
  record Value(String text) implements KvRead {
    public Value {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public Optional<String> value() {
      return Optional.of(text);
    }
  }

  /** Nothing was ever stored under the key. */
  final class Absent implements KvRead {
    static final Absent INSTANCE = new Absent();

    private Absent() {}

    @Override
    public String toString() {
      return "Absent";
    }
  }

  /**
   * The store holds something under the key that is not a value (what {@link KvCorruptValueException}
   * says for a single {@link KvStore#get}).
   */
  record Corrupt(String detail) implements KvRead {
    public Corrupt {
      Objects.requireNonNull(detail, "detail");
    }
  }
}
