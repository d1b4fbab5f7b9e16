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
 */
public record FeedWarning(Kind kind, boolean ownFeed, long page, String detail,
    org.reschat.core.identity.PublicCard writer) {

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
     * messages, another link): a fork. The first verified version is still shown; both are kept as evidence.
     */
    EQUIVOCATION,
    /** Another member saw this feed further than the store now serves it: something is being withheld. */
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
    CONFLICT;

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
