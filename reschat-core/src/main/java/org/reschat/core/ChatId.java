package org.reschat.core;

import java.util.Objects;
import org.reschat.core.identity.PublicCard;

/**
 * Names one chat, whatever its kind: every operation of {@link ChatClient} takes one. A direct chat is named
 * by the other person's card (a friend, or someone who wrote first); a group by its id. A value names a
 * chat and holds nothing else, so it never goes stale. Immutable.
 */
public sealed interface ChatId permits ChatId.Direct, ChatId.Group {

  /** The direct chat with the holder of {@code card}. */
  static Direct direct(PublicCard card) {
    return new Direct(card);
  }

  /** The group with id {@code id} (as {@link #toString()} of a {@link Group} prints it). */
  static Group group(String id) {
    return new Group(id);
  }

  /** A chat of two: this person and the holder of {@code card}. */
  record Direct(PublicCard card) implements ChatId {
    public Direct {
      Objects.requireNonNull(card, "card");
    }

    @Override
    public String toString() {
      return "direct:" + card.fingerprintText().replace(" ", "").substring(0, 16);
    }
  }

  /**
   * A group chat: its id, base64url without padding: 24 characters (18 bytes committing to its founder), or
   * 22 for a group made before ids did (16 random bytes).
   */
  record Group(String id) implements ChatId {
    public Group {
      Objects.requireNonNull(id, "id");
      if (!id.matches("[A-Za-z0-9_-]{22}|[A-Za-z0-9_-]{24}")) {
        throw new IllegalArgumentException("A group id is 22 or 24 characters of base64url, not \"" + id + "\"");
      }
    }

    @Override
    public String toString() {
      return "group:" + id;
    }
  }
}
