package org.reschat.kv;

/**
 * The store holds something under a key that is not a value this library wrote: a body that is not
 * JSON, names another key, or has no string {@code value}. The key is kept so callers can report it.
 */
public final class KvCorruptValueException extends KvException {
  private static final long serialVersionUID = 1L;
  private final String key;

  public KvCorruptValueException(String key, String problem) {
    // The key is kept for callers, not put in the sentence: ledger keys mean nothing to people.
    super("A value on the store is corrupt: " + problem + ".", null);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
