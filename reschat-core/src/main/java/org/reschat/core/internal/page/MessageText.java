package org.reschat.core.internal.page;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.reschat.core.InvalidMessageException;

/**
 * The one place the rules for what may be sent live: a text is non-blank, valid Unicode, and at most
 * {@link PageLimits#MAX_MESSAGE_BYTES} of UTF-8; a type is {@code [A-Z][A-Z0-9_]{0,15}}, and the group
 * operations' types are the client's own. Every chat, direct or group, and every caller goes through here.
 */
public final class MessageText {
  public static final String TEXT = "TEXT";
  private static final String RESERVED_PREFIX = "GROUP_";
  /** A device-list notice (protocol §15.4): written by device 0 of the sender's identity, never by a caller. */
  public static final String DEVICES = "LINKED_DEVICES";
  /** The self channel's operations (protocol §15.6). */
  public static final String SELF_PREFIX = "SELF_";
  /** A direct chat's epochs (protocol §3.1): {@code PAIR_ROTATE}, {@code PAIR_TAKEN}. */
  public static final String PAIR_PREFIX = "PAIR_";

  /** Compiled once: {@code String.matches} compiled it at every send (3 % of a whole send's CPU, issue 24). */
  private static final java.util.regex.Pattern TYPE = java.util.regex.Pattern.compile("[A-Z][A-Z0-9_]{0,15}");

  private MessageText() {}

  /** The text's UTF-8 bytes, or why it cannot be sent (empty, over 16 KiB, not Unicode). */
  public static byte[] encode(String text) throws InvalidMessageException {
    if (text == null || text.isBlank()) {
      throw new InvalidMessageException("The message is empty; there is nothing to send.");
    }
    byte[] body = hasSurrogate(text) ? strictUtf8(text) : text.getBytes(StandardCharsets.UTF_8);
    checkBody(body);
    return body;
  }

  /**
   * Without surrogates every char is a code point, and {@code getBytes} (a fast path, where the encoder allocated
   * a buffer, 5 % of a whole send's CPU, issue 24) gives the same bytes; it would write '?' for a lone surrogate.
   */
  private static boolean hasSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isSurrogate(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** The UTF-8 of a text holding surrogates: refused where one is unpaired. */
  private static byte[] strictUtf8(String text) throws InvalidMessageException {
    try {
      ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(text));
      byte[] body = new byte[encoded.remaining()];
      encoded.get(body);
      return body;
    } catch (CharacterCodingException e) {
      throw new InvalidMessageException("The message is not valid Unicode text.");
    }
  }

  /** The size rule alone, for bodies of any type. */
  public static void checkBody(byte[] body) throws InvalidMessageException {
    if (body.length > PageLimits.MAX_MESSAGE_BYTES) {
      throw new InvalidMessageException("The message is " + body.length + " bytes; the limit is "
          + PageLimits.MAX_MESSAGE_BYTES + " bytes (16 KiB) of UTF-8 text: send a longer text as a file (--file).");
    }
  }

  /**
   * A type a caller may send: well formed, not one of the group operations, and not a reaction, edit or delete
   * (those go through the client's own methods, which check what they refer to first).
   */
  public static void checkCallerType(String type) throws InvalidMessageException {
    checkType(type);
    if (type.startsWith(RESERVED_PREFIX)) {
      throw new InvalidMessageException("Group operations are not sent as messages.");
    }
    if (type.equals(DEVICES) || type.startsWith(SELF_PREFIX) || type.startsWith(PAIR_PREFIX)) {
      throw new InvalidMessageException("Device operations are not sent as messages.");
    }
    if (org.reschat.core.internal.relation.RelationCodec.isRelation(type)) {
      throw new InvalidMessageException("Reactions, edits and deletes are sent with react, edit and delete.");
    }
  }

  /** A well-formed type, including the client's own operations. */
  public static void checkType(String type) throws InvalidMessageException {
    if (type == null || !TYPE.matcher(type).matches()) {
      throw new InvalidMessageException("A message type is 1-16 of A-Z 0-9 _ starting with a letter, not \"" + type + "\".");
    }
  }

  /**
   * Whether {@code type} is one of the client's operations, group or device ones (never shown as a sender's
   * text; field 3 holds the sender's summary of it).
   */
  public static boolean isOperation(String type) {
    return type.startsWith(RESERVED_PREFIX) || type.equals(DEVICES) || type.startsWith(SELF_PREFIX)
        || type.startsWith(PAIR_PREFIX);
  }
}
