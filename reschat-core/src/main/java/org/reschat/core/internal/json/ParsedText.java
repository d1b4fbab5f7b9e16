package org.reschat.core.internal.json;

import org.reschat.core.LocalStateException;

/**
 * What a local record's text parses to, parsed again only when the text differs from the last one parsed: a record
 * consulted on every pass is parsed once, and a rewrite by another process of the profile (a new text) is always
 * seen. Thread-safe.
 */
public final class ParsedText<T> {
  /** Parses a record's text; throws when it is damaged (the last value parsed is then kept for its own text). */
  public interface Parser<T> {
    T parse(String text) throws LocalStateException;
  }

  private final Parser<T> parser;
  private String text;
  private T value;

  public ParsedText(Parser<T> parser) {
    this.parser = parser;
  }

  /** What {@code text} parses to. */
  public synchronized T of(String text) throws LocalStateException {
    if (!text.equals(this.text)) {
      value = parser.parse(text);
      this.text = text;
    }
    return value;
  }
}
