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

  /** The kind of a read position, the engine's own (applied, never handed to the application). */
  public static final String READ = "READ";
  /**
   * The kind of a group's state, the engine's own: {@code {"v":1,"group":id,"state":…}}, the state sealed as
   * every device keeps it and the link bundle carries it (applied, never handed to the application).
   */
  public static final String GROUP = "GROUP";

  /** A {@code SELF_GROUP} body. */
  static byte[] groupBody(String id, String sealed) {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("v", 1);
    o.addProperty("group", id);
    o.addProperty("state", sealed);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The group id and sealed state of a {@code SELF_GROUP} body; empty when it is not one this version reads. */
  static java.util.Optional<String[]> group(byte[] body) {
    java.util.Optional<com.google.gson.JsonObject> o = org.reschat.core.internal.json.StrictJson.parseObject(
        new String(body, StandardCharsets.UTF_8));
    if (o.isEmpty() || org.reschat.core.internal.json.StrictJson.integer(o.get(), "v", 1, 1).isEmpty()) {
      return java.util.Optional.empty();
    }
    java.util.Optional<String> id = org.reschat.core.internal.json.StrictJson.string(o.get(), "group");
    java.util.Optional<String> state = org.reschat.core.internal.json.StrictJson.string(o.get(), "state");
    return id.isPresent() && state.isPresent() ? java.util.Optional.of(new String[] {id.get(), state.get()})
        : java.util.Optional.empty();
  }

  /** How many marks one {@code SELF_READ} holds at most (well within a message). */
  static final int MARKS_PER_MESSAGE = 100;

  private SelfChannel() {}

  /**
   * {@code SELF_READ} bodies for {@code marks}: {@code {"v":1,"marks":[[conversation, writer, member, page,
   * slot], …]}} (the feed's local names, which every device of the identity derives alike), at most
   * {@link #MARKS_PER_MESSAGE} a body.
   */
  static List<byte[]> readBodies(java.util.Map<org.reschat.core.spi.FeedId, org.reschat.core.spi.LocalState.Position> marks) {
    List<byte[]> out = new ArrayList<>();
    com.google.gson.JsonArray a = new com.google.gson.JsonArray();
    for (java.util.Map.Entry<org.reschat.core.spi.FeedId, org.reschat.core.spi.LocalState.Position> e : marks.entrySet()) {
      com.google.gson.JsonArray m = new com.google.gson.JsonArray();
      m.add(e.getKey().conversation());
      m.add(e.getKey().writer());
      m.add(e.getKey().member());
      m.add(e.getValue().page());
      m.add(e.getValue().slot());
      a.add(m);
      if (a.size() == MARKS_PER_MESSAGE) {
        out.add(readBody(a));
        a = new com.google.gson.JsonArray();
      }
    }
    if (!a.isEmpty()) {
      out.add(readBody(a));
    }
    return out;
  }

  private static byte[] readBody(com.google.gson.JsonArray marks) {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("v", 1);
    o.add("marks", marks);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The marks of a {@code SELF_READ} body; what does not parse is left out. */
  static java.util.Map<org.reschat.core.spi.FeedId, org.reschat.core.spi.LocalState.Position> marks(byte[] body) {
    java.util.Map<org.reschat.core.spi.FeedId, org.reschat.core.spi.LocalState.Position> out = new java.util.LinkedHashMap<>();
    java.util.Optional<com.google.gson.JsonObject> o = org.reschat.core.internal.json.StrictJson.parseObject(
        new String(body, StandardCharsets.UTF_8));
    if (o.isEmpty() || org.reschat.core.internal.json.StrictJson.integer(o.get(), "v", 1, 1).isEmpty()
        || !o.get().has("marks") || !o.get().get("marks").isJsonArray()) {
      return out;
    }
    for (com.google.gson.JsonElement e : o.get().getAsJsonArray("marks")) {
      try {
        com.google.gson.JsonArray m = e.getAsJsonArray();
        if (m.size() != 5) {
          continue;
        }
        long page = m.get(3).getAsLong();
        int slot = m.get(4).getAsInt();
        if (page < 1 || page > Conversation.MAX_PAGE_NUMBER || slot < 0) {
          continue;
        }
        out.put(new org.reschat.core.spi.FeedId(m.get(0).getAsString(), m.get(1).getAsString(), m.get(2).getAsInt()),
            new org.reschat.core.spi.LocalState.Position(page, slot));
      } catch (RuntimeException notAMark) {
        // skipped: only well-formed marks of feeds this device reads are applied
      }
    }
    return out;
  }

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
    Unread u = unread(engine, me);
    u.received().commit(engine.state());
    return u.changes();
  }

  /** What the other devices wrote since the last read, and what marks it read once it was passed on. */
  record Unread(List<Devices.SelfChange> changes, org.reschat.core.internal.conversation.Received received) {}

  /** What the other devices wrote since the last read, in the merged order; not yet marked read. */
  static Unread unread(ConversationEngine engine, Identity me) throws LocalStateException, KvException {
    org.reschat.core.internal.conversation.Received r = engine.receive(conversation(me));
    List<Devices.SelfChange> out = new ArrayList<>();
    for (Message m : r.update().received()) {
      if (m.type().startsWith(MessageText.SELF_PREFIX) && m.type().length() > MessageText.SELF_PREFIX.length()) {
        out.add(new Devices.SelfChange(m.type().substring(MessageText.SELF_PREFIX.length()), m.body(), m.sentAt()));
      }
    }
    return new Unread(out, r);
  }
}
