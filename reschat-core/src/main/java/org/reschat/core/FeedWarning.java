package org.reschat.core;

/**
 * Something wrong found on the store while reading a feed. The page concerned is not shown as the
 * store has it: the verified copy from the local cache is shown instead, when there is one, and the rest
 * of the history still shows.
 *
 * @param kind what was found
 * @param ownFeed whether it is in this person's own feed (then the client republishes the page)
 * @param page the page number concerned
 * @param detail one sentence saying what exactly
 * @param writer the card of the feed's writer (in a group, which member's feed)
 * @param claimant who says so, when the warning rests on what a member's page claims about this feed (its
 *     head, protocol §6) rather than on what this reader found itself; null otherwise. The detail then starts
 *     with the claimant's short fingerprint ("3a7f 91c2 claims …"), or "your page" for this person's own pages
 */
public record FeedWarning(Kind kind, boolean ownFeed, long page, String detail,
    org.reschat.core.identity.PublicCard writer, org.reschat.core.identity.PublicCard claimant) {

  /** A warning this reader found itself (no claimant): the form every caller used before claims were named. */
  public FeedWarning(Kind kind, boolean ownFeed, long page, String detail, org.reschat.core.identity.PublicCard writer) {
    this(kind, ownFeed, page, detail, writer, null);
  }

  /** The member whose page claims what this warning reports, if it rests on a claim. */
  public java.util.Optional<org.reschat.core.identity.PublicCard> claimedBy() {
    return java.util.Optional.ofNullable(claimant);
  }

  /**
   * The detail with the claimant called by {@code names} (a nickname, say) instead of its short fingerprint:
   * "bob claims (their page 4) that …". The detail as it is when there is no claimant or it does not start
   * with one.
   */
  public String detail(java.util.function.Function<org.reschat.core.identity.PublicCard, String> names) {
    if (claimant == null || !detail.startsWith(shortName(claimant) + " ")) {
      return detail;
    }
    return names.apply(claimant) + detail.substring(shortName(claimant).length());
  }

  /** How a detail names a claimant: the first two groups of its fingerprint ("3a7f 91c2"). */
  public static String shortName(org.reschat.core.identity.PublicCard card) {
    return card.fingerprintText().substring(0, 9);
  }

  /** What was found. */
  public enum Kind {
    /** The value is not a page at all (garbage, truncated, oversize, another format). */
    CORRUPT,
    /** A page of another feed or page number, or sealed for another conversation, was written here. */
    MISPLACED,
    /** The signature does not verify: not written by the feed's owner. */
    FORGED,
    /** An older version of a page, with fewer slots than one already verified (a rollback). */
    ROLLBACK,
    /**
     * The writer signed a second version of a page that contradicts one already verified (changed
     * messages, another link): a fork, known only with both signed versions in hand. The first verified
     * version is still shown; the other is kept as evidence.
     */
    EQUIVOCATION,
    /**
     * A page linking to a version the store does not serve, or a member's page claiming this feed got
     * further (or read another version of a page) than the store serves: something is withheld, by the
     * store, or the claim is false ({@link #claimedBy()} names whose claim it is).
     */
    WITHHELD,
    /** The page does not link to its neighbour: the hash chain is broken. */
    CHAIN_BROKEN,
    /** A page known to exist is gone from the store. */
    MISSING,
    /** A slot whose sealed copy for this reader does not open. */
    UNDECRYPTABLE,
    /** This person's own page was damaged on the store and has been written again from the local copy. */
    REPUBLISHED,
    /**
     * A group invitation that does not prove itself, or two versions of a group no proof reconciles: the
     * warning names who claims what (the writer is the claimant).
     */
    CONFLICT,
    /**
     * A reaction, edit or delete that refers to a message its writer may not change (someone else's, or one
     * of a kind it cannot apply to), or to no message: never applied. The writer is who sent it.
     */
    NOT_APPLIED;

    /** Whether this kind means someone tampered with the ledger or a writer misbehaved. */
    public boolean isSecurityProblem() {
      return this != REPUBLISHED;
    }
  }

  @Override
  public String toString() {
    return (ownFeed ? "your" : "their") + " page " + page + ": " + detail;
  }
}
