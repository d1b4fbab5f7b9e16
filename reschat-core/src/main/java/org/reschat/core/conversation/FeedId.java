package org.reschat.core.conversation;

import org.reschat.kv.KvKeys;

/**
 * One writer's feed in one conversation: a chain of pages stored at keys
 * {@code rc1.<conversation>.<writer-tag>.<page number>}, all in the store's safe key alphabet.
 *
 * @param conversation the conversation id (base64url)
 * @param writer the writer's tag (base64url)
 */
public record FeedId(String conversation, String writer) {

  /** The store key of page {@code number} (from 1). */
  public String key(long number) {
    if (number < 1) {
      throw new IllegalArgumentException("Page numbers start at 1, not " + number);
    }
    return KvKeys.requireValid("rc1." + conversation + "." + writer + "." + number);
  }

  @Override
  public String toString() {
    return "rc1." + conversation + "." + writer;
  }
}
