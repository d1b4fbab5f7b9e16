package org.reschat.core.internal.feed;

import java.util.Collection;
import java.util.List;
import org.reschat.core.LocalStateException;
import org.reschat.core.MessageRequest;
import org.reschat.core.Requests;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvException;

/** {@link Requests} of a client, refused once the client is closed. */
final class GuardedRequests implements Requests {
  private final Requests requests;
  private final Runnable ensureOpen;

  GuardedRequests(Requests requests, Runnable ensureOpen) {
    this.requests = requests;
    this.ensureOpen = ensureOpen;
  }

  @Override
  public List<MessageRequest> pending(Collection<PublicCard> known) throws KvException, LocalStateException {
    ensureOpen.run();
    return requests.pending(known);
  }

  @Override
  public void ignore(PublicCard from) throws LocalStateException {
    ensureOpen.run();
    requests.ignore(from);
  }

  @Override
  public void accepted(PublicCard from) throws LocalStateException {
    ensureOpen.run();
    requests.accepted(from);
  }

  @Override
  public void postDue() throws LocalStateException {
    ensureOpen.run();
    requests.postDue();
  }

  @Override
  public List<PublicCard> notPosted() throws LocalStateException {
    ensureOpen.run();
    return requests.notPosted();
  }
}
