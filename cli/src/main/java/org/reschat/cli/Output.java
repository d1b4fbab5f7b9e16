package org.reschat.cli;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.time.format.DateTimeFormatter;
import org.reschat.core.FeedWarning;
import org.reschat.core.Message;
import org.reschat.cli.text.SafeText;

/**
 * Where commands print. stdout carries data (lines, or one JSON object per line with {@code --json});
 * stderr carries what people read: progress, notes, warnings, errors. Colours only when allowed.
 */
public final class Output {
  private static final String RESET = "\u001b[0m";
  /** Where a message's second and later lines start: never at the margin, where a new message starts. */
  public static final String CONTINUATION = "    ";

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;
  private final boolean color;
  private final DateTimeFormatter time;

  Output(CliContext ctx, boolean json, boolean color) {
    this(ctx.out, ctx.err, json, color, DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ctx.zone));
  }

  private Output(PrintWriter out, PrintWriter err, boolean json, boolean color, DateTimeFormatter time) {
    this.out = out;
    this.err = err;
    this.json = json;
    this.color = color;
    this.time = time;
  }

  /** The same output with colours off, for text written to files. */
  public Output withoutColour() {
    return new Output(out, err, json, false, time);
  }

  public boolean json() {
    return json;
  }

  /** A line of data on stdout (plain mode). */
  public void line(String text) {
    out.println(text);
    out.flush();
  }

  /** A JSON object on stdout, one per line. */
  public void json(JsonObject object) {
    out.println(Json.inert(object.toString()));
    out.flush();
  }

  /** A note for people on stderr. */
  public void note(String text) {
    err.println(text);
    err.flush();
  }

  /** A warning on stderr; {@code text} may carry what a store or file said, so it is sanitised. */
  public void warn(String text) {
    note(paint("33", "warning: ") + SafeText.block(text, CONTINUATION));
  }

  /** A message, as data. */
  public void message(Message m, String friend) {
    if (json) {
      json(Json.message(m, friend));
    } else {
      line(format(m, friend));
    }
  }

  /** A moment as every command shows it: {@code 2026-11-22 10:15}, in the local time zone. */
  public String time(java.time.Instant instant) {
    return time.format(instant);
  }

  /**
   * One message as a human-readable line: time, who, text, and a mark when queued. The text is the
   * friend's: sanitised, its continuation lines indented.
   */
  public String format(Message m, String friend) {
    String file = org.reschat.cli.commands.FileMessages.line(m, null); // already sanitised
    return format(m, friend, file != null ? file : SafeText.block(m.text(), CONTINUATION));
  }

  /** As {@link #format(Message, String)}, with the text already made safe to show ({@code body}). */
  public String format(Message m, String friend, String body) {
    boolean sent = m.direction() == Message.Direction.SENT;
    String who = sent ? paint("32", "me") : paint("36", friend);
    String status = m.status() == Message.Status.QUEUED ? " " + paint("33", "(queued)") : "";
    return paint("2", time.format(m.sentAt())) + "  " + who + ": " + body + status;
  }

  /** A problem found on the store: data with --json, a warning on stderr otherwise. */
  public void feedWarning(FeedWarning w, String friend) {
    if (json) {
      json(Json.warning(w, friend));
    } else {
      note(paint(w.kind().isSecurityProblem() ? "31" : "33", (w.kind().isSecurityProblem() ? "security warning" : "note")
          + " (" + friend + ", " + (w.ownFeed() ? "your" : "their") + " page " + w.page() + ", "
          + w.kind().name().toLowerCase(java.util.Locale.ROOT) + "): ") + SafeText.line(w.detail()));
    }
  }

  public String paint(String sgr, String text) {
    return color ? "\u001b[" + sgr + "m" + text + RESET : text;
  }
}
