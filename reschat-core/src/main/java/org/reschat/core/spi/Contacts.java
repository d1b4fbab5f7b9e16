package org.reschat.core.spi;

import java.util.List;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.PublicCard;

/**
 * The people whose direct chats the client follows: a friend list, kept by the application (the CLI's is
 * {@code friends.json}). The client only reads it, once per receive pass, so a friend added or removed
 * between passes is followed or left from the next one. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Contacts {
  /** No contacts: only groups, requests and channels are followed. */
  Contacts NONE = List::of;

  /** The contacts' cards, in the order their chats are received. */
  List<PublicCard> cards() throws LocalStateException;
}
