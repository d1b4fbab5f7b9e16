package org.reschat.core.internal.group;

import java.util.List;
import java.util.Optional;
import org.reschat.core.identity.PublicCard;

/**
 * What a member can prove about its group (protocol.md §9 "Invitations"): the founder its id commits to,
 * whether an admin has vouched for the epoch the member was handed, and the member's own admin credential.
 *
 * @param founder the founder and nonce of a founded id; empty for a legacy id
 * @param unconfirmedFrom the member who handed this member an epoch no admin has vouched for yet; empty
 *     once one has (or when the invitation proved itself)
 * @param credential this member's links from the founder, when it is an admin who can prove it (the
 *     founder's is empty); absent otherwise
 */
public record GroupTrust(Optional<Founder> founder, Optional<PublicCard> unconfirmedFrom,
    Optional<List<AdminLink>> credential) {
  /** A group from before founders: nothing to prove, nothing owed. */
  static final GroupTrust LEGACY = new GroupTrust(Optional.empty(), Optional.empty(), Optional.empty());

  public GroupTrust {
    credential = credential.map(List::copyOf);
  }

  GroupTrust confirmed() {
    return new GroupTrust(founder, Optional.empty(), credential);
  }

  GroupTrust unconfirmedFrom(PublicCard inviter) {
    return new GroupTrust(founder, Optional.of(inviter), credential);
  }

  GroupTrust withCredential(List<AdminLink> links) {
    return new GroupTrust(founder, unconfirmedFrom, Optional.of(links));
  }
}
