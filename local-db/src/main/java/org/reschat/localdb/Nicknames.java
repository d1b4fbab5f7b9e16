package org.reschat.localdb;

import java.text.Normalizer;
import java.util.Locale;

/** The rules for nicknames: what people type to name a friend on the command line and in menus. */
public final class Nicknames {
  public static final int MAX_LENGTH = 32;
  /** The rule, as errors state it. */
  public static final String RULE = "a nickname is one word of up to 32 letters, digits, emoji, '.', '_' "
      + "and '-', not starting with '-'.";

  private Nicknames() {}

  /**
   * A new nickname (friend add, rename), Unicode-normalised, or throws saying the rule. Stricter than
   * {@link #checkStored}: one word, so every command printed as a hint ({@code reschat friend verify NICK})
   * works when pasted into a shell.
   */
  public static String check(String nickname) throws ProfileException {
    String n = checkStored(nickname);
    if (n.codePoints().anyMatch(c -> !allowed(c))) {
      throw invalid("\"" + n + "\" is not a nickname: " + RULE);
    }
    return n;
  }

  private static boolean allowed(int c) {
    int type = Character.getType(c);
    return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || type == Character.OTHER_SYMBOL
        || type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
  }

  /**
   * The nickname of a friend already saved, Unicode-normalised, or throws saying which rule it breaks:
   * the rules nicknames always had, so a list saved before the one-word rule still loads.
   */
  public static String checkStored(String nickname) throws ProfileException {
    if (nickname == null || nickname.isEmpty()) {
      throw invalid("A nickname cannot be empty.");
    }
    String n = Normalizer.normalize(nickname, Normalizer.Form.NFC);
    if (!n.equals(n.strip())) {
      throw invalid("A nickname cannot start or end with spaces.");
    }
    if (n.codePointCount(0, n.length()) > MAX_LENGTH) {
      throw invalid("A nickname is at most " + MAX_LENGTH + " characters: " + RULE);
    }
    if (n.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
        || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR)) {
      throw invalid("A nickname cannot contain control or invisible formatting characters.");
    }
    if (n.startsWith("-") || n.startsWith("/")) {
      throw invalid("\"" + n + "\" cannot be a nickname: one that starts with '-' or '/' looks like an option or a "
          + "chat command.");
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
