package org.reschat.localdb;

import java.time.Instant;
import org.reschat.core.identity.PublicCard;

/**
 * One entry of the friend list.
 *
 * @param nickname how this person calls them
 * @param card their public card
 * @param verified whether the safety number was checked with them
 * @param added when they were added
 */
public record Friend(String nickname, PublicCard card, boolean verified, Instant added) {
  public String fingerprint() {
    return card.fingerprintText();
  }
}
