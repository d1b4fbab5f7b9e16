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
 * @param content what the message is, typed: a text (a reply, mentions), a reaction, an edit, a delete, or
 *     another type; what front ends switch on
 * @param relations what other messages did to this one (reactions, edits, a delete, read markers), folded by
 *     the core in a {@link History}; {@link Relations#NONE} in a message handed out on its own. When the
 *     message was edited, {@code text} is its newest text; when deleted, {@code text} and {@code body} are empty
 */
public record Message(String id, Direction direction, PublicCard sender, Instant sentAt, String type, String text,
    long page, int slot, Status status, byte[] extension, byte[] body, Content content, Relations relations) {

  public Message {
    extension = extension.clone();
    body = body.clone();
    java.util.Objects.requireNonNull(content, "content");
    java.util.Objects.requireNonNull(relations, "relations");
  }

  /** A message as opened, before the core types it: a plain text, or another type. */
  public Message(String id, Direction direction, PublicCard sender, Instant sentAt, String type, String text,
      long page, int slot, Status status, byte[] extension, byte[] body) {
    this(id, direction, sender, sentAt, type, text, page, slot, status, extension, body,
        TEXT.equals(type) ? new Content.Text(text, java.util.Optional.empty(), java.util.List.of()) : new Content.Other(type),
        Relations.NONE);
  }

  /** The same message typed as {@code content} with {@code relations}, showing {@code text} and {@code body}. */
  public Message with(Content content, Relations relations, String text, byte[] body) {
    return new Message(id, direction, sender, sentAt, type, text, page, slot, status, extension, body, content, relations);
  }

  @Override
  public byte[] extension() {
    return extension.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The same message: same id, status and body, however folded (a history's copy equals the one sent). */
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

  /** The text type. */
  public static final String TEXT = "TEXT";
}
