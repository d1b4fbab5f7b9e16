package org.reschat.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Locale;
import java.util.Optional;
import org.reschat.core.Content;
import org.reschat.core.FeedWarning;
import org.reschat.core.Relations;
import org.reschat.core.Message;
import org.reschat.cli.text.SafeText;

/** The JSON objects commands print with {@code --json}. Field names are stable; see the README. */
public final class Json {
  private Json() {}

  /**
   * {@code json} with every character {@link SafeText#isUnsafe} written as a {@code \\uXXXX} escape. Gson
   * already escapes C0 controls; C1 controls and bidi overrides it writes raw, and a terminal showing the
   * JSON would interpret them. The escaped form parses to exactly the same strings. Outside strings JSON
   * holds no such character but the newlines of pretty printing, which stay.
   */
  public static String inert(String json) {
    StringBuilder sb = new StringBuilder(json.length());
    json.codePoints().forEach(c -> {
      if (c != '\n' && SafeText.isUnsafe(c)) {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }

  /** A writer that makes what passes through it {@link #inert(String)}: for JSON written as it is produced. */
  public static java.io.Writer inert(java.io.Writer to) {
    return new java.io.FilterWriter(to) {
      @Override
      public void write(int c) throws java.io.IOException {
        if (c != '\n' && SafeText.isUnsafe(c)) {
          out.write(String.format("\\u%04x", c));
        } else {
          out.write(c);
        }
      }

      @Override
      public void write(char[] buffer, int offset, int length) throws java.io.IOException {
        for (int i = offset; i < offset + length; i++) {
          write(buffer[i]);
        }
      }

      @Override
      public void write(String text, int offset, int length) throws java.io.IOException {
        for (int i = offset; i < offset + length; i++) {
          write(text.charAt(i));
        }
      }
    };
  }

  /** An object with its {@code type} field set: the start of every {@code --json} line. */
  public static JsonObject object(String type) {
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
    return o;
  }

  /** What a failing command prints on stderr with {@code --json}: its exit code and its one sentence. */
  public static JsonObject error(int exitCode, String message) {
    JsonObject o = object("error");
    o.addProperty("exit_code", exitCode);
    o.addProperty("message", message);
    return o;
  }

  public static JsonObject message(Message m, String friend) {
    return message(m, friend, Names.FINGERPRINTS, false);
  }

  /**
   * A message as {@code history --json} and {@code receive --json} print it. What the core folded onto it is
   * in {@code reply_to} (and {@code reply_quote}), {@code reactions}, {@code edited} ({@code edits}: the earlier
   * texts, when asked), {@code deleted} (then {@code text} is null), {@code seen} (own messages) and
   * {@code mentions}. A reaction, edit or delete is an object of its own type ({@link #relation}).
   */
  public static JsonObject message(Message m, String friend, Names names, boolean edits) {
    if (!(m.content() instanceof Content.Text) && !(m.content() instanceof Content.Other)) {
      return relation(m, friend, names);
    }
    JsonObject o = object("message");
    common(o, m, friend);
    o.addProperty("message_type", m.type());
    Relations r = m.relations();
    o.addProperty("text", r.deleted() ? null : m.text());
    o.addProperty("status", m.status().name().toLowerCase(Locale.ROOT));
    o.addProperty("page", m.page());
    o.addProperty("slot", m.slot());
    if (!r.deleted()) {
      org.reschat.cli.commands.FileMessages.offer(m).ifPresent(f -> { // a FILE message: what 'files' lists
        JsonObject file = new JsonObject();
        file.addProperty("name", f.name());
        file.addProperty("size", f.size());
        file.addProperty("media_type", f.mediaType());
        file.addProperty("caption", f.caption());
        o.add("file", file);
      });
    }
    Optional<Content.Quote> reply = m.content() instanceof Content.Text ? ((Content.Text) m.content()).replyTo()
        : Optional.empty();
    o.addProperty("reply_to", reply.map(Content.Quote::id).orElse(null));
    o.addProperty("reply_quote", reply.flatMap(Content.Quote::start).orElse(null));
    JsonArray reactions = new JsonArray();
    for (Relations.Reaction x : r.reactions()) {
      JsonObject e = new JsonObject();
      e.addProperty("emoji", x.emoji());
      e.addProperty("from", names.json(x.from()));
      reactions.add(e);
    }
    o.add("reactions", reactions);
    o.addProperty("edited", r.edited().map(Object::toString).orElse(null));
    if (edits) {
      JsonArray earlier = new JsonArray();
      for (Relations.Version v : r.earlier()) {
        JsonObject e = new JsonObject();
        e.addProperty("at", v.at().toString());
        e.addProperty("text", v.text());
        earlier.add(e);
      }
      o.add("edits", earlier);
    }
    o.addProperty("deleted", r.deleted());
    if (r.seen().isPresent()) {
      JsonObject seen = new JsonObject();
      seen.addProperty("by", r.seen().get().by());
      seen.addProperty("of", r.seen().get().of());
      o.add("seen", seen);
    } else {
      o.add("seen", com.google.gson.JsonNull.INSTANCE);
    }
    JsonArray mentions = new JsonArray();
    boolean you = false;
    if (m.content() instanceof Content.Text) {
      for (org.reschat.core.identity.PublicCard card : ((Content.Text) m.content()).mentions()) {
        mentions.add(card.fingerprintText());
        you |= names.isMe(card);
      }
    }
    o.add("mentions", mentions);
    o.addProperty("mentions_you", you);
    return o;
  }

  /**
   * A reaction ({@code reaction}: {@code to}, {@code emoji}, {@code removed}), an edit ({@code edit}: {@code to},
   * {@code text}) or a delete ({@code delete}: {@code to}) as {@code receive --json} prints it; {@code quote}: the
   * start of the message it refers to, when this client holds it (never for a delete).
   */
  public static JsonObject relation(Message m, String friend, Names names) {
    Content c = m.content();
    Content.Quote to;
    JsonObject o;
    if (c instanceof Content.Reaction) {
      Content.Reaction r = (Content.Reaction) c;
      o = object("reaction");
      to = r.to();
      common(o, m, friend);
      o.addProperty("to", to.id());
      o.addProperty("emoji", r.emoji().orElse(null));
      o.addProperty("removed", r.removed());
    } else if (c instanceof Content.Edit) {
      o = object("edit");
      to = ((Content.Edit) c).to();
      common(o, m, friend);
      o.addProperty("to", to.id());
      o.addProperty("text", ((Content.Edit) c).text());
    } else {
      o = object("delete");
      to = ((Content.Delete) c).to();
      common(o, m, friend);
      o.addProperty("to", to.id());
    }
    o.addProperty("quote", c instanceof Content.Delete ? null : to.start().orElse(null));
    o.addProperty("status", m.status().name().toLowerCase(Locale.ROOT));
    return o;
  }

  private static void common(JsonObject o, Message m, String friend) {
    o.addProperty("friend", friend);
    o.addProperty("id", m.id());
    o.addProperty("direction", m.direction().name().toLowerCase(Locale.ROOT));
    o.addProperty("sender", m.direction() == Message.Direction.SENT ? "me" : friend);
    o.addProperty("sent_at", m.sentAt().toString());
  }

  /**
   * A group message: {@code friend} is the group's name, {@code sender} the sender's nickname (or short
   * fingerprint when not a friend); adds {@code group} and {@code sender_fingerprint}.
   */
  public static JsonObject groupMessage(Message m, String group, String sender) {
    return groupMessage(m, group, sender, Names.FINGERPRINTS, false);
  }

  /** As {@link #groupMessage(Message, String, String)}, with names for reactions and the earlier texts if asked. */
  public static JsonObject groupMessage(Message m, String group, String sender, Names names, boolean edits) {
    JsonObject o = message(m, group, names, edits);
    o.addProperty("sender", m.direction() == Message.Direction.SENT ? "me" : sender);
    o.addProperty("group", group);
    o.addProperty("sender_fingerprint", m.sender().fingerprintText());
    return o;
  }

  public static JsonObject warning(FeedWarning w, String friend) {
    JsonObject o = object("warning");
    o.addProperty("friend", friend);
    o.addProperty("kind", w.kind().name().toLowerCase(Locale.ROOT));
    o.addProperty("security", w.kind().isSecurityProblem());
    o.addProperty("own_feed", w.ownFeed());
    o.addProperty("page", w.page());
    o.addProperty("detail", w.detail());
    o.addProperty("writer_fingerprint", w.writer().fingerprintText());
    w.claimedBy().ifPresent(c -> o.addProperty("claimed_by_fingerprint", c.fingerprintText()));
    return o;
  }

  /** Someone asks to join group {@code group}: the name is their claim, the fingerprint the fact. */
  public static JsonObject joinRequest(String group, org.reschat.core.Groups.JoinRequest r) {
    JsonObject o = object("join_request");
    o.addProperty("group", group);
    o.addProperty("name", r.name());
    o.addProperty("fingerprint", r.card().fingerprintText());
    o.addProperty("card", r.card().toString());
    return o;
  }

  /** A message request: who (a fingerprint) and the messages they sent. */
  public static JsonObject messageRequest(org.reschat.core.MessageRequest r) {
    String who = Fingerprints.shortForm(r.from());
    JsonObject o = object("message_request");
    o.addProperty("fingerprint", r.from().fingerprintText());
    o.addProperty("card", r.from().toString());
    o.addProperty("seen", r.seen().toString());
    com.google.gson.JsonArray messages = new com.google.gson.JsonArray();
    for (Message m : r.messages()) {
      messages.add(message(m, who));
    }
    o.add("messages", messages);
    return o;
  }

  /** A post of a public channel. */
  public static JsonObject channelPost(org.reschat.core.channel.ChannelId channel, org.reschat.core.channel.ChannelPost p) {
    JsonObject o = object("channel_post");
    o.addProperty("channel", channel.toString());
    o.addProperty("name", p.name());
    o.addProperty("n", p.n());
    o.addProperty("at", p.at().toString());
    o.addProperty("text", p.text());
    o.addProperty("public", true);
    return o;
  }
}
