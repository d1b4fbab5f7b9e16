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

  public ChatPrinter(Output out, People people) {
    this.out = out;
    this.people = people;
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
    return out.format(m, chat.isGroup() ? people.nameOf(m.sender()) : chat.name());
  }

  /** A problem found on the store, naming the member whose page claims it when it is a claim. */
  public void warning(NamedChat chat, FeedWarning w) throws Exception {
    out.feedWarning(w, people.whose(chat, w), people.namer());
  }
}
