package org.reschat.cli.commands;

import java.util.List;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.NamedChat;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;

/** The message a command names: its id, or the start of one among the newest messages of the chat. */
final class MessageIds {
  private MessageIds() {}

  /**
   * {@code given} as an id of {@code chat}: itself when a message shown has that id, else the one id shown that
   * starts with it. Not found among the newest pages: {@code given} as it is, for the core to find (an older
   * message held here) or refuse in one sentence.
   */
  static String resolve(Session session, NamedChat chat, String given) throws Exception {
    String want = given.strip();
    if (want.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, "Give the message's id; 'reschat history " + SafeText.line(chat.name())
          + " --ids' shows them.");
    }
    List<String> ids = session.client().history(chat.id(), HistoryRequest.newest(session.settings().pagesAtStart()))
        .messages().stream().map(Message::id).toList();
    if (ids.contains(want)) {
      return want;
    }
    List<String> matches = ids.stream().filter(id -> id.startsWith(want)).distinct().toList();
    if (matches.size() > 1) {
      throw new CliException(ExitCodes.USAGE, "\"" + SafeText.line(want) + "\" starts " + matches.size()
          + " message ids (" + String.join(", ", matches.subList(0, Math.min(3, matches.size())))
          + (matches.size() > 3 ? ", …" : "") + "); give more of it.");
    }
    return matches.isEmpty() ? want : matches.get(0);
  }
}
