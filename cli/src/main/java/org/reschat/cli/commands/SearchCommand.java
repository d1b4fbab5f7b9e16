package org.reschat.cli.commands;

import java.util.List;
import java.util.Locale;
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
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.localdb.Friend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "search", mixinStandardHelpOptions = true,
    description = {"Find messages containing TEXT, ignoring case.",
        "Searches the verified history with every friend and group, or one with --friend. Exits 3 when nothing "
            + "matches, 4 if tampering was found."})
public final class SearchCommand extends BaseCommand {
  @Parameters(paramLabel = "TEXT", description = "What to look for.")
  String text;

  @Option(names = "--friend", paramLabel = "NICK", description = "Only the conversation with NICK.")
  String nickname;

  SearchCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    if (text.isBlank()) {
      throw new CliException(ExitCodes.USAGE, "Give some text to search for.");
    }
    Output out = session.output();
    List<NamedChat> chats = new java.util.ArrayList<>();
    if (nickname != null) {
      chats.add(NamedChat.resolve(session, nickname));
    } else {
      for (Friend f : session.profile().friends().list()) {
        chats.add(NamedChat.of(f));
      }
      if (!session.profile().state().groupIds().isEmpty()) {
        for (org.reschat.core.GroupInfo g : session.client().groups().list()) {
          chats.add(NamedChat.of(g));
        }
      }
    }
    ChatPrinter printer = new ChatPrinter(out, new People(session));
    String needle = text.toLowerCase(Locale.ROOT);
    int found = 0;
    int worst = ExitCodes.OK;
    for (NamedChat chat : chats) {
      History history;
      try (ProgressDisplay progress = new ProgressDisplay(session.context(), out.json())) {
        history = session.client().history(chat.id(), new HistoryRequest(Integer.MAX_VALUE, progress));
      }
      for (Message m : history.messages()) {
        if (m.text() != null && m.text().toLowerCase(Locale.ROOT).contains(needle)) {
          printer.message(chat, m);
          found++;
        }
      }
      // Tampering found while searching is reported as history reports it; the worst code wins.
      int code = HistoryCommand.reportProblems(out, printer, chat, history);
      worst = code == ExitCodes.SECURITY || worst == ExitCodes.SECURITY ? ExitCodes.SECURITY : Math.max(worst, code);
    }
    if (found == 0) {
      String none = "No message contains \"" + org.reschat.cli.text.SafeText.line(text) + "\".";
      if (out.json() && worst == ExitCodes.OK) {
        throw new CliException(ExitCodes.NOT_FOUND, none); // a script gets the error object, not silence
      }
      if (!out.json()) {
        out.note(none);
      }
    }
    return worst != ExitCodes.OK ? worst : found == 0 ? ExitCodes.NOT_FOUND : ExitCodes.OK;
  }
}
