package org.reschat.cli.commands;

import org.reschat.cli.BaseCommand;
import org.reschat.cli.People;
import org.reschat.cli.NamedChat;
import org.reschat.cli.ChatPrinter;
import org.reschat.cli.CliContext;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.History;
import org.reschat.core.Message;
import org.reschat.core.ChatFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "files", mixinStandardHelpOptions = true,
    description = {"List the files sent in a conversation: id, name, size, sender, time.",
        "'reschat download NICK ID' fetches one. Exits 4 if tampering was found."})
public final class FilesCommand extends BaseCommand {
  @Parameters(paramLabel = "NICK", description = "The friend or group.")
  String nickname;

  FilesCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    NamedChat chat = NamedChat.resolve(session, nickname);
    People people = new People(session);
    History history = FileMessages.history(session, chat);
    int count = 0;
    for (Message m : FileMessages.files(history)) {
      ChatFiles.FileInfo f = FileMessages.offer(m).orElseThrow();
      count++;
      if (out.json()) {
        out.json(FileMessages.fileJson(m, f, chat.name()));
      } else {
        out.line(FileMessages.fileId(m) + "  " + SafeText.line(f.name()) + "  " + FileMessages.size(f.size()) + "  "
            + people.senderOf(m) + "  " + out.time(m.sentAt())
            + (m.status() == Message.Status.QUEUED ? "  (queued)" : ""));
      }
    }
    if (count == 0 && !out.json()) {
      out.note("No files with " + chat.name() + " yet.");
    }
    return HistoryCommand.reportProblems(out, new ChatPrinter(out, people), chat, history);
  }
}
