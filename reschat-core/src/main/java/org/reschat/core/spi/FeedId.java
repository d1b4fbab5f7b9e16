package org.reschat.core.spi;

/**
 * One member's feed in one conversation, by its local names: the conversation id and the writer's tag
 * (both derived from the conversation secret, never written to the ledger), and the member's index.
 * Ledger keys come from {@link Conversation#pageKey}.
 */
public record FeedId(String conversation, String writer, int member) {

  /** A name for local files and logs: {@code CONV.TAG}. */
  @Override
  public String toString() {
    return conversation + "." + writer;
  }
}
