package org.reschat.core.internal.conversation;

import org.reschat.core.internal.page.PageLimits;

/**
 * How one client treats a conversation's open tails (protocol §4.7): whether an unsigned version of a tail page
 * (a sender tag instead of a signature) counts here ({@code open}: a direct chat's epoch that is still open for
 * unsigned versions in this client's view, {@link OpenEpoch}), and whether every device of both people has shown
 * it reads pages of version 4 ({@code everyoneReads4}, {@link ReadsRecord}). The one place that decides how a page
 * is authenticated: a writer tags only a tail that is not full, where both hold; otherwise it signs.
 */
public record TailRule(boolean open, boolean everyoneReads4) {
  /** Every version signed, version 3 written: groups, the self channel, requests, channels, and any chat until both hold. */
  public static final TailRule SIGNED = new TailRule(false, false);

  /** Whether this client writes pages of version 4 here: only when every reader has shown it reads them. */
  public boolean writesVersion4() {
    return everyoneReads4;
  }

  /** Whether a page of {@code slots} slots written here carries a sender tag rather than a signature. */
  public boolean tags(int slots) {
    return open && everyoneReads4 && slots < PageLimits.SLOTS_PER_PAGE;
  }
}
