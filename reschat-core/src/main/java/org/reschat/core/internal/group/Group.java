package org.reschat.core.internal.group;

import java.util.List;
import java.util.Optional;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * A group as this member knows it: an id, a name, and its epochs, oldest first; the last is the current
 * one, where messages are sent. Immutable.
 *
 * @param removedBy who removed this member, when {@code status} is {@code REMOVED}
 * @param links join links this member (an admin) made, with their private halves
 * @param trust what this member can prove about the group: its founder, whether an admin vouched for the
 *     epoch it was handed, and its own admin credential
 */
public record Group(String id, String name, List<Epoch> epochs, Status status, Optional<PublicCard> removedBy,
    List<JoinLink> links, GroupTrust trust) {

  /** Whether this member is still in the group. */
  public enum Status { ACTIVE, REMOVED, LEFT }

  public Group {
    epochs = List.copyOf(epochs);
    links = List.copyOf(links);
    if (epochs.isEmpty()) {
      throw new IllegalArgumentException("A group has at least one epoch");
    }
  }

  /** A group of a legacy id with nothing proven about it (how groups made before founders are read). */
  public Group(String id, String name, List<Epoch> epochs, Status status, Optional<PublicCard> removedBy,
      List<JoinLink> links) {
    this(id, name, epochs, status, removedBy, links, GroupTrust.LEGACY);
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

  /**
   * Whether an admin has vouched for the epoch this member was handed: false while the only proof is the
   * word of a member who is not an admin (who added this member); nothing is sent to the group until then.
   */
  public boolean confirmed() {
    return trust.unconfirmedFrom().isEmpty();
  }

  /** Who handed this member a key no admin has vouched for yet, while {@link #confirmed()} is false. */
  public Optional<PublicCard> unconfirmedFrom() {
    return trust.unconfirmedFrom();
  }

  /**
   * The conversation of one of its epochs, seen by {@code me}: as a member, or only a reader of its history. Marked a
   * group's ({@link TailRule#GROUP}): the engine writes it as records once every device showed it reads them (§4.9).
   */
  public static Conversation conversation(Identity me, Epoch e) {
    return Conversation.observe(me, e.secret(), e.members()).withTails(TailRule.GROUP);
  }

  Group withEpochs(List<Epoch> newEpochs) {
    return new Group(id, name, newEpochs, status, removedBy, links, trust);
  }

  Group withStatus(Status s, PublicCard by) {
    return new Group(id, name, epochs, s, Optional.ofNullable(by), links, trust);
  }

  Group withLinks(List<JoinLink> newLinks) {
    return new Group(id, name, epochs, status, removedBy, newLinks, trust);
  }

  Group withTrust(GroupTrust t) {
    return new Group(id, name, epochs, status, removedBy, links, t);
  }

  /** The links not revoked. */
  public List<JoinLink> activeLinks() {
    return links.stream().filter(l -> !l.revoked()).toList();
  }
}
