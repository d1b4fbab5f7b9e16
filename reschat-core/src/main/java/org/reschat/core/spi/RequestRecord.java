package org.reschat.core.spi;

import java.util.Optional;
import org.reschat.core.LocalStateException;

/**
 * Part of {@link LocalState}: the message-request record: inbox boards read, who asked, who is ignored, what is queued to post.
 * Thread-safe; each call atomic and durable before it returns.
 */
public interface RequestRecord {
  /** The message-request inbox's record (what was read, who asked, who is ignored); empty before the first. */
  Optional<String> requests() throws LocalStateException;
  /** Replaces the message-request record. */
  void saveRequests(String record) throws LocalStateException;
}
