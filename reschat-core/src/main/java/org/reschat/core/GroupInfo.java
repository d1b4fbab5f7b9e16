package org.reschat.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.reschat.core.identity.PublicCard;

/**
 * A group as this person holds it, as an application shows it: who is in it, who administers it, and
 * whether this person is still in it. Holds no key. Immutable.
 *
 * @param id the chat to send to and read from
 * @param name the name the group was created with
 * @param members the current members, in the order they joined
 * @param admins the current admins (when none is left, the longest-standing member acts as one)
 * @param status whether this person is still in it
 * @param removedBy who removed this person, when {@code status} is {@code REMOVED}
 * @param confirmed whether an admin vouched for the epoch this person holds (an unconfirmed one is
 *     read-only: see the threat model)
 * @param unconfirmedFrom who handed over an epoch no admin vouched for yet
 * @param epoch the current epoch's id (a hash; safe to show, to compare with other members)
 * @param links the group's open join links this person (an admin) holds, any admin's, as they are shared
 */
public record GroupInfo(ChatId.Group id, String name, List<PublicCard> members, List<PublicCard> admins,
    Status status, Optional<PublicCard> removedBy, boolean confirmed, Optional<PublicCard> unconfirmedFrom,
    String epoch, List<Link> links) {

  /** Whether this person is still in the group. */
  public enum Status { ACTIVE, REMOVED, LEFT }

  /**
   * An open join link: the text to share, and the admin who made it (empty for one kept before links were
   * shared: this person made it).
   */
  public record Link(String text, Optional<PublicCard> maker) {
    public Link {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(maker, "maker");
    }
  }

  public GroupInfo {
    Objects.requireNonNull(id, "id");
    members = List.copyOf(members);
    admins = List.copyOf(admins);
    links = List.copyOf(links);
  }

  public boolean isMember(PublicCard card) {
    return members.contains(card);
  }

  public boolean isAdmin(PublicCard card) {
    return admins.contains(card);
  }

  public boolean active() {
    return status == Status.ACTIVE;
  }
}
