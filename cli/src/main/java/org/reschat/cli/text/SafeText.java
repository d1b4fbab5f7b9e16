package org.reschat.cli.text;

/**
 * The one sanitiser for text that someone else controls (a friend's message, a name in a file, a detail
 * from the ledger) on its way to a person's screen or a text file.
 *
 * <p>A terminal interprets some characters: CR moves to the start of the line, ESC starts a sequence
 * (colours, cursor moves, window titles, OSC 8 links), C1 controls can do the same on some terminals,
 * and bidirectional overrides reorder what follows. Each such character is shown as a visible escape
 * instead ({@code \r}, {@code \e}, {@code \x9b}, {@code \u202E}), so nothing a friend sends is interpreted
 * and nothing is hidden. A backslash is doubled, so an escape cannot be forged by typing one: {@code \e}
 * on screen always means an ESC was received, {@code \\e} means someone typed a backslash and an e.
 */
public final class SafeText {
  private SafeText() {}

  /** Text for one line: every control character, newlines included, escaped. */
  public static String line(String text) {
    return escape(text, null);
  }

  /**
   * Text that may span lines: each newline is kept and the next line starts with {@code indent}, so a
   * continuation can never look like a line of its own (such as a forged "10:00  me: …"). Everything
   * else is escaped as in {@link #line}.
   */
  public static String block(String text, String indent) {
    if (indent.isEmpty()) {
      throw new IllegalArgumentException("continuation lines need an indent");
    }
    return escape(text, indent);
  }

  /** Whether {@code c} would be escaped: what a terminal or a bidi algorithm could interpret. */
  public static boolean isUnsafe(int c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f)
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) // bidi embeddings, overrides, isolates
        || c == 0x200e || c == 0x200f || c == 0x061c                    // bidi marks
        || c == 0x2028 || c == 0x2029;                                  // line and paragraph separators
  }

  private static String escape(String text, String indent) {
    if (text == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(text.length() + 16);
    text.codePoints().forEach(c -> {
      if (c == '\n' && indent != null) {
        sb.append('\n').append(indent);
      } else if (c == '\\') {
        sb.append("\\\\");
      } else if (isUnsafe(c)) {
        sb.append(visible(c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }

  private static String visible(int c) {
    switch (c) {
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      case 0x07: return "\\a";
      case 0x08: return "\\b";
      case 0x0b: return "\\v";
      case 0x0c: return "\\f";
      case 0x1b: return "\\e";
      default:
        return c <= 0xff ? String.format("\\x%02x", c) : String.format("\\u%04X", c);
    }
  }
}
