package org.reschat.cli.commands;

import org.jline.terminal.Terminal;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Session;
import org.reschat.cli.interactive.ChatView;
import org.reschat.localdb.Friend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "chat", mixinStandardHelpOptions = true,
    description = {"Chat with a friend or a group in the terminal.",
        "Shows the conversation and a prompt; new messages appear as they arrive.",
        "Needs a terminal; scripts use 'send' and 'receive'."})
public final class ChatCommand extends BaseCommand {
  @Parameters(paramLabel = "NICK", description = "The friend or group.")
  String nickname;

  ChatCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    if (!session.context().interactive()) {
      throw new CliException(ExitCodes.USAGE, "'reschat chat' needs a terminal; in scripts use 'reschat send' and 'reschat receive'.");
    }
    java.util.Optional<Friend> friend = session.profile().friends().find(nickname);
    if (friend.isEmpty() && session.profile().state().groupIds().isEmpty()) {
      session.profile().friends().get(nickname); // the unknown-friend error, before any terminal or passphrase
    }
    try (Terminal terminal = session.context().terminals().open()) {
      session.usePrompt(prompt -> {
        String typed = org.jline.reader.LineReaderBuilder.builder().terminal(terminal).build().readLine(prompt,
            org.reschat.cli.interactive.Menu.HIDDEN);
        return typed.toCharArray();
      });
      session.identity();
      org.reschat.cli.NamedChat chat = friend.isPresent() ? org.reschat.cli.NamedChat.of(friend.get())
          : org.reschat.cli.NamedChat.resolve(session, nickname);
      return new ChatView(session, terminal, chat).run();
    }
  }
}
