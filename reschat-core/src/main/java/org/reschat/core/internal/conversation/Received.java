package org.reschat.core.internal.conversation;

import java.util.Map;
import org.reschat.core.LocalStateException;
import org.reschat.core.Update;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;

/**
 * What a receive found in one conversation, and how far that moves each feed's delivery mark once the
 * messages have been passed on: marking them only then means a crash in between delivers them again
 * rather than never. Immutable.
 */
public record Received(Conversation conversation, Update update, Map<FeedId, LocalState.Position> cursors) {
  public Received {
    cursors = Map.copyOf(cursors);
  }

  /** Marks the messages delivered. */
  public void commit(LocalState state) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(conversation.id())) {
      for (Map.Entry<FeedId, LocalState.Position> e : cursors.entrySet()) {
        if (!state.delivered(e.getKey()).includes(e.getValue().page(), e.getValue().slot())
            || state.delivered(e.getKey()).equals(e.getValue())) {
          continue; // another receive got further meanwhile: never move a mark back
        }
        state.saveDelivered(e.getKey(), e.getValue());
      }
    }
  }
}
