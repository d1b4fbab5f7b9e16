package org.reschat.cli.commands;

import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.NamedChat;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.SendResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "react", mixinStandardHelpOptions = true,
    description = {"React to a message with an emoji; it replaces your earlier reaction to it.",
        "--remove takes your reaction back. Each reaction is a message on the ledger, kept for good.",
        "Exits 0 once the store confirmed it, 6 when it is queued."})
public final class ReactCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "The friend or group.")
  String name;

  @Parameters(index = "1", paramLabel = "ID", description = "The message ('history --ids' shows them; the start of one will do).")
  String id;

  @Parameters(index = "2", arity = "0..1", paramLabel = "EMOJI", description = "The reaction, such as 👍 (1-32 characters, no spaces).")
  String emoji;

  @Option(names = "--remove", description = "Take your reaction to the message back.")
  boolean remove;

  ReactCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    if (remove == (emoji != null)) {
      throw new CliException(ExitCodes.USAGE, remove ? "--remove takes no EMOJI." : "Give the EMOJI to react with, or --remove.");
    }
    NamedChat chat = NamedChat.resolve(session, name);
    String target = MessageIds.resolve(session, chat, id);
    SendResult r = remove ? session.client().removeReaction(chat.id(), target)
        : session.client().react(chat.id(), target, emoji);
    boolean confirmed = SendCommand.report(session, chat, r, remove
        ? "Took your reaction to " + SafeText.line(target) + " back."
        : "Reacted " + SafeText.line(emoji) + " to " + SafeText.line(target) + ".");
    return confirmed ? ExitCodes.OK : ExitCodes.QUEUED;
  }
}
