package org.reschat.kv;

/**
 * The values every store accepts: Unicode text of at most {@link #MAX_VALUE_BYTES} bytes of UTF-8.
 *
 * <p>A Java string holding a lone surrogate is not Unicode text; it cannot be encoded as UTF-8 and would
 * come back changed, so it is refused up front. The size cap protects readers: a ledger anyone can write
 * to could hold a value of any size, and every store checks the size of what it reads before it
 * allocates for it, reporting a larger value as a {@link KvCorruptValueException} that carries the key.
 */
public final class KvValues {
  /**
   * The largest value a store writes or reads, in bytes of UTF-8: 1 MiB. ResChat's largest values are a
   * page (at most 64 KiB) and a file chunk (about 350 KB of base64), so this leaves room without letting a
   * hostile ledger make a reader allocate hundreds of megabytes. Every store uses this one constant.
   */
  public static final int MAX_VALUE_BYTES = 1024 * 1024;

  private KvValues() {}

  /**
   * Returns {@code value}, or throws {@link IllegalArgumentException} before any I/O if it is null, not
   * well-formed UTF-16, or longer than {@link #MAX_VALUE_BYTES} in UTF-8: a value no store accepts is a
   * mistake of the caller, not a failure of the store.
   */
  public static String requireValid(String value) {
    if (value == null) {
      throw new IllegalArgumentException("A value must not be null");
    }
    long bytes = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          bytes += 4;
          continue;
        }
        throw new IllegalArgumentException("A value must be Unicode text, but it has a lone surrogate at index " + i);
      }
      if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException("A value must be Unicode text, but it has a lone surrogate at index " + i);
      }
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    if (bytes > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("A value is at most " + MAX_VALUE_BYTES + " bytes of UTF-8, but this one has " + bytes);
    }
    return value;
  }

  /**
   * Checks the size of a value read under {@code key}, given its length in bytes of UTF-8 as the store
   * reports it before reading the value itself.
   */
  public static void checkReadSize(String key, long utf8Bytes) throws KvCorruptValueException {
    if (utf8Bytes > MAX_VALUE_BYTES) {
      throw tooLarge(key, utf8Bytes);
    }
  }

  /** The error for a value over the cap: a typed corrupt value that carries the key. */
  public static KvCorruptValueException tooLarge(String key, long utf8Bytes) {
    return new KvCorruptValueException(key, "it is " + (utf8Bytes >= 0 ? utf8Bytes + " bytes, " : "")
        + "larger than the " + MAX_VALUE_BYTES + "-byte limit on values (1 MiB)");
  }
}
