package org.reschat.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.reschat.core.identity.PublicCard;

/**
 * What other messages did to a message, folded onto it by the core: the reactions standing now (each
 * person's newest, in the order given), its edits, whether it was deleted, and for this person's own
 * messages how many members had read it when they last wrote. Folded once, in the core, for every front end.
 *
 * @param reactions each person's standing reaction, oldest first
 * @param edited when the newest edit was sent (the sender's clock), empty when never edited
 * @param earlier the texts before each edit, oldest first: at most {@link #MAX_EARLIER}, the newest kept
 * @param edits how many edits were applied (more than {@code earlier} holds when some were dropped)
 * @param deleted whether the author deleted it: its text and body are then empty in what the core hands out
 * @param seen for this person's own messages: how many of the other members had read this far in this
 *     person's feed when they last wrote (pages carry how far their writer had read each feed); empty for
 *     others' messages
 */
public record Relations(List<Reaction> reactions, Optional<Instant> edited, List<Version> earlier, int edits,
    boolean deleted, Optional<Seen> seen) {
  /** Earlier texts kept per message: an edit storm costs at most this much memory per message. */
  public static final int MAX_EARLIER = 16;
  public static final Relations NONE = new Relations(List.of(), Optional.empty(), List.of(), 0, false, Optional.empty());

  public Relations {
    reactions = List.copyOf(reactions);
    earlier = List.copyOf(earlier);
  }

  /** One person's reaction. */
  public record Reaction(String emoji, PublicCard from) {}

  /** A text a message had until an edit replaced it; {@code at}: when that text was sent. */
  public record Version(Instant at, String text) {}

  /**
   * A read marker: {@code by} of the {@code of} other members had read the message when they last wrote (a
   * direct chat: "seen" when {@code by == of == 1}). No receipt is ever written for it.
   */
  public record Seen(int by, int of) {
    public boolean byAll() {
      return of > 0 && by == of;
    }
  }
}
