package org.reschat.core.internal.files;

import java.nio.charset.StandardCharsets;

/**
 * File names from a sender are hints, never paths: {@link #safe} turns one into a single harmless name
 * component for saving (no directories, no {@code ..}, no control or direction-changing characters).
 */
public final class FileNames {
  /** The longest name, in UTF-8 bytes (most file systems' limit). */
  public static final int MAX_NAME_BYTES = 255;
  private static final String FALLBACK = "file";

  private FileNames() {}

  /** A name safe to create in a directory of the receiver's choosing. */
  public static String safe(String name) {
    String last = name;
    int slash = Math.max(last.lastIndexOf('/'), last.lastIndexOf('\\'));
    if (slash >= 0) {
      last = last.substring(slash + 1);
    }
    StringBuilder b = new StringBuilder();
    last.codePoints().filter(c -> !unsafe(c)).forEach(b::appendCodePoint);
    String s = b.toString().strip();
    // Leading dots would hide the file or name "." and ".."; leading dashes read as options in a shell.
    while (!s.isEmpty() && (s.charAt(0) == '.' || s.charAt(0) == '-')) {
      s = s.substring(1);
    }
    while (s.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      s = s.substring(0, s.offsetByCodePoints(s.length(), -1));
    }
    return s.isEmpty() ? FALLBACK : s;
  }

  /** Control characters, format characters (bidi overrides, zero-width), separators other than space. */
  static boolean unsafe(int c) {
    int type = Character.getType(c);
    return c == ':' || type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.PRIVATE_USE
        || type == Character.UNASSIGNED || (type == Character.SPACE_SEPARATOR && c != ' ');
  }
}
