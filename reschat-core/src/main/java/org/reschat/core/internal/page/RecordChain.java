package org.reschat.core.internal.page;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.reschat.core.FeedWarning.Kind;

/**
 * What a reader verified of one open page in record form (protocol §4.8), and the append-only rule for it: records
 * come in order, each linked to the one before (record 0 to the previous page's final version, when the reader
 * holds it); a record once verified stays, and another authenticated record at its place is EQUIVOCATION; a
 * record served past one that was not is WITHHELD; the page that closes them must hold exactly their slots.
 * Not thread-safe: one reader's state.
 */
public final class RecordChain {
  private final long page;
  private final byte[] previousPage;
  private final List<SlotRecord> records = new ArrayList<>();

  /**
   * @param previousPage the hash of page {@code page − 1}'s final version as this reader verified it, zero for
   *     page 1, or null when the reader does not hold it (then record 0's link is taken as it is)
   */
  public RecordChain(long page, byte[] previousPage) {
    this.page = page;
    this.previousPage = previousPage == null ? null : previousPage.clone();
  }

  /** The records verified so far, in order. */
  public List<SlotRecord> records() {
    return List.copyOf(records);
  }

  /** The index of the record to read next (the number held). */
  public int next() {
    return records.size();
  }

  /** The hash the next record must link to: the last record's, or the previous page's (null when not held). */
  byte[] link() {
    return records.isEmpty() ? (previousPage == null ? null : previousPage.clone()) : records.get(records.size() - 1).hash();
  }

  /**
   * Whether the writer may have closed this page: twenty records, or so many bytes that the largest message might
   * not have fit (§4.5). A reader then looks at the page key too; otherwise the next record is the only place to look.
   */
  public boolean mayBeClosed() {
    int closingLength = 1 + 4 + PageLimits.HASH_BYTES + 1 + 1 + 1 + PageLimits.SIGNATURE_BYTES; // version 4, signed
    if (!records.isEmpty()) {
      closingLength += records.get(records.size() - 1).heads().size() * (1 + 4 + 1 + PageLimits.HEAD_HASH_BYTES);
    }
    for (SlotRecord r : records) {
      closingLength += r.slot().encoding().length;
    }
    return Page.mayHaveSuccessor(records.size(), closingLength);
  }

  /**
   * Takes verified record {@code r} of this page: true when it is new, false when it is the one held at its place.
   * Throws, keeping what was held, when it contradicts them or comes past one not served.
   */
  public boolean add(SlotRecord r) throws PageRejectedException {
    if (r.page() != page) {
      throw new IllegalArgumentException("record of page " + r.page() + " offered to page " + page);
    }
    if (r.index() < records.size()) {
      if (records.get(r.index()).equals(r)) {
        return false;
      }
      throw new PageRejectedException(Kind.EQUIVOCATION, "record " + page + "/" + r.index()
          + " was served in a second version, authenticated by its writer; the first is kept");
    }
    if (r.index() > records.size()) {
      throw new PageRejectedException(Kind.WITHHELD, "record " + page + "/" + r.index() + " was served but record "
          + page + "/" + records.size() + " before it was not");
    }
    byte[] link = link();
    if (link != null && !Arrays.equals(link, r.previous())) {
      throw new PageRejectedException(Kind.EQUIVOCATION, "record " + page + "/" + r.index()
          + " links to another version of what comes before it than the one verified");
    }
    records.add(r);
    return true;
  }

  /**
   * Checks the page that closes these records: signed, its number and link are record 0's and its first slots are
   * the records' byte for byte (it may hold more, which the reader had not read yet).
   */
  public void checkClosing(Page closing) throws PageRejectedException {
    if (closing.isTagged()) { // a closed page is read alone for good: only its writer's signature makes it final
      throw new PageRejectedException(Kind.FORGED, "page " + page + " closes records but is not signed");
    }
    byte[] link = records.isEmpty() ? previousPage : records.get(0).previous();
    boolean agrees = closing.number() == page && (link == null || Arrays.equals(link, closing.previous()))
        && closing.slots().size() >= records.size()
        && closing.slots().subList(0, records.size()).equals(records.stream().map(SlotRecord::slot).toList());
    if (!agrees) {
      throw new PageRejectedException(Kind.EQUIVOCATION, "page " + page + " was closed with other messages than the"
          + " records its writer had written for it; the records are kept");
    }
  }
}
