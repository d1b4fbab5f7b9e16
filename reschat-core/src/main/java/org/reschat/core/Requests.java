package org.reschat.core;

import java.util.Collection;
import java.util.List;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvException;

/**
 * Messages from people who are not contacts yet. A first message to someone who has not written posts a
 * request to their inbox, later and padded (see the threat model); theirs reach this person as
 * {@link MessageRequest}s, which the {@link Receiver} announces once. Reached through
 * {@link ChatClient#requests()}; thread-safe.
 */
public interface Requests {

  /** Every request from someone not in {@code known} and not ignored, newest first; reads the inbox first. */
  List<MessageRequest> pending(Collection<PublicCard> known) throws KvException, LocalStateException;

  /** Never shows requests from {@code from} again. */
  void ignore(PublicCard from) throws LocalStateException;

  /** Forgets the request from {@code from}, now a contact. */
  void accepted(PublicCard from) throws LocalStateException;

  /** Posts this person's queued requests that are due. */
  void postDue() throws LocalStateException;

  /** The contacts whose request this person's client gave up posting since the last call, each once. */
  List<PublicCard> notPosted() throws LocalStateException;
}
