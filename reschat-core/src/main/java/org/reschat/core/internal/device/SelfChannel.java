package org.reschat.core.internal.device;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.reschat.core.Devices;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.Update;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.internal.page.MessageText;
import org.reschat.kv.KvException;

/**
 * The self channel (protocol §15.6): a conversation whose one member is the identity and whose feeds are its
 * devices, where each device writes the changes the others should make (a friend added, renamed, verified or
 * removed) as messages of the client's own {@code SELF_} types. Epoch 0's secret comes from the self seed,
 * which every device of the identity holds and nobody else: {@code T_0 = selfSecret("reschat/v3 self
 * channel\0" ‖ u32 0)}. Read and written only while the identity has linked devices.
 */
public final class SelfChannel {
  static final byte[] LABEL = "reschat/v3 self channel\0".getBytes(StandardCharsets.UTF_8);
  /** What a kind is: the type is {@code SELF_} and the kind, 16 characters at most. */
  private static final java.util.regex.Pattern KIND = java.util.regex.Pattern.compile("[A-Z][A-Z0-9_]{0,10}");

  private SelfChannel() {}

  /** The self channel's epoch-0 secret (protocol §15.6). */
  public static byte[] secret(Identity me) {
    return Secrets.of(me).selfSecret(ByteBuffer.allocate(LABEL.length + 4).put(LABEL).putInt(0).array());
  }

  /** The self channel of {@code me}'s identity, epoch 0: one member, the identity; its feeds, its devices. */
  public static Conversation conversation(Identity me) {
    byte[] t = secret(me);
    try {
      return Conversation.of(me, t, List.of(me.card()));
    } finally {
      Arrays.fill(t, (byte) 0);
    }
  }

  /** The message type of {@code kind}, after checking it. */
  static String type(String kind) throws InvalidMessageException {
    if (kind == null || !KIND.matcher(kind).matches()) {
      throw new InvalidMessageException("A change's kind is 1-11 of A-Z 0-9 _ starting with a letter, not \"" + kind
          + "\".");
    }
    return MessageText.SELF_PREFIX + kind;
  }

  /** Writes one change into the self channel. */
  static void write(ConversationEngine engine, Identity me, String kind, byte[] body, String summary)
      throws InvalidMessageException, LocalStateException, KvException {
    String type = type(kind);
    MessageText.checkBody(body);
    byte[] extension = summary == null ? new byte[0] : summary.getBytes(StandardCharsets.UTF_8);
    engine.send(conversation(me), type, extension, body);
  }

  /** What the other devices wrote since the last read, in the merged order; marked read. */
  static List<Devices.SelfChange> read(ConversationEngine engine, Identity me) throws LocalStateException, KvException {
    Update u = engine.update(conversation(me));
    List<Devices.SelfChange> out = new ArrayList<>();
    for (Message m : u.received()) {
      if (m.type().startsWith(MessageText.SELF_PREFIX) && m.type().length() > MessageText.SELF_PREFIX.length()) {
        out.add(new Devices.SelfChange(m.type().substring(MessageText.SELF_PREFIX.length()), m.body(), m.sentAt()));
      }
    }
    return out;
  }
}
