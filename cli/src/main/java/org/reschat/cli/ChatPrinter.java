package org.reschat.cli;

import java.util.Optional;
import java.util.function.Function;
import org.reschat.core.FeedWarning;
import org.reschat.core.Message;
import org.reschat.core.identity.PublicCard;

/**
 * Prints what belongs to one chat, as every command shows it: a message as a line or as data (a group's
 * message names its sender), with what the core folded onto it, and a warning about a feed.
 */
public final class ChatPrinter {
  private final Output out;
  private final People people;
  private final boolean edits;
  private final Names names;
  /** Whether lines go to the chat view, whose own command fetches a file, or to a shell. */
  private final boolean chatView;

  public ChatPrinter(Output out, People people) {
    this(out, people, false, id -> Optional.empty(), false);
  }

  private ChatPrinter(Output out, People people, boolean edits, Function<String, Optional<String>> labels,
      boolean chatView) {
    this.out = out;
    this.people = people;
    this.edits = edits;
    this.chatView = chatView;
    this.names = new Names() {
      @Override
      public String of(PublicCard card) {
        return people.of(card);
      }

      @Override
      public boolean isMe(PublicCard card) {
        return people.isMe(card);
      }

      @Override
      public String note(String summary) {
        return people.note(summary);
      }

      @Override
      public Optional<String> label(String messageId) {
        return labels.apply(messageId);
      }
    };
  }

  /** A printer for the chat view: a file line offers its {@code /download}, not the shell's command. */
  public static ChatPrinter forChatView(Output out, People people) {
    return new ChatPrinter(out, people, false, id -> Optional.empty(), true);
  }

  /** The same printer also showing the texts messages had before each edit ({@code --edits}). */
  public ChatPrinter withEdits(boolean show) {
    return new ChatPrinter(out, people, show, names::label, chatView);
  }

  /** The same printer showing each message with the label a view gives it ("#12"). */
  public ChatPrinter withLabels(Function<String, Optional<String>> labels) {
    return new ChatPrinter(out, people, edits, labels, chatView);
  }

  public People people() {
    return people;
  }

  /** How this printer names people and messages. */
  public Names names() {
    return names;
  }

  public void message(NamedChat chat, Message m) throws Exception {
    if (out.json()) {
      out.json(json(chat, m));
    } else {
      out.line(line(chat, m));
    }
  }

  /** The message as {@code --json} prints it. */
  public com.google.gson.JsonObject json(NamedChat chat, Message m) throws Exception {
    return chat.isGroup() ? Json.groupMessage(m, chat.name(), people.nameOf(m.sender()), names, edits)
        : Json.message(m, chat.name(), names, edits);
  }

  /** The message as a line of text, for the terminal. */
  public String line(NamedChat chat, Message m) throws Exception {
    String download = chatView ? "/download" : org.reschat.cli.commands.FileMessages.shellDownload(chat.name());
    Names here = new Names() {
      @Override
      public String of(PublicCard card) {
        return names.of(card);
      }

      @Override
      public boolean isMe(PublicCard card) {
        return names.isMe(card);
      }

      @Override
      public String note(String summary) {
        return names.note(summary);
      }

      @Override
      public String download() {
        return download;
      }

      @Override
      public Optional<String> label(String messageId) {
        return names.label(messageId);
      }
    };
    return out.format(m, chat.isGroup() ? people.nameOf(m.sender()) : chat.name(), here, edits);
  }

  /** A problem found on the store, naming the member whose page claims it when it is a claim. */
  public void warning(NamedChat chat, FeedWarning w) throws Exception {
    out.feedWarning(w, people.whose(chat, w), people.namer());
  }
}
