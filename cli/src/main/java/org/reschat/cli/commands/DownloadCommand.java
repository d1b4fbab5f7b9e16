package org.reschat.cli.commands;

import java.nio.file.Path;
import org.reschat.cli.BaseCommand;
import org.reschat.core.ChatFiles;
import org.reschat.cli.People;
import org.reschat.cli.NamedChat;
import org.reschat.cli.ChatPrinter;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.History;
import org.reschat.core.Message;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "download", mixinStandardHelpOptions = true,
    description = {"Fetch a file a friend sent (or you sent), verifying every chunk.",
        "ID is from 'reschat files NICK'. Saved in the current directory under the sender's name, made safe "
            + "(no directories, no control characters), or where -o says. Nothing is written unless the whole "
            + "file checks out (exit 4 otherwise); an existing file is kept unless --force."})
public final class DownloadCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "NICK", description = "The friend or group.")
  String nickname;

  @Parameters(index = "1", paramLabel = "ID", description = "The file's message id.")
  String id;

  @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "The file to write, or a directory to write it in.")
  Path output;

  @Option(names = "--force", description = "Replace PATH if it exists.")
  boolean force;

  DownloadCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    NamedChat chat = NamedChat.resolve(session, nickname);
    History history = FileMessages.history(session, chat);
    Message m = FileMessages.find(history, id)
        .orElseThrow(() -> new CliException(ExitCodes.NOT_FOUND, "There is no file " + SafeText.line(id) + " with "
            + chat.name() + "; 'reschat files " + chat.name() + "' lists them."));
    Path saved = FileMessages.download(session, chat.name(), m, output, force);
    ChatFiles.FileInfo f = FileMessages.offer(m).orElseThrow();
    if (session.output().json()) {
      com.google.gson.JsonObject o = FileMessages.fileJson(m, f, chat.name());
      o.addProperty("type", "download");
      o.addProperty("path", saved.toString());
      session.output().json(o);
    } else {
      session.output().note("Saved " + SafeText.line(f.name()) + " (" + FileMessages.size(f.size()) + ", every chunk verified) as "
          + SafeText.line(saved.toString()) + ".");
    }
    return HistoryCommand.reportProblems(session.output(), new ChatPrinter(session.output(), new People(session)), chat,
        history);
  }
}
