package org.reschat.core.internal.conversation;

import java.util.List;
import java.util.Set;
import org.reschat.core.internal.page.MessageText;
import org.reschat.core.internal.page.PageLimits;

/**
 * How one client treats a conversation's open tails (protocol §4.7): whether an unsigned version of a tail page
 * (a sender tag instead of a signature) counts here ({@code open}: a direct chat's epoch that is still open for
 * unsigned versions in this client's view, {@link OpenEpoch}), and whether every device of both people has shown
 * it reads pages of version 4 ({@code everyoneReads4}, {@link ReadsRecord}), and of version 5, slot records
 * ({@code everyoneReads5}, protocol §4.8). The one place that decides how a page is authenticated (a writer tags
 * only a tail that is not full, where both hold; otherwise it signs) and whether the open tail is written as records.
 * A group's epoch ({@code group}, protocol §4.9), and the self channel (§15.6) under the same rule, is never open for
 * unsigned versions and writes its open tail as signed records once every device of every member showed version 5:
 * nothing there was ever tagged, so nothing is held back or closed early when it ends.
 */
public record TailRule(boolean open, boolean everyoneReads4, boolean everyoneReads5, boolean group) {
  /** Every version signed, version 3 written: requests, channels, and any chat until both hold. */
  public static final TailRule SIGNED = new TailRule(false, false, false);
  /**
   * A group's epoch where not every device has shown version 5: every version signed, version 3 written. The self
   * channel (§15.6) takes it too: a conversation of one identity whose device feeds all hold its secret is a group
   * in all that matters here (the envelope proves only that one of them wrote).
   */
  public static final TailRule GROUP = groupEpoch(false);

  /**
   * Whether this client's {@code FeedReader} reads an open page in record form (protocol §4.8). Until it does, its
   * {@code PAIR_READS} does not name version 5 and it writes no records, whatever its friend's devices have shown:
   * a friend would otherwise write what this client's own other devices, or this one, cannot read. On: it does,
   * an epoch closed mid-page included ({@code HeldBackRecords}).
   */
  public static final boolean RECORDS_READ_HERE = true;

  /**
   * Whether this client's devices show version 5 in a group's epochs (protocol §4.9): each writes the notice there,
   * so records are written where every device of every member did. Off, none is written here and no group epoch
   * this client is a member of is ever written or read as records.
   */
  public static final boolean RECORDS_IN_GROUPS = true;

  /** A rule for clients and chats where nobody has shown version 5: pages only. */
  public TailRule(boolean open, boolean everyoneReads4) {
    this(open, everyoneReads4, false);
  }

  /** A direct chat's rule, or one of a conversation that is neither a direct chat nor a group. */
  public TailRule(boolean open, boolean everyoneReads4, boolean everyoneReads5) {
    this(open, everyoneReads4, everyoneReads5, false);
  }

  /**
   * A group epoch's rule: records (always signed) where every device of every member showed version 5; a notice
   * naming 5 names 4 too, so the closing page is of version 4, kind 1.
   */
  public static TailRule groupEpoch(boolean everyoneReads5) {
    return new TailRule(false, everyoneReads5, everyoneReads5, true);
  }

  /**
   * Whether tagged versions no longer count here while they could have (protocol §4.8, an epoch closed mid-page):
   * every conversation but an open direct chat's epoch, and never a group's, where nothing is tagged. There a writer
   * closes its open record page early, signed, begins none, and a reader holds tagged records back.
   */
  public boolean tagsWithdrawn() {
    return !open && !group;
  }

  /**
   * This rule with the epoch open: what a tagged record read where tags no longer count would be checked under had
   * this client not learnt of the closing (protocol §4.8, an epoch closed mid-page).
   */
  public TailRule opened() {
    return new TailRule(true, everyoneReads4, everyoneReads5, group);
  }

  /** Whether this client writes pages of version 4 here: only when every reader has shown it reads them. */
  public boolean writesVersion4() {
    return everyoneReads4;
  }

  /**
   * Whether this client writes its open tail here as slot records (protocol §4.8): only when every device of both
   * people, this one included, has shown it reads version 5, and only once this client reads records itself.
   */
  public boolean writesRecords() {
    return writesRecords(RECORDS_READ_HERE);
  }

  /** {@link #writesRecords()} for a client that reads records ({@code readHere}) or not: tests of the writer set it. */
  public boolean writesRecords(boolean readHere) {
    return readHere && everyoneReads4 && everyoneReads5;
  }

  /**
   * Messages that change what a reader trusts (a new key of the chat, its acknowledgement, a device notice): they
   * ride only on signed pages, so a device that holds the secret and the self seed but is revoked, writing before a
   * reader learnt of it, cannot plant one that outlives the revocation (§4.7).
   */
  private static final Set<String> SIGNED_TYPES = Set.of(PairRotate.TYPE, PairRotate.TAKEN, MessageText.DEVICES);

  /** Whether a page whose slots have {@code types} (in order) written here carries a sender tag, not a signature. */
  public boolean tags(List<String> types) {
    return open && !group && everyoneReads4 && types.size() < PageLimits.SLOTS_PER_PAGE && !needsSignature(types);
  }

  /** Whether a page holding messages of {@code types} counts only signed, wherever it is. */
  public static boolean needsSignature(List<String> types) {
    return types.stream().anyMatch(SIGNED_TYPES::contains);
  }
}
