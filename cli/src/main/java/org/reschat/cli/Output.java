package org.reschat.cli;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.reschat.core.Content;
import org.reschat.core.FeedWarning;
import org.reschat.core.Message;
import org.reschat.core.Relations;
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
      json(Json.message(m, friend, Names.FINGERPRINTS, false));
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
   * friend's: sanitised, its continuation lines indented. A message that is not someone's words (a group
   * operation, a type this version cannot show) is {@code * who what}: a text's line always has ": " right
   * after the sender's name, and no name shown starts with "* " (nicknames are one word without '*',
   * strangers are hex fingerprints), so no text can pass for an operation.
   */
  public String format(Message m, String friend) {
    return format(m, friend, Names.FINGERPRINTS, false);
  }

  /**
   * As {@link #format(Message, String)}, with what the core folded onto the message and what it refers to:
   *
   * <ul>
   *   <li>a reply names what it answers between the sender and ": " ({@code bob (re «alice: are we…»): yes}),
   *       where no text reaches; the quote cannot hold « or », so it cannot end early;</li>
   *   <li>a mention of this person shows as {@code (mentions you)} there too, highlighted;</li>
   *   <li>a reaction, an edit or a delete is {@code * who what}, like an operation;</li>
   *   <li>a deleted message is {@code * who deleted this message}, without its text;</li>
   *   <li>reactions and "edited" go on a line of their own starting with two spaces and "↳": a text's own
   *       continuation lines start with four spaces, a message with its time, so no text can forge one; with
   *       {@code edits}, one such line per earlier text.</li>
   * </ul>
   */
  public String format(Message m, String friend, Names names, boolean edits) {
    boolean sent = m.direction() == Message.Direction.SENT;
    String who = sent ? paint("32", "me") : paint("36", friend);
    String status = m.status() == Message.Status.QUEUED ? " " + paint("33", "(queued)") : "";
    String at = paint("2", time.format(m.sentAt())) + "  " + names.label(m.id()).map(l -> paint("2", l) + " ").orElse("");
    Content c = m.content();
    if (m.relations().deleted()) {
      return at + paint("35", "* ") + who + " deleted this message" + status;
    }
    if (c instanceof Content.Reaction) {
      Content.Reaction r = (Content.Reaction) c;
      return at + paint("35", "* ") + who + (r.removed() ? " took back their reaction to "
          : " reacted " + SafeText.line(r.emoji().orElseThrow()) + " to ") + quote(r.to(), names) + status;
    }
    if (c instanceof Content.Edit) {
      Content.Edit e = (Content.Edit) c;
      return at + paint("35", "* ") + who + " edited " + quote(e.to(), names) + ", which now reads: "
          + SafeText.block(e.text(), CONTINUATION) + status;
    }
    if (c instanceof Content.Delete) {
      String which = names.label(((Content.Delete) c).to().id()).map(l -> "message " + l).orElse("a message");
      return at + paint("35", "* ") + who + " deleted " + which + " (it stays on the ledger, sealed)" + status;
    }
    String file = org.reschat.cli.commands.FileMessages.line(m, names.download()); // already sanitised
    if (file == null && !Message.TEXT.equals(m.type())) {
      return at + paint("35", "* ") + who + " " + SafeText.line(names.note(operation(m))) + status
          + annotations(m, names, edits);
    }
    String head = who;
    if (c instanceof Content.Text) {
      Content.Text t = (Content.Text) c;
      if (t.replyTo().isPresent()) {
        head += " (re " + quote(t.replyTo().get(), names) + ")";
      }
      if (t.mentions().stream().anyMatch(names::isMe)) {
        head += " " + paint("1;33", "(mentions you)");
      }
    }
    return at + head + ": " + (file != null ? file : SafeText.block(m.text(), CONTINUATION)) + status
        + annotations(m, names, edits);
  }

  /** The message another refers to, as a line names it: «author: start…», or what is known of it. */
  public static String quote(Content.Quote q, Names names) {
    String label = names.label(q.id()).map(l -> l + " ").orElse("");
    if (q.deleted()) {
      return label + "a deleted message";
    }
    if (!q.held()) {
      return label + "a message you do not have";
    }
    String author = q.author().map(names::json).map(SafeText::line).orElse("someone"); // "me", as lines call this person
    if (q.start().isEmpty()) {
      return label + "a message of " + author + "'s";
    }
    // « and » cannot occur inside, so the quote ends where it seems to.
    return label + "«" + author + ": " + SafeText.line(q.start().get()).replace('«', '"').replace('»', '"') + "»";
  }

  /** The "↳" lines under a message: reactions and when it was edited, then the earlier texts if asked. */
  private String annotations(Message m, Names names, boolean edits) {
    Relations r = m.relations();
    List<String> parts = new ArrayList<>();
    if (r.edited().isPresent()) {
      parts.add("edited " + time.format(r.edited().get()));
    }
    if (!r.reactions().isEmpty()) {
      parts.add(r.reactions().stream().map(x -> SafeText.line(x.emoji()) + " " + SafeText.line(names.json(x.from())))
          .collect(Collectors.joining(", ")));
    }
    StringBuilder sb = new StringBuilder();
    if (!parts.isEmpty()) {
      sb.append('\n').append(ANNOTATION).append(paint("2", String.join(" · ", parts)));
    }
    if (edits) {
      if (r.edits() > r.earlier().size()) {
        sb.append('\n').append(ANNOTATION).append(paint("2", (r.edits() - r.earlier().size()) + " older texts not kept"));
      }
      for (Relations.Version v : r.earlier()) {
        sb.append('\n').append(ANNOTATION).append(paint("2", "before, " + time.format(v.at()) + ": "))
            .append(SafeText.line(v.text()));
      }
    }
    return sb.toString();
  }

  /** Where a line about a message (reactions, edits) starts: indented less than a text's continuation lines. */
  public static final String ANNOTATION = "  ↳ ";

  /**
   * What a message that is not a text did, in the sender's words for a group operation (its summary, field
   * 3: "removed 3a7f 91c2"); sanitised by the caller.
   */
  public static String operation(Message m) {
    if (m.type().startsWith("GROUP_")) {
      String summary = new String(m.extension(), java.nio.charset.StandardCharsets.UTF_8).strip();
      return summary.isEmpty() ? "changed the group" : summary;
    }
    if (m.type().equals("LINKED_DEVICES") || m.type().startsWith("SELF_") || m.type().startsWith("PAIR_")) { // §15, §3.1
      String summary = new String(m.extension(), java.nio.charset.StandardCharsets.UTF_8).strip();
      return summary.isEmpty() ? "changed their devices" : summary;
    }
    return "sent a " + m.type() + " message, which this version cannot show";
  }

  /** A problem found on the store: data with --json, a warning on stderr otherwise. */
  public void feedWarning(FeedWarning w, String friend) {
    feedWarning(w, friend, FeedWarning::shortName);
  }

  /**
   * As {@link #feedWarning(FeedWarning, String)}, naming the member whose page claims what the warning
   * reports with {@code names} ("bob claims (their page 4) that …").
   */
  public void feedWarning(FeedWarning w, String friend, java.util.function.Function<org.reschat.core.identity.PublicCard, String> names) {
    if (json) {
      json(Json.warning(w, friend));
    } else {
      note(paint(w.kind().isSecurityProblem() ? "31" : "33", (w.kind().isSecurityProblem() ? "security warning" : "note")
          + " (" + friend + ", " + (w.ownFeed() ? "your" : "their") + " page " + w.page() + ", "
          + w.kind().name().toLowerCase(java.util.Locale.ROOT) + "): ") + SafeText.line(w.detail(names)));
    }
  }

  public String paint(String sgr, String text) {
    return color ? "\u001b[" + sgr + "m" + text + RESET : text;
  }
}
