package org.reschat.core.internal.page;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.reschat.core.FeedWarning.Kind;

/**
 * Tagged records of an open page read where tags no longer count in this reader's view (protocol §4.8, "an epoch
 * closed mid-page"): their writer may have written them before it learnt of the closing, or a revoked device may
 * have made them, and a record, unlike a tail page, is never written again signed. So they are evidence of nothing
 * yet: held back (neither shown, reported nor kept) until something signed commits to them through the hash chain.
 * A signed later record linking to the last of them takes them all before it; the signed page closing them takes
 * them as its slots, and those whose place it fills with another slot were forged. At most twenty: a page has twenty
 * record keys. One pass's state over one {@link RecordChain}.
 */
public final class HeldBackRecords {
  private final RecordChain chain;
  private final List<SlotRecord> held = new ArrayList<>();

  public HeldBackRecords(RecordChain chain) {
    this.chain = chain;
  }

  /**
   * Holds back tagged record {@code r}, which verifies but for the closing: true when it is the next record after
   * those verified and held back and links to the one before; otherwise it continues nothing and is not held.
   */
  public boolean hold(SlotRecord r) {
    byte[] link = held.isEmpty() ? chain.link() : held.get(held.size() - 1).hash();
    if (r.index() != chain.next() + held.size() || (link != null && !Arrays.equals(link, r.previous()))) {
      return false;
    }
    held.add(r);
    return true;
  }

  /**
   * Takes record {@code r}, verified in this reader's view (signed, where tags no longer count). With none held back
   * the chain takes it as any record; otherwise it must be the next and link to the last held back, which commits to
   * them all: they are taken in order, then it. Throws WITHHELD for one past a record not served, FORGED for one that
   * links elsewhere (the tagged records held back are not what their writer wrote), taking nothing.
   */
  public boolean take(SlotRecord r) throws PageRejectedException {
    if (held.isEmpty() || r.index() < chain.next()) {
      return chain.add(r);
    }
    if (r.index() != chain.next() + held.size()) {
      throw new PageRejectedException(Kind.WITHHELD, "record " + r.page() + "/" + r.index() + " was served but record "
          + r.page() + "/" + (chain.next() + held.size()) + " before it was not");
    }
    if (!Arrays.equals(held.get(held.size() - 1).hash(), r.previous())) {
      String range = range();
      held.clear(); // reported once, here
      throw new PageRejectedException(Kind.FORGED, "the unsigned records " + range + " are not those its writer's"
          + " signed record " + r.page() + "/" + r.index() + " commits to: they were not written by the writer");
    }
    for (SlotRecord h : held) {
      chain.add(h); // linked, checked above
    }
    held.clear();
    return chain.add(r);
  }

  /**
   * Compares the records held back with {@code closing}, the signed page closing this chain (it agreed with the
   * verified records, {@link RecordChain#checkClosing}): those whose slot it does not hold at their place were
   * forged. The page itself carries the messages; the ones held back are dropped either way.
   */
  public Optional<String> forgedUnder(Page closing) {
    List<Slot> slots = closing.slots();
    boolean differs = held.stream().anyMatch(h -> h.index() >= slots.size() || !slots.get(h.index()).equals(h.slot()));
    String found = differs ? "the unsigned records " + range() + " are not the messages its writer's signed page "
        + closing.number() + " holds: they were not written by the writer" : null;
    held.clear();
    return Optional.ofNullable(found);
  }

  /** How many records are held back. */
  public int size() {
    return held.size();
  }

  private String range() {
    SlotRecord first = held.get(0);
    return first.page() + "/" + first.index() + "–" + held.get(held.size() - 1).index();
  }
}
