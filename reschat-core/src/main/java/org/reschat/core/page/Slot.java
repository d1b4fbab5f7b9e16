package org.reschat.core.page;

/**
 * One message slot of a {@link Page}: the six fields of the ResChat Page model, as they appear on the
 * wire. Values are validated by {@link PageCodec} when parsed and by {@link PageWriter} when built.
 *
 * @param receiver field 0: the receiver's writer tag in this conversation (opaque, base64url)
 * @param type field 1: the message type, e.g. {@code TEXT}
 * @param timestamp field 2: the sender's clock in UTC milliseconds, as decimal digits
 * @param extension field 3: type-specific metadata; empty for {@code TEXT}
 * @param forSender field 4: the message sealed to the sender (HPKE, base64url)
 * @param forReceiver field 5: the message sealed to the receiver (HPKE, base64url)
 */
public record Slot(String receiver, String type, String timestamp, String extension, String forSender, String forReceiver) {

  /** Field 2 as a number. */
  public long timestampMillis() {
    return Long.parseLong(timestamp);
  }

  /** The six fields in wire order. */
  public String[] fields() {
    return new String[] {receiver, type, timestamp, extension, forSender, forReceiver};
  }
}
