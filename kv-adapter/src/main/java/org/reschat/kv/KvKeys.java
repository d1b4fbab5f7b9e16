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

  /** The alphabet, as a pattern: what {@link #isValid} tests character by character (KvKeysTest holds them equal). */
  static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._~:-]+");

  private KvKeys() {}

  public static boolean isValid(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) { // a matcher per key was a twentieth of a group's live receive
      char ch = key.charAt(i);
      if (!(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_'
          || ch == '~' || ch == ':' || ch == '-')) {
        return false;
      }
    }
    return true;
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
