package org.reschat.core;

import java.util.List;

/**
 * What {@code update} found.
 *
 * @param received messages from the contact not delivered by an earlier update, oldest first
 * @param published own queued messages the store confirmed during this call
 * @param pending own messages still queued
 * @param problem why queued messages could not be published, when they could not; empty otherwise
 * @param warnings what was found wrong on the store
 */
public record Update(List<Message> received, int published, int pending, java.util.Optional<Problem> problem,
    List<FeedWarning> warnings) {
  public Update {
    received = List.copyOf(received);
    warnings = List.copyOf(warnings);
  }
}
