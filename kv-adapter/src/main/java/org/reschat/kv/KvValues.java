package org.reschat.kv;

/**
 * The values every store accepts: any Unicode text. A Java string holding a lone surrogate is not
 * Unicode text; it cannot be encoded as UTF-8 and would come back changed, so it is refused up front.
 */
public final class KvValues {
  private KvValues() {}

  /** Returns {@code value} or throws {@link IllegalArgumentException} if it is null or not well-formed UTF-16. */
  public static String requireValid(String value) {
    if (value == null) {
      throw new IllegalArgumentException("A value must not be null");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new IllegalArgumentException("A value must be Unicode text, but it has a lone surrogate at index " + i);
      }
      if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException("A value must be Unicode text, but it has a lone surrogate at index " + i);
      }
    }
    return value;
  }
}
