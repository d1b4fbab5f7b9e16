package org.reschat.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.reschat.core.identity.PublicCard;

/**
 * A text to send with what it refers to: the message it answers ({@link Message#id()}), and in a group the
 * members it mentions. {@code ChatClient.send(chat, Draft.of("hi").replyingTo(id))}.
 */
public record Draft(String text, Optional<String> replyTo, List<PublicCard> mentions) {
  public Draft {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(replyTo, "replyTo");
    mentions = List.copyOf(mentions);
  }

  public static Draft of(String text) {
    return new Draft(text, Optional.empty(), List.of());
  }

  /** The same text, answering message {@code id} of the chat. */
  public Draft replyingTo(String id) {
    return new Draft(text, Optional.of(id), mentions);
  }

  /** The same text, mentioning these members of the group (each is told; {@code receive --mentions} finds it). */
  public Draft mentioning(List<PublicCard> members) {
    return new Draft(text, replyTo, members);
  }
}
