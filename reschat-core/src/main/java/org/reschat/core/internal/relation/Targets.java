package org.reschat.core.internal.relation;

import java.util.Optional;
import org.reschat.core.Message;
import org.reschat.core.Relations;
import org.reschat.core.identity.PublicCard;

/**
 * What the fold may ask about messages outside the list it folds, from what this client holds locally
 * (never the store): who writes the feed an id names, whether a writer had read as far as an id, and the
 * message itself. Implementations bound their work per fold (see {@code LocalMessages}); past the bound,
 * a message is not held.
 */
public interface Targets {

  /** The writer of the feed {@code ref} names, when it names a feed of this chat. */
  Optional<PublicCard> writerOf(RelationCodec.Ref ref);

  /**
   * Whether the writer of {@code relation} could have read as far as {@code target} when writing it: in its
   * own feed, the target comes before it; in another feed of the same conversation, the heads of the page
   * holding it reach the target. True when it cannot be told (feeds of different group epochs).
   */
  boolean couldHaveRead(Message relation, RelationCodec.Ref target);

  /**
   * The message {@code ref} names, as held here, with what its author did to it later, up to (not including)
   * {@code before} when that is a message of the same feed (the state a relation written there saw); empty when
   * not held.
   */
  Optional<Held> held(RelationCodec.Ref ref, Optional<RelationCodec.Ref> before);

  /** The member of this chat whose fingerprint this is. */
  Optional<PublicCard> member(byte[] fingerprint);

  /** For one of this person's own messages: how many of the other members had read it when they last wrote. */
  Optional<Relations.Seen> seen(Message own);

  /**
   * A message held here.
   *
   * @param message as opened
   * @param deleted whether its author deleted it later (in the same conversation)
   * @param newestText its text after its author's newest edit, when edited
   * @param checked whether every later page of its author's feed could be looked at for edits and deletes
   */
  record Held(Message message, boolean deleted, Optional<String> newestText, boolean checked) {}

  /** Knows nothing: every reference is to a message not held. */
  Targets NONE = new Targets() {
    @Override
    public Optional<PublicCard> writerOf(RelationCodec.Ref ref) {
      return Optional.empty();
    }

    @Override
    public boolean couldHaveRead(Message relation, RelationCodec.Ref target) {
      return true;
    }

    @Override
    public Optional<Held> held(RelationCodec.Ref ref, Optional<RelationCodec.Ref> before) {
      return Optional.empty();
    }

    @Override
    public Optional<PublicCard> member(byte[] fingerprint) {
      return Optional.empty();
    }

    @Override
    public Optional<Relations.Seen> seen(Message own) {
      return Optional.empty();
    }
  };
}
