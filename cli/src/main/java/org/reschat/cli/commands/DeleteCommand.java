package org.reschat.cli.commands;

import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.NamedChat;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.SendResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true,
    description = {"Delete one of your messages for everyone's client: they show it as deleted, without its text.",
        "What it cannot do on a ledger: nothing written is ever erased. The sealed message stays where it was",
        "written, and anyone holding this chat's keys (every member, and anyone they give a copy of their",
        "profile) can still open it; a client that ignores deletes still shows it.",
        "Exits 0 once the store confirmed it, 6 when it is queued."})
public final class DeleteCommand extends BaseCommand {
  /** What every delete says, on the terminal and in the README: what it does and what it cannot do. */
  public static final String HONEST = "Everyone's client now hides it. The ledger cannot forget: the sealed "
      + "message stays where it was written, and anyone holding this chat's keys can still open it.";

  @Parameters(index = "0", paramLabel = "NAME", description = "The friend or group.")
  String name;

  @Parameters(index = "1", paramLabel = "ID", description = "Your message ('history --ids' shows them; the start of one will do).")
  String id;

  DeleteCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    NamedChat chat = NamedChat.resolve(session, name);
    String target = MessageIds.resolve(session, chat, id);
    SendResult r = session.client().delete(chat.id(), target);
    boolean confirmed = SendCommand.report(session, chat, r, "Deleted " + SafeText.line(target) + ". " + HONEST);
    if (!confirmed && !session.output().json()) {
      session.output().note(HONEST);
    }
    return confirmed ? ExitCodes.OK : ExitCodes.QUEUED;
  }
}
