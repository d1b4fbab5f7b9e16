package org.reschat.core;

import java.time.Instant;
import java.util.List;
import org.reschat.core.identity.PublicCard;

/**
 * Someone who is not a contact wrote to this person: their card (the only fact about a stranger), when the
 * request was first seen, and the messages they sent, verified as any contact's. Immutable.
 */
public record MessageRequest(PublicCard from, Instant seen, List<Message> messages) {
  public MessageRequest {
    messages = List.copyOf(messages);
  }
}
