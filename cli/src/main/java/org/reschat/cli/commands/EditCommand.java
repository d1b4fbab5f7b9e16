package org.reschat.cli.commands;

import java.util.List;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.NamedChat;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.ChatClient;
import org.reschat.core.SendResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "edit", mixinStandardHelpOptions = true,
    description = {"Replace the text of one of your messages: everyone's client shows the new text, marked edited.",
        "The earlier text stays on the ledger, and 'history --edits' shows it. Only your own texts can be edited.",
        "Exits 0 once the store confirmed it, 6 when it is queued."})
public final class EditCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "The friend or group.")
  String name;

  @Parameters(index = "1", paramLabel = "ID", description = "Your message ('history --ids' shows them; the start of one will do).")
  String id;

  @Parameters(index = "2..*", arity = "1..*", paramLabel = "TEXT", description = "The new text; words are joined by spaces.")
  List<String> words;

  EditCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    String text = String.join(" ", words);
    ChatClient.checkText(text); // before any passphrase
    NamedChat chat = NamedChat.resolve(session, name);
    String target = MessageIds.resolve(session, chat, id);
    SendResult r = session.client().edit(chat.id(), target, text);
    boolean confirmed = SendCommand.report(session, chat, r, "Edited " + SafeText.line(target)
        + "; the earlier text stays on the ledger ('history --edits' shows it).");
    return confirmed ? ExitCodes.OK : ExitCodes.QUEUED;
  }
}
