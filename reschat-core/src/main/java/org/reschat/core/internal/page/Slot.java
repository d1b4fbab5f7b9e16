package org.reschat.core.internal.page;

import java.util.Arrays;
import java.util.Objects;

/**
 * One message slot of a {@link Page}: the six fields of ResChat's Page model. Immutable; validated by
 * {@link PageCodec} when parsed and built only by {@link SlotSeal}.
 *
 * <ol start="0">
 *   <li>receiver reference: the epoch tag naming the secret the receivers' copy is sealed under;</li>
 *   <li>message type, e.g. {@code TEXT};</li>
 *   <li>timestamp: the sender's clock in UTC milliseconds;</li>
 *   <li>type extension: type-specific metadata, empty for {@code TEXT};</li>
 *   <li>the copy for the sender: the message's one-time key, sealed under a key only the sender derives;</li>
 *   <li>the copy for the receivers: the padded message, sealed under that one-time key, which the
 *       receivers derive from the conversation secret.</li>
 * </ol>
 */
public final class Slot {
  private final byte[] receiver;
  private final String type;
  private final long timestamp;
  private final byte[] extension;
  private final byte[] forSender;
  private final byte[] forReceivers;
  /** Its bytes in a page, encoded once when first asked (a tail is encoded again at every message it grows by). */
  private volatile byte[] encoding;

  Slot(byte[] receiver, String type, long timestamp, byte[] extension, byte[] forSender, byte[] forReceivers) {
    this.receiver = receiver.clone();
    this.type = Objects.requireNonNull(type);
    this.timestamp = timestamp;
    this.extension = extension.clone();
    this.forSender = forSender.clone();
    this.forReceivers = forReceivers.clone();
  }

  public byte[] receiver() {
    return receiver.clone();
  }

  public String type() {
    return type;
  }

  public long timestampMillis() {
    return timestamp;
  }

  public byte[] extension() {
    return extension.clone();
  }

  public byte[] forSender() {
    return forSender.clone();
  }

  public byte[] forReceivers() {
    return forReceivers.clone();
  }

  /** This slot's bytes in a page ({@link PageCodec}): kept, so not a copy; callers only read them. */
  byte[] encoding() {
    byte[] e = encoding;
    if (e == null) {
      e = PageCodec.encodeSlot(receiver, type, timestamp, extension, forSender, forReceivers);
      encoding = e;
    }
    return e;
  }

  /**
   * Whether this slot is sealed the current way (pages of version 3): the receivers' copy committed to its
   * key, the sender's copy under the self seed. A slot of version 2 has a sender's copy with a salt of its own.
   */
  public boolean committing() {
    return forSender.length == PageLimits.SENDER_COPY_BYTES;
  }

  /** The size of the receivers' copy: what the ledger would show of the message length, were it not sealed. */
  public int receiverCopyLength() {
    return forReceivers.length;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Slot)) {
      return false;
    }
    Slot s = (Slot) o;
    return timestamp == s.timestamp && type.equals(s.type) && Arrays.equals(receiver, s.receiver)
        && Arrays.equals(extension, s.extension) && Arrays.equals(forSender, s.forSender)
        && Arrays.equals(forReceivers, s.forReceivers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, timestamp, Arrays.hashCode(forReceivers));
  }
}
