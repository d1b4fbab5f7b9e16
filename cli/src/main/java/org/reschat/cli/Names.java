package org.reschat.cli;

import java.util.Optional;
import org.reschat.core.FeedWarning;
import org.reschat.core.identity.PublicCard;

/**
 * How a message's line names the people and messages it refers to: who reacted, whose message a reply quotes,
 * whether a mention is of this person, and (in the chat view) the short number a message is shown with.
 */
public interface Names {
  /** A person as lines show them: "you" for this person, a friend's nickname, else a short fingerprint. */
  String of(PublicCard card);

  /** Whether {@code card} is this person's. */
  boolean isMe(PublicCard card);

  /** A person as JSON names them: "me" for this person, else as {@link #of}. */
  default String json(PublicCard card) {
    return isMe(card) ? "me" : of(card);
  }

  /**
   * How a file's line offers to fetch it: the chat view's {@code /download}, or {@code reschat download NAME}
   * in a shell; null for no offer.
   */
  default String download() {
    return null;
  }

  /** A group's note (an operation's summary, naming members by short fingerprint) as this person reads it. */
  default String note(String summary) {
    return summary;
  }

  /** The short label a view shows a message with ("#12"), if it has one. */
  default Optional<String> label(String messageId) {
    return Optional.empty();
  }

  /** Knows nobody: short fingerprints, and nobody is this person. */
  Names FINGERPRINTS = new Names() {
    @Override
    public String of(PublicCard card) {
      return FeedWarning.shortName(card);
    }

    @Override
    public boolean isMe(PublicCard card) {
      return false;
    }
  };
}
