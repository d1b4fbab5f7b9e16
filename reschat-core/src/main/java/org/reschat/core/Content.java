package org.reschat.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.reschat.core.identity.PublicCard;

/**
 * What a message is, typed by the core once for every front end: a text (perhaps answering another message,
 * perhaps mentioning members), a reaction, an edit or a delete of another message, or anything else (a file,
 * a group operation, a type this version cannot show: see {@link Message#type()}). A front end switches on
 * this and never parses types, field 3 or bodies itself. Whether a reaction, edit or delete is allowed was
 * checked before a message of that kind is handed out: one that is not (an edit of someone else's message,
 * a reference to no message) is never applied and arrives as a {@link FeedWarning} of kind
 * {@link FeedWarning.Kind#NOT_APPLIED} naming its writer instead.
 */
public sealed interface Content permits Content.Text, Content.Reaction, Content.Edit, Content.Delete, Content.Other {

  /**
   * A text.
   *
   * @param text the text (as edited last, in a history; empty once deleted)
   * @param replyTo the message it answers, when it answers one
   * @param mentions the members it mentions (resolved by the sender from their names to cards)
   */
  record Text(String text, Optional<Quote> replyTo, List<PublicCard> mentions) implements Content {
    public Text {
      Objects.requireNonNull(text);
      Objects.requireNonNull(replyTo);
      mentions = List.copyOf(mentions);
    }

    public boolean mentions(PublicCard card) {
      return mentions.contains(card);
    }
  }

  /** A reaction to {@code to}; {@code emoji} empty: the writer took their earlier reaction back. */
  record Reaction(Quote to, Optional<String> emoji) implements Content {
    public boolean removed() {
      return emoji.isEmpty();
    }
  }

  /** {@code to} (a text of the writer's) now reads {@code text}. */
  record Edit(Quote to, String text) implements Content {}

  /** The writer deleted {@code to}, one of their messages: clients hide it (the ledger still holds it, sealed). */
  record Delete(Quote to) implements Content {}

  /** Any other type: a file, a group operation, or one this version cannot show ({@link Message#text()} says so). */
  record Other(String type) implements Content {}

  /**
   * The message another refers to, as this client holds it.
   *
   * @param id its id
   * @param author who wrote it (known from the id even when the message is not held), empty when unknown
   * @param held whether this client holds it; "a message you do not have" otherwise
   * @param start the start of its text as last edited (at most {@link #START_CHARACTERS} characters, one
   *     line), or for a file its name; empty when not held or deleted, or when the message lies outside what was
   *     loaded and its later edits could not be checked
   * @param deleted whether its author deleted it
   */
  record Quote(String id, Optional<PublicCard> author, boolean held, Optional<String> start, boolean deleted) {
    public static final int START_CHARACTERS = 80;
  }
}
