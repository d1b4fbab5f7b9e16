package org.reschat.core.internal.page;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.reschat.core.internal.crypto.Sha;

/**
 * One message of an open page written on its own (protocol §4.8): page {@code n}'s message {@code i}, written
 * once at its own key, linked to the record before it (record 0 to page {@code n − 1}'s final version), with the
 * writer's heads and a signature or sender tag of its own. Immutable; built by {@link RecordWriter}, read by
 * {@link RecordCodec}. Two records are equal when their encodings are.
 */
public final class SlotRecord {
  private static final byte[] HASH_DOMAIN = "reschat/v5 record hash\0".getBytes(StandardCharsets.UTF_8);

  private final long page;
  private final int index;
  private final byte[] previous;
  private final List<Head> heads;
  private final Slot slot;
  private final byte[] authenticator;
  private final byte[] encoded;
  private volatile byte[] hash;

  SlotRecord(long page, int index, byte[] previous, List<Head> heads, Slot slot, byte[] authenticator, byte[] encoded) {
    this.page = page;
    this.index = index;
    this.previous = previous.clone();
    this.heads = List.copyOf(heads);
    this.slot = slot;
    this.authenticator = authenticator.clone();
    this.encoded = encoded.clone();
  }

  public long page() {
    return page;
  }

  /** The message's place in its page, 0 to 19: the slot it has in the page that closes it. */
  public int index() {
    return index;
  }

  /** The hash of the record before it, or for record 0 of page {@code n − 1}'s final version (zero for page 1). */
  public byte[] previous() {
    return previous.clone();
  }

  public List<Head> heads() {
    return heads;
  }

  public Slot slot() {
    return slot;
  }

  /** Whether it carries a sender tag instead of a signature (§4.7). */
  public boolean isTagged() {
    return authenticator.length == PageLimits.TAG_BYTES;
  }

  byte[] authenticator() {
    return authenticator.clone();
  }

  /** The bytes the authenticator covers. */
  byte[] body() {
    return Arrays.copyOf(encoded, encoded.length - authenticator.length);
  }

  /** The record's bytes, authenticator included: what the envelope seals. */
  public byte[] encoded() {
    return encoded.clone();
  }

  /** What the next record's {@link #previous()} holds. */
  public byte[] hash() {
    byte[] h = hash;
    if (h == null) {
      h = Sha.sha256(HASH_DOMAIN, encoded); // computed once, as a page's: each send and receive links the open page's records
      hash = h;
    }
    return h.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SlotRecord && Arrays.equals(((SlotRecord) o).encoded, encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "SlotRecord[" + page + "/" + index + ", " + slot.type() + "]";
  }
}
