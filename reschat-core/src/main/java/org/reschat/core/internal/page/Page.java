package org.reschat.core.internal.page;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Sha;

/**
 * One page of a writer's feed, as its members see it inside the envelope: the page number, the hash of
 * the writer's previous page (a hash chain), the writer's view of the other feeds ({@link Head}s), up to
 * 20 {@link Slot}s, and the writer's Ed25519 signature, or on an open tail of version 4 the writer's sender tag
 * ({@link SenderTag}). Immutable; built by {@link PageWriter}, read by
 * {@link PageCodec}. Two pages are equal when their encodings are.
 */
public final class Page {
  /** {@link #previous()} of page 1. */
  static final byte[] NO_PREVIOUS = new byte[PageLimits.HASH_BYTES];
  private static final byte[] HASH_DOMAIN = "reschat/v2 page hash\0".getBytes(StandardCharsets.UTF_8);

  private final long number;
  private final byte[] previous;
  private final List<Head> heads;
  private final List<Slot> slots;
  /** The signature, or the sender tag (the only authenticator of {@link PageLimits#TAG_BYTES}). */
  private final byte[] authenticator;
  private final byte[] encoded;
  private volatile byte[] hash;

  /** Keeps the arrays it is given, not copies: its callers (the writer, the parser) hand over arrays of their own. */
  Page(long number, byte[] previous, List<Head> heads, List<Slot> slots, byte[] authenticator, byte[] encoded) {
    this.number = number;
    this.previous = previous;
    this.heads = List.copyOf(heads);
    this.slots = List.copyOf(slots);
    this.authenticator = authenticator;
    this.encoded = encoded;
  }

  public long number() {
    return number;
  }

  public byte[] previous() {
    return previous.clone();
  }

  public List<Head> heads() {
    return heads;
  }

  public List<Slot> slots() {
    return slots;
  }

  /** The signature, or the sender tag of an open tail. */
  byte[] authenticator() {
    return authenticator.clone();
  }

  /** Whether this version carries a sender tag instead of a signature (an open tail of version 4, §4.7). */
  public boolean isTagged() {
    return authenticator.length == PageLimits.TAG_BYTES;
  }

  /** The page's version: 2, 3, or 4 (§4.2, §4.7). */
  public int version() {
    return encoded[0] & 0xFF;
  }

  /** The bytes the authenticator covers: the page without it (with the kind byte, in version 4). */
  byte[] body() {
    return Arrays.copyOf(encoded, encoded.length - authenticator.length);
  }

  /** The page's bytes, signature included: what the envelope seals. */
  public byte[] encoded() {
    return encoded.clone();
  }

  /** The length of {@link #encoded()}, without copying it. */
  public int encodedLength() {
    return encoded.length;
  }

  /** {@link #encoded()} itself, not a copy, for this package's readers (the envelope), which never write to it. */
  byte[] sharedEncoding() {
    return encoded;
  }

  /** Whether no more messages fit by count (a page can also be closed earlier by size). */
  public boolean isFull() {
    return slots.size() >= PageLimits.SLOTS_PER_PAGE;
  }

  /**
   * Whether the writer may have started the next page after this version: it is full, or so large that
   * the largest message, with every member's head, might not fit. A writer appends to a page until then,
   * so a reader holding a page that is neither need not look for the next one.
   */
  public boolean mayHaveSuccessor() {
    return mayHaveSuccessor(slots.size(), encoded.length);
  }

  /** The same for a page of {@code slots} slots and {@code encodedLength} bytes (one in record form, §4.8). */
  static boolean mayHaveSuccessor(int slots, int encodedLength) {
    // The larger of a slot of version 3 and one of version 2: a writer of either may have moved on.
    int largestSlot = 1 + PageLimits.EPOCH_TAG_BYTES + 1 + 16 + 8 + 2 + PageLimits.MAX_EXTENSION_BYTES + 1 + 2
        + Math.max(PageLimits.SENDER_COPY_BYTES + PageLimits.MAX_RECEIVER_COPY_BYTES,
            PageLimits.LEGACY_SENDER_COPY_BYTES + PageLimits.LEGACY_MAX_RECEIVER_COPY_BYTES);
    int allHeads = PageLimits.MAX_MEMBERS * (1 + 4 + 1 + PageLimits.HEAD_HASH_BYTES);
    return slots >= PageLimits.SLOTS_PER_PAGE || encodedLength > PageLimits.MAX_PAGE_BYTES - largestSlot - allHeads;
  }

  /** SHA-256 over a label and the encoding: what the next page's {@link #previous()} holds. */
  public byte[] hash() {
    byte[] h = hash;
    if (h == null) {
      h = Sha.sha256(HASH_DOMAIN, encoded); // computed once: every link check asks for it
      hash = h;
    }
    return h.clone();
  }

  /** Whether the next page links to this version of this page. */
  public boolean isLinkedFrom(Page next) {
    return next.number == number + 1 && Arrays.equals(next.previous, hash());
  }

  /**
   * Whether {@code later} is this page grown: same number and link, and this page's slots a prefix of its
   * slots, byte for byte. Heads may differ: they move on as the writer reads.
   */
  public boolean isPrefixOf(Page later) {
    return later.number == number && Arrays.equals(later.previous, previous) && slots.size() <= later.slots.size()
        && later.slots.subList(0, slots.size()).equals(slots);
  }

  /** The head this page gives for {@code member}'s feed, if any. */
  public java.util.Optional<Head> headOf(int member) {
    return heads.stream().filter(h -> h.member() == member).findFirst();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Page && Arrays.equals(((Page) o).encoded, encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "Page[" + number + ", " + slots.size() + " slots, " + Base64Url.encode(Arrays.copyOf(hash(), 6)) + "]";
  }
}
