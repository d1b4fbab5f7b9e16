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
  /** The length of the authenticator: a signature's, or a sender tag's (the only one of {@link PageLimits#TAG_BYTES}). */
  private final int authenticatorLength;
  /** The signature or sender tag, and the page's bytes with it: null until first asked for when written here. */
  private volatile byte[] authenticator;
  private volatile byte[] encoded;
  /** Of a page written here until it is authenticated: its body, and what authenticates it (then both null). */
  private volatile byte[] body;
  private volatile Authentication authentication;
  private volatile byte[] hash;

  /** What authenticates a body written here: a signature or a sender tag, deterministic both. */
  @FunctionalInterface
  interface Authentication {
    byte[] of(byte[] body);
  }

  /** Keeps the arrays it is given, not copies: its callers (the writer, the parser) hand over arrays of their own. */
  Page(long number, byte[] previous, List<Head> heads, List<Slot> slots, byte[] authenticator, byte[] encoded) {
    this(number, previous, heads, slots, authenticator.length);
    this.authenticator = authenticator;
    this.encoded = encoded;
  }

  /**
   * A page written here, authenticated only when its bytes are first asked for ({@link #encoded}, {@link #hash},
   * {@link #equals}): a writer's open page of records is never written whole until it closes (protocol §4.8), so
   * signing it at every send would be a signature thrown away 19 times of 20. A signature and a tag are deterministic,
   * so the bytes are those the page would have had signed at once.
   */
  Page(long number, byte[] previous, List<Head> heads, List<Slot> slots, byte[] body, int authenticatorLength,
      Authentication authentication) {
    this(number, previous, heads, slots, authenticatorLength);
    this.body = body;
    this.authentication = authentication;
  }

  private Page(long number, byte[] previous, List<Head> heads, List<Slot> slots, int authenticatorLength) {
    this.number = number;
    this.previous = previous;
    this.heads = List.copyOf(heads);
    this.slots = List.copyOf(slots);
    this.authenticatorLength = authenticatorLength;
  }

  /** The page's bytes, authenticated now if this is the first time they are asked for. */
  private byte[] bytes() {
    byte[] e = encoded;
    return e != null ? e : authenticate();
  }

  private synchronized byte[] authenticate() {
    if (encoded == null) { // once: another thread may have just done it
      byte[] a = authentication.of(body);
      authenticator = a;
      encoded = PageCodec.withSignature(body, a);
      body = null; // after the bytes: whoever finds no body finds them
      authentication = null;
    }
    return encoded;
  }

  /**
   * Whether this page is signed (not tagged) and its body is {@code other}: then it is the very page that signing
   * {@code other} gives. Compared without authenticating it.
   */
  boolean isSignedBody(byte[] other) {
    if (isTagged()) {
      return false;
    }
    byte[] b = body;
    if (b != null) {
      return Arrays.equals(b, other);
    }
    byte[] e = encoded; // set before the body is dropped
    return e.length == other.length + authenticatorLength && Arrays.equals(e, 0, other.length, other, 0, other.length);
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
    bytes();
    return authenticator.clone();
  }

  /** Whether this version carries a sender tag instead of a signature (an open tail of version 4, §4.7). */
  public boolean isTagged() {
    return authenticatorLength == PageLimits.TAG_BYTES;
  }

  /** The page's version: 2, 3, or 4 (§4.2, §4.7). */
  public int version() {
    byte[] b = body;
    return (b != null ? b[0] : bytes()[0]) & 0xFF;
  }

  /** The bytes the authenticator covers: the page without it (with the kind byte, in version 4). */
  byte[] body() {
    byte[] e = bytes();
    return Arrays.copyOf(e, e.length - authenticatorLength);
  }

  /** The page's bytes, signature included: what the envelope seals. */
  public byte[] encoded() {
    return bytes().clone();
  }

  /** The length of {@link #encoded()}, without copying it. */
  public int encodedLength() {
    byte[] b = body;
    return b != null ? b.length + authenticatorLength : bytes().length;
  }

  /** {@link #encoded()} itself, not a copy, for this package's readers (the envelope), which never write to it. */
  byte[] sharedEncoding() {
    return bytes();
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
    return mayHaveSuccessor(slots.size(), encodedLength());
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
      h = Sha.sha256(HASH_DOMAIN, bytes()); // computed once: every link check asks for it
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
    return o instanceof Page && Arrays.equals(((Page) o).bytes(), bytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes());
  }

  @Override
  public String toString() {
    return "Page[" + number + ", " + slots.size() + " slots, " + Base64Url.encode(Arrays.copyOf(hash(), 6)) + "]";
  }
}
