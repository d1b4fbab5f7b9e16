package org.reschat.localdb;

import java.text.Normalizer;
import java.util.Locale;

/** The rules for nicknames: what people type to name a friend on the command line and in menus. */
public final class Nicknames {
  public static final int MAX_LENGTH = 32;

  private Nicknames() {}

  /** The nickname, Unicode-normalised, or throws saying which rule it breaks. */
  public static String check(String nickname) throws ProfileException {
    if (nickname == null || nickname.isEmpty()) {
      throw invalid("A nickname cannot be empty.");
    }
    String n = Normalizer.normalize(nickname, Normalizer.Form.NFC);
    if (!n.equals(n.strip())) {
      throw invalid("A nickname cannot start or end with spaces.");
    }
    if (n.codePointCount(0, n.length()) > MAX_LENGTH) {
      throw invalid("A nickname is at most " + MAX_LENGTH + " characters.");
    }
    if (n.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
        || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR)) {
      throw invalid("A nickname cannot contain control or invisible formatting characters.");
    }
    if (n.startsWith("-") || n.startsWith("/")) {
      throw invalid("A nickname cannot start with '-' or '/' (they look like options and chat commands).");
    }
    return n;
  }

  /** The form two nicknames are compared in: equal ignoring case. */
  static String key(String nickname) {
    return Normalizer.normalize(nickname, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
  }

  private static ProfileException invalid(String message) {
    return new ProfileException(ProfileException.Kind.INVALID_NICKNAME, message);
  }
}
