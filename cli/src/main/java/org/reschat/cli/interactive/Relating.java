package org.reschat.cli.interactive;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.reschat.cli.NamedChat;
import org.reschat.cli.Session;
import org.reschat.cli.commands.DeleteCommand;
import org.reschat.cli.text.SafeText;
import org.reschat.core.ChatClient;
import org.reschat.core.Content;
import org.reschat.core.Draft;
import org.reschat.core.Message;
import org.reschat.core.Relations;
import org.reschat.core.SendResult;

/**
 * The chat view's part of replies, reactions, edits and deletes: the short number each message is shown with
 * ({@code #12}), the commands that take it ({@code /reply 12 TEXT}, {@code /react 12 👍}, {@code /react 12 -},
 * {@code /edit 12 [TEXT]}, {@code /delete 12}), and the read marker of this person's newest message for the
 * status line. Kept apart from {@link ChatView}, which only hands it lines and asks it for labels.
 */
final class Relating {
  static final String HELP = String.join("\n",
      "  Messages are numbered (#12). /reply 12 TEXT answers one; /react 12 👍 reacts (/react 12 - takes it back);",
      "  /edit 12 [TEXT] changes one of your texts; /delete 12 deletes one of yours for everyone's client (the",
      "  ledger keeps it, sealed: anyone with this chat's keys can still open it)");

  private final Session session;
  private final NamedChat chat;
  private final Map<String, Integer> numbers = new HashMap<>();
  private final Map<Integer, String> ids = new HashMap<>();
  /** What each numbered message says now, for /edit with nothing typed. */
  private final Map<String, Message> messages = new HashMap<>();
  private volatile String newestOwn;
  private volatile String seen = "";

  Relating(Session session, NamedChat chat) {
    this.session = session;
    this.chat = chat;
  }

  /** Numbers {@code m} when it is a message people would answer (not a reaction, edit or delete). */
  synchronized void shown(Message m) {
    Content c = m.content();
    if (c instanceof Content.Edit) {
      Message before = messages.get(((Content.Edit) c).to().id());
      if (before != null) {
        messages.put(before.id(), before.with(before.content(), before.relations(), ((Content.Edit) c).text(), new byte[0]));
      }
      return;
    }
    if (!(c instanceof Content.Text) && !(c instanceof Content.Other)) {
      return;
    }
    if (!numbers.containsKey(m.id())) {
      int n = numbers.size() + 1;
      numbers.put(m.id(), n);
      ids.put(n, m.id());
    }
    messages.put(m.id(), m);
    if (m.direction() == Message.Direction.SENT) {
      newestOwn = m.id();
    }
  }

  /** The label a message is shown with, once numbered. */
  synchronized Optional<String> label(String id) {
    Integer n = numbers.get(id);
    return n == null ? Optional.empty() : Optional.of("#" + n);
  }

  /**
   * Runs {@code /reply}, {@code /react}, {@code /edit} or {@code /delete}; false when {@code text} is none of
   * them. {@code ask} reads a line with a text already typed in (for /edit N alone); {@code say} prints.
   */
  boolean command(String text, java.util.function.BiFunction<String, String, String> ask, Consumer<String> say,
      Consumer<SendResult> sent) {
    String[] parts = text.strip().split("\\s+", 3);
    String verb = parts[0].toLowerCase(java.util.Locale.ROOT);
    if (!verb.equals("/reply") && !verb.equals("/react") && !verb.equals("/edit") && !verb.equals("/delete")) {
      return false;
    }
    if (parts.length < 2) {
      say.accept("Which message? " + verb + " takes its number, as shown (#12 is 12).");
      return true;
    }
    String id;
    synchronized (this) {
      id = ids.get(number(parts[1]));
    }
    if (id == null) {
      say.accept("No message #" + SafeText.line(parts[1].replace("#", "")) + " is shown here.");
      return true;
    }
    ChatClient client;
    try {
      client = session.client();
      switch (verb) {
        case "/reply" -> {
          if (parts.length < 3) {
            say.accept("/reply " + parts[1] + " TEXT: what to answer.");
          } else {
            sent.accept(client.send(chat.id(), Draft.of(parts[2]).replyingTo(id)));
          }
        }
        case "/react" -> {
          if (parts.length < 3) {
            say.accept("/react " + parts[1] + " 👍 reacts; /react " + parts[1] + " - takes your reaction back.");
          } else {
            sent.accept(parts[2].equals("-") ? client.removeReaction(chat.id(), id) : client.react(chat.id(), id, parts[2]));
          }
        }
        case "/edit" -> {
          String now = parts.length == 3 ? parts[2] : ask.apply("edit #" + parts[1].replace("#", "") + "> ",
              Optional.ofNullable(messages.get(id)).map(Message::text).orElse(""));
          if (now == null || now.isBlank()) {
            say.accept("Not edited.");
          } else {
            sent.accept(client.edit(chat.id(), id, now));
          }
        }
        default -> {
          sent.accept(client.delete(chat.id(), id));
          say.accept(DeleteCommand.HONEST);
        }
      }
    } catch (Exception e) {
      say.accept("Not sent: " + SafeText.line(e.getMessage()));
    }
    return true;
  }

  private static int number(String typed) {
    try {
      return Integer.parseInt(typed.startsWith("#") ? typed.substring(1) : typed);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Reads again how far the others had read this person's newest message (local only: no store read). */
  void refreshSeen() {
    String own = newestOwn;
    if (own == null) {
      seen = "";
      return;
    }
    try {
      Optional<Relations.Seen> s = session.client().seen(chat.id(), own);
      String label = label(own).orElse("your newest message");
      seen = s.map(x -> x.by() == 0 ? "" : chat.isGroup() ? label + " seen by " + x.by() + " of " + x.of()
          : label + " seen").orElse("");
    } catch (Exception e) {
      seen = "";
    }
  }

  /** "#14 seen" or "#14 seen by 2 of 3" for the status line; empty when nobody has shown they read it. */
  String seen() {
    return seen;
  }
}
