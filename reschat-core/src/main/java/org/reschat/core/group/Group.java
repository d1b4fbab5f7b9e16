package org.reschat.core.group;

import java.util.List;
import java.util.Optional;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * A group as this member knows it: a random id, a name, and its epochs, oldest first; the last is the
 * current one, where messages are sent. Immutable.
 *
 * @param removedBy who removed this member, when {@code status} is {@code REMOVED}
 * @param links join links this member (an admin) made, with their private halves
 */
public record Group(String id, String name, List<Epoch> epochs, Status status, Optional<PublicCard> removedBy,
    List<JoinLink> links) {

  /** Whether this member is still in the group. */
  public enum Status { ACTIVE, REMOVED, LEFT }

  public Group {
    epochs = List.copyOf(epochs);
    links = List.copyOf(links);
    if (epochs.isEmpty()) {
      throw new IllegalArgumentException("A group has at least one epoch");
    }
  }

  public Epoch current() {
    return epochs.get(epochs.size() - 1);
  }

  public Optional<Epoch> epoch(String epochId) {
    return epochs.stream().filter(e -> e.id().equals(epochId)).findFirst();
  }

  public List<PublicCard> members() {
    return current().members();
  }

  /** The conversation of one of its epochs, seen by {@code me}: as a member, or only a reader of its history. */
  public static Conversation conversation(Identity me, Epoch e) {
    return Conversation.observe(me, e.secret(), e.members());
  }

  Group withEpochs(List<Epoch> newEpochs) {
    return new Group(id, name, newEpochs, status, removedBy, links);
  }

  Group withStatus(Status s, PublicCard by) {
    return new Group(id, name, epochs, s, Optional.ofNullable(by), links);
  }

  Group withLinks(List<JoinLink> newLinks) {
    return new Group(id, name, epochs, status, removedBy, newLinks);
  }

  /** The links not revoked. */
  public List<JoinLink> activeLinks() {
    return links.stream().filter(l -> !l.revoked()).toList();
  }
}
