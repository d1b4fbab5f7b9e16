package org.reschat.core;

import java.util.List;

/**
 * A stretch of a conversation: both feeds merged by timestamp, then feed, then position.
 *
 * @param messages oldest first
 * @param warnings what was found wrong on the store while loading; the messages shown are verified
 * @param hasOlder whether older pages exist that were not loaded
 * @param pagesLoaded pages read from the store (not the local cache) for this call
 * @param storeProblem when the store could not be read: why, in one sentence. The messages are then the
 *     verified copy kept on this computer, which may miss the newest ones.
 */
public record History(List<Message> messages, List<FeedWarning> warnings, boolean hasOlder, int pagesLoaded,
    java.util.Optional<Problem> storeProblem) {
  public History {
    messages = List.copyOf(messages);
    warnings = List.copyOf(warnings);
  }
}
