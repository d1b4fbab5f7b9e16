package org.reschat.kv;

import java.util.regex.Pattern;

/**
 * The key alphabet every store accepts. ResilientDB never percent-decodes the path segment of
 * {@code GET /v1/transactions/<key>} and routes a {@code /} elsewhere, so only characters that need no
 * encoding in a URL path are safe.
 */
public final class KvKeys {
  /** Longest key accepted, in characters. */
  public static final int MAX_LENGTH = 250;

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._~:-]+");

  private KvKeys() {}

  public static boolean isValid(String key) {
    return key != null && !key.isEmpty() && key.length() <= MAX_LENGTH && SAFE.matcher(key).matches();
  }

  /** Returns {@code key} or throws {@link IllegalArgumentException} naming the rule it breaks. */
  public static String requireValid(String key) {
    if (!isValid(key)) {
      throw new IllegalArgumentException("Invalid key " + quote(key) + ": keys are 1 to " + MAX_LENGTH
          + " characters from A-Z a-z 0-9 . _ ~ : -");
    }
    return key;
  }

  private static String quote(String key) {
    if (key == null) {
      return "null";
    }
    String shown = key.length() > 60 ? key.substring(0, 60) + "…" : key;
    return '"' + shown.replace("\n", "\\n").replace("\r", "\\r") + '"';
  }
}
