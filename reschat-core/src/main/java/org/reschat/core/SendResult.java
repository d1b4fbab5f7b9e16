package org.reschat.core;

import java.util.Optional;

/**
 * What {@code send} did. A queued message is safe in the local outbox and is published, in order, by the
 * next send or update; it is not lost.
 *
 * @param message the message as it will be shown
 * @param pending own messages still queued for this contact after this call, including this one if queued
 * @param problem why the store did not confirm, when it did not: one sentence
 */
public record SendResult(Message message, int pending, Optional<Problem> problem) {

  public boolean confirmed() {
    return message.status() == Message.Status.CONFIRMED;
  }
}
