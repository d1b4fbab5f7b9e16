package org.reschat.cli.commands;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.reschat.cli.BaseCommand;
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
import org.reschat.localdb.AtomicFiles;
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
    String text = render(chosen, chat, people, history, session);
    if (file == null) {
      session.context().out().print(text);
      session.context().out().flush();
    } else {
      AtomicFiles.write(file.toAbsolutePath(), text.getBytes(StandardCharsets.UTF_8));
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

  private String render(Format chosen, NamedChat chat, People people, History history, Session session)
      throws Exception {
    Output plain = session.output().withoutColour();
    StringBuilder sb = new StringBuilder();
    switch (chosen) {
      case json:
        JsonObject root = new JsonObject();
        root.addProperty("friend", chat.name());
        if (chat.id() instanceof org.reschat.core.ChatId.Direct) {
          root.addProperty("card", ((org.reschat.core.ChatId.Direct) chat.id()).card().toString());
        } else {
          root.addProperty("group", chat.name());
        }
        root.addProperty("exported_at", session.context().clock().instant().toString());
        JsonArray messages = new JsonArray();
        for (Message m : history.messages()) {
          messages.add(chat.isGroup()
              ? org.reschat.cli.Json.groupMessage(m, chat.name(), people.nameOf(m.sender())) : org.reschat.cli.Json.message(m, chat.name()));
        }
        root.add("messages", messages);
        JsonArray warnings = new JsonArray();
        for (org.reschat.core.FeedWarning w : history.warnings()) {
          warnings.add(org.reschat.cli.Json.warning(w, people.whose(chat, w)));
        }
        root.add("warnings", warnings);
        sb.append(org.reschat.cli.Json.inert(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root))).append('\n');
        break;
      case md:
        sb.append(chat.isGroup() ? "# Group " : "# Conversation with ")
            .append(markdownLiteralName(chat.name())).append("\n\n");
        sb.append("Exported ").append(plain.time(session.context().clock().instant())).append(", ")
            .append(history.messages().size()).append(" messages.\n\n");
        for (Message m : history.messages()) {
          sb.append("**").append(m.direction() == Message.Direction.SENT ? "me" : markdownLiteralName(sender(chat, people, m)))
              .append("**, ")
              .append(plain.time(m.sentAt())).append(m.status() == Message.Status.QUEUED ? " (queued)" : "").append(":\n\n")
              .append(markdownLiteral(java.util.Objects.requireNonNullElse(
                  FileMessages.rawLine(m, FileMessages.shellDownload(chat.name())), m.text()))).append("\n\n");
        }
        break;
      default:
        for (Message m : history.messages()) {
          sb.append(new ChatPrinter(plain, people).line(chat, m)).append('\n');
        }
    }
    return sb.toString();
  }

  /** Who wrote {@code m} as the chat's lines name them: the friend, or a group member. */
  private static String sender(NamedChat chat, People people, Message m) throws Exception {
    return chat.isGroup() ? people.nameOf(m.sender()) : chat.name();
  }
}
