package org.reschat.cli.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.reschat.cli.text.SafeText;

/**
 * A piece of HTML that is safe to send, and the one place where text becomes HTML.
 *
 * <p>Markup comes only from this program's own templates ({@link #t}, {@link #markup}); every value put
 * into a template as a {@code String} goes through {@link #text}, which escapes {@code & < > " '} and
 * shows the characters {@link SafeText#isUnsafe} names (controls, bidirectional overrides and isolates)
 * as a visibly marked escape, the web counterpart of the terminal's {@code \e} and {@code \u202E}. So what
 * a friend, a stranger, a group or a file name says is always text: no tag, no attribute, no htmx
 * attribute, no reordering of what follows it. Values that must stay markup are {@code Html} already.
 */
public final class Html {
  public static final Html EMPTY = new Html("");

  private final String markup;

  private Html(String markup) {
    this.markup = markup;
  }

  /** Markup written in this program's source (a constant): never a value from a person, a file or the store. */
  public static Html markup(String constant) {
    return new Html(Objects.requireNonNull(constant));
  }

  /** {@code s} as text on one line: newlines, like every other control character, are shown escaped. */
  public static Html text(String s) {
    return new Html(escape(s, false, true));
  }

  /** {@code s} as text over several lines: newlines stay (the page shows them with {@code white-space: pre-wrap}). */
  public static Html lines(String s) {
    return new Html(escape(s, true, true));
  }

  /**
   * {@code s} for an attribute value between double quotes: escaped as {@link #text}, with unsafe characters in
   * their visible form but without the marking element (an attribute holds no elements).
   */
  public static Html attr(String s) {
    return new Html(escape(s, false, false));
  }

  /**
   * Fills the {@code {}} of {@code template} (this program's markup) with {@code args}: an {@code Html} as it
   * is, a {@code String} (or anything else, by its {@code toString}) through {@link #text}. A placeholder inside
   * an attribute must be given {@link #attr} or a value that needs no escaping (a number, a key this program made).
   */
  public static Html t(String template, Object... args) {
    StringBuilder sb = new StringBuilder(template.length() + 64);
    int from = 0;
    int used = 0;
    while (true) {
      int at = template.indexOf("{}", from);
      if (at < 0) {
        break;
      }
      if (used == args.length) {
        throw new IllegalArgumentException("more placeholders than values in: " + template);
      }
      sb.append(template, from, at);
      Object a = args[used++];
      sb.append(a instanceof Html ? ((Html) a).markup : escape(String.valueOf(a), false, true));
      from = at + 2;
    }
    if (used != args.length) {
      throw new IllegalArgumentException("more values than placeholders in: " + template);
    }
    sb.append(template, from, template.length());
    return new Html(sb.toString());
  }

  /** The parts one after the other. */
  public static Html join(Iterable<Html> parts) {
    StringBuilder sb = new StringBuilder();
    for (Html h : parts) {
      sb.append(h.markup);
    }
    return new Html(sb.toString());
  }

  public static Html join(Html... parts) {
    return join(List.of(parts));
  }

  /** Collects parts in order. */
  public static final class Builder {
    private final List<Html> parts = new ArrayList<>();

    public Builder add(Html h) {
      parts.add(h);
      return this;
    }

    public Html build() {
      return join(parts);
    }
  }

  public boolean isEmpty() {
    return markup.isEmpty();
  }

  @Override
  public String toString() {
    return markup;
  }

  private static String escape(String s, boolean keepNewlines, boolean markUnsafe) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    s.codePoints().forEach(c -> {
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> {
          if (c == '\n' && keepNewlines) {
            sb.append('\n');
          } else if (SafeText.isUnsafe(c)) {
            // The terminal's visible form (\r, \e, \x9b, \u202E), which is plain ASCII; marked so it is
            // told from a backslash someone typed, which on a page needs no doubling.
            String visible = SafeText.line(new String(Character.toChars(c)));
            sb.append(markUnsafe ? "<span class=\"ctl\" title=\"a control character\">" + visible + "</span>" : visible);
          } else {
            sb.appendCodePoint(c);
          }
        }
      }
    });
    return sb.toString();
  }
}
