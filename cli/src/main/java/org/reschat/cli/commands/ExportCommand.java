package org.reschat.cli.commands;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.Names;
import org.reschat.cli.People;
import org.reschat.cli.NamedChat;
import org.reschat.cli.ChatPrinter;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Output;
import org.reschat.cli.ProgressDisplay;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Export a whole conversation as JSON, Markdown or text.",
        "A file is written with mode 0600: it holds the plain text of your messages."})
public final class ExportCommand extends BaseCommand {
  /** The export formats. */
  enum Format { json, md, txt }

  @Parameters(paramLabel = "NICK", description = "The friend or group.")
  String nickname;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "json, md or txt (default: from FILE's extension, .json or .md; else json with --json, else txt).")
  Format format;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
  Path file;

  @Option(names = "--force", description = "Replace FILE if it exists.")
  boolean force;

  ExportCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    NamedChat chat = NamedChat.resolve(session, nickname);
    People people = new People(session);
    if (file != null && Files.exists(file) && !force) {
      throw new CliException(ExitCodes.USAGE, "The file " + file + " exists; choose another name or add --force.");
    }
    History history;
    try (ProgressDisplay progress = new ProgressDisplay(session.context(), true)) {
      history = session.client().history(chat.id(), HistoryRequest.all().withProgress(progress));
    }
    Format chosen = format != null ? format : formatFor(file, out.json());
    // Written as it is rendered, one message at a time: only the history is held, never a copy of the
    // whole export (a tree, a string, an escaped string, its bytes), so 40,000 messages fit in a small heap.
    if (file == null) {
      java.io.Writer stdout = session.context().out();
      render(chosen, chat, people, history, session, stdout);
      stdout.flush();
    } else {
      try (org.reschat.cli.AtomicFileWriter w = org.reschat.cli.AtomicFileWriter.create(file.toAbsolutePath())) {
        render(chosen, chat, people, history, session, w.writer());
        w.commit(); // renamed into place only when all of it is written
      }
      if (out.json()) {
        JsonObject o = org.reschat.cli.Json.object("exported");
        o.addProperty("friend", chat.name());
        o.addProperty("file", file.toAbsolutePath().toString());
        o.addProperty("format", chosen.name());
        o.addProperty("messages", history.messages().size());
        out.json(o);
      } else {
        out.note("Wrote " + history.messages().size() + " messages to " + file + " (" + chosen + ").");
      }
    }
    return HistoryCommand.reportProblems(out, new ChatPrinter(out, people), chat, history);
  }

  /**
   * A friend's text as a fenced code block: Markdown and HTML inside are shown, never rendered, so it
   * cannot forge a "**me**" paragraph, embed an image a viewer would fetch, or make a link. The fence is
   * longer than any run of backticks in the text, so the text cannot close it; control characters are
   * escaped as on a terminal.
   */
  static String markdownLiteral(String text) {
    String safe = SafeText.block(text, " ");
    int longest = 0;
    int run = 0;
    for (int i = 0; i < safe.length(); i++) {
      run = safe.charAt(i) == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    String fence = "`".repeat(Math.max(3, longest + 1));
    return fence + "text\n " + safe + "\n" + fence;
  }

  /** The format a file's name asks for ({@code x.json}, {@code x.md}); without a file, JSON with --json. */
  static Format formatFor(Path file, boolean json) {
    if (file == null) {
      return json ? Format.json : Format.txt;
    }
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return name.endsWith(".json") ? Format.json : name.endsWith(".md") || name.endsWith(".markdown") ? Format.md : Format.txt;
  }

  /** A name in Markdown: its special characters escaped, so a group's name cannot become markup. */
  private static String markdownLiteralName(String name) {
    return org.reschat.cli.text.SafeText.line(name).replaceAll("([\\\\`*_{}\\[\\]()#+\\-.!<>|~])", "\\\\$1");
  }

  private void render(Format chosen, NamedChat chat, People people, History history, Session session,
      java.io.Writer to) throws Exception {
    Output plain = session.output().withoutColour();
    // Exports keep everything the core folded, the texts before each edit included.
    ChatPrinter printer = new ChatPrinter(plain, people).withEdits(true);
    switch (chosen) {
      case json:
        // As Gson's pretty printing writes the same tree, streamed; inert, as every --json line is.
        com.google.gson.Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        com.google.gson.stream.JsonWriter json = new com.google.gson.stream.JsonWriter(org.reschat.cli.Json.inert(to));
        json.setIndent("  ");
        json.setHtmlSafe(false);
        json.beginObject();
        json.name("friend").value(chat.name());
        if (chat.id() instanceof org.reschat.core.ChatId.Direct) {
          json.name("card").value(((org.reschat.core.ChatId.Direct) chat.id()).card().toString());
        } else {
          json.name("group").value(chat.name());
        }
        json.name("exported_at").value(session.context().clock().instant().toString());
        json.name("messages").beginArray();
        for (Message m : history.messages()) {
          gson.toJson(printer.json(chat, m), json);
        }
        json.endArray();
        json.name("warnings").beginArray();
        for (org.reschat.core.FeedWarning w : history.warnings()) {
          gson.toJson(org.reschat.cli.Json.warning(w, people.whose(chat, w)), json);
        }
        json.endArray();
        json.endObject();
        json.flush();
        to.write('\n');
        break;
      case md:
        to.write((chat.isGroup() ? "# Group " : "# Conversation with ") + markdownLiteralName(chat.name()) + "\n\n");
        to.write("Exported " + plain.time(session.context().clock().instant()) + ", " + history.messages().size()
            + " messages.\n\n");
        for (Message m : history.messages()) {
          StringBuilder sb = new StringBuilder();
          markdown(sb, m, chat, people, plain, printer.names());
          to.write(sb.toString());
        }
        break;
      default:
        for (Message m : history.messages()) {
          to.write(printer.line(chat, m));
          to.write('\n');
        }
    }
  }

  /**
   * One message in Markdown: a header in this program's words (who, when, what it answers, whether edited or
   * deleted), then every text anyone else wrote (the text, the quote it answers, earlier texts) in a fenced
   * block it cannot close, and reactions with their Markdown characters escaped.
   */
  private static void markdown(StringBuilder sb, Message m, NamedChat chat, People people, Output plain, Names names)
      throws Exception {
    // Not someone's words (a group operation): its header says so, which no text can change.
    boolean operation = !Message.TEXT.equals(m.type()) && !org.reschat.core.ChatFiles.TYPE.equals(m.type());
    org.reschat.core.Relations r = m.relations();
    sb.append("**").append(m.direction() == Message.Direction.SENT ? "me" : markdownLiteralName(sender(chat, people, m)))
        .append("**, ").append(plain.time(m.sentAt())).append(m.status() == Message.Status.QUEUED ? " (queued)" : "");
    if (r.deleted()) {
      sb.append(", deleted this message (its text is not shown; the ledger still holds it, sealed)\n\n");
      return;
    }
    org.reschat.core.Content c = m.content();
    java.util.Optional<org.reschat.core.Content.Quote> reply = c instanceof org.reschat.core.Content.Text
        ? ((org.reschat.core.Content.Text) c).replyTo() : java.util.Optional.empty();
    if (c instanceof org.reschat.core.Content.Text && ((org.reschat.core.Content.Text) c).mentions().stream().anyMatch(names::isMe)) {
      sb.append(", mentions you");
    }
    r.edited().ifPresent(t -> sb.append(", edited ").append(plain.time(t)));
    if (reply.isPresent()) {
      org.reschat.core.Content.Quote q = reply.get();
      sb.append(", in reply to ");
      if (q.start().isPresent() && !q.deleted()) {
        sb.append(markdownLiteralName(q.author().map(names::json).orElse("someone"))).append(":\n\n")
            .append(markdownLiteral(q.start().get())).append("\n\n");
      } else {
        sb.append(q.deleted() ? "a deleted message" : q.held() ? "a message" : "a message you do not have").append(":\n\n");
      }
    } else {
      sb.append(operation ? ", not a message:" : ":").append("\n\n");
    }
    String file = FileMessages.rawLine(m, FileMessages.shellDownload(chat.name()));
    sb.append(markdownLiteral(operation ? org.reschat.cli.Output.operation(m) : file != null ? file : m.text())).append("\n\n");
    if (!r.reactions().isEmpty()) {
      sb.append("Reactions: ").append(r.reactions().stream()
          .map(x -> markdownLiteralName(x.emoji()) + " " + markdownLiteralName(names.json(x.from())))
          .collect(java.util.stream.Collectors.joining(", "))).append("\n\n");
    }
    for (org.reschat.core.Relations.Version v : r.earlier()) {
      sb.append("Before ").append(plain.time(v.at())).append(":\n\n").append(markdownLiteral(v.text())).append("\n\n");
    }
  }

  /** Who wrote {@code m} as the chat's lines name them: the friend, or a group member. */
  private static String sender(NamedChat chat, People people, Message m) throws Exception {
    return chat.isGroup() ? people.nameOf(m.sender()) : chat.name();
  }
}
