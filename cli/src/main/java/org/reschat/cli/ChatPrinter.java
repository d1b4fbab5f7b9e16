package org.reschat.cli;

import org.reschat.core.FeedWarning;
import org.reschat.core.Message;

/**
 * Prints what belongs to one chat, as every command shows it: a message as a line or as data (a group's
 * message names its sender), and a warning about a feed.
 */
public final class ChatPrinter {
  private final Output out;
  private final People people;
  /** Whether lines go to the chat view, whose own command fetches a file, or to a shell. */
  private final boolean chatView;

  public ChatPrinter(Output out, People people) {
    this(out, people, false);
  }

  private ChatPrinter(Output out, People people, boolean chatView) {
    this.out = out;
    this.people = people;
    this.chatView = chatView;
  }

  /** A printer for the chat view: a file line offers its {@code /download}, not the shell's command. */
  public static ChatPrinter forChatView(Output out, People people) {
    return new ChatPrinter(out, people, true);
  }

  public People people() {
    return people;
  }

  public void message(NamedChat chat, Message m) throws Exception {
    if (out.json()) {
      out.json(chat.isGroup() ? Json.groupMessage(m, chat.name(), people.nameOf(m.sender())) : Json.message(m, chat.name()));
    } else {
      out.line(line(chat, m));
    }
  }

  /** The message as a line of text, for the terminal. */
  public String line(NamedChat chat, Message m) throws Exception {
    String file = org.reschat.cli.commands.FileMessages.line(m,
        chatView ? "/download" : org.reschat.cli.commands.FileMessages.shellDownload(chat.name()));
    return out.format(m, chat.isGroup() ? people.nameOf(m.sender()) : chat.name(),
        file != null ? file : org.reschat.cli.text.SafeText.block(m.type().startsWith("GROUP_")
            ? people.groupNote(m.text()) : m.text(), Output.CONTINUATION));
  }

  public void warning(NamedChat chat, FeedWarning w) throws Exception {
    out.feedWarning(w, people.whose(chat, w));
  }
}
