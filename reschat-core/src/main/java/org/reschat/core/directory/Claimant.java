package org.reschat.core.directory;

import java.time.Instant;
import org.reschat.core.identity.PublicCard;

/** Someone claiming a name: their card (and so their fingerprint) and when they published the claim. */
public record Claimant(PublicCard card, String name, Instant published) {}
