package org.reschat.core;

import java.time.Instant;
import org.reschat.core.identity.PublicCard;

/**
 * One message as shown: decrypted from a verified page.
 *
 * @param id stable across runs and clients: writer tag, page number and slot index, e.g. {@code Xy3…:2:7}
 * @param direction whether this person sent it or received it
 * @param sender the card of whoever wrote it
 * @param sentAt the sender's clock when sending (not verified by anyone)
 * @param type the message type, {@code TEXT} for text
 * @param text the text; for a type this version cannot show, a note saying so
 * @param page the page of the writer's feed holding it
 * @param slot its slot in that page
 * @param status whether the store has confirmed it (always {@code CONFIRMED} for received messages)
 * @param extension field 3, the type's metadata (empty for {@code TEXT})
 * @param body the decrypted body as sent; for {@code TEXT} the UTF-8 of {@code text}
 */
public record Message(String id, Direction direction, PublicCard sender, Instant sentAt, String type, String text,
    long page, int slot, Status status, byte[] extension, byte[] body) {

  public Message {
    extension = extension.clone();
    body = body.clone();
  }

  @Override
  public byte[] extension() {
    return extension.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message && ((Message) o).id.equals(id) && ((Message) o).status == status
        && java.util.Arrays.equals(((Message) o).body, body);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** Sent or received. */
  public enum Direction { SENT, RECEIVED }

  /** Whether the store holds the message. */
  public enum Status {
    /** On the store, confirmed by reading it back. */
    CONFIRMED,
    /** Only in the local outbox so far; the next send or update publishes it. */
    QUEUED
  }

  /** The text type, the only one this version writes. */
  public static final String TEXT = "TEXT";
}
