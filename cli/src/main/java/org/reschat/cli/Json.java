package org.reschat.cli;

import com.google.gson.JsonObject;
import java.util.Locale;
import org.reschat.core.FeedWarning;
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
    JsonObject o = object("message");
    o.addProperty("friend", friend);
    o.addProperty("id", m.id());
    o.addProperty("direction", m.direction().name().toLowerCase(Locale.ROOT));
    o.addProperty("sender", m.direction() == Message.Direction.SENT ? "me" : friend);
    o.addProperty("sent_at", m.sentAt().toString());
    o.addProperty("message_type", m.type());
    o.addProperty("text", m.text());
    o.addProperty("status", m.status().name().toLowerCase(Locale.ROOT));
    o.addProperty("page", m.page());
    o.addProperty("slot", m.slot());
    org.reschat.cli.commands.FileMessages.offer(m).ifPresent(f -> { // a FILE message: what 'files' lists
      JsonObject file = new JsonObject();
      file.addProperty("name", f.name());
      file.addProperty("size", f.size());
      file.addProperty("media_type", f.mediaType());
      file.addProperty("caption", f.caption());
      o.add("file", file);
    });
    return o;
  }

  /**
   * A group message: {@code friend} is the group's name, {@code sender} the sender's nickname (or short
   * fingerprint when not a friend); adds {@code group} and {@code sender_fingerprint}.
   */
  public static JsonObject groupMessage(Message m, String group, String sender) {
    JsonObject o = message(m, group);
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
    return o;
  }

  /** Someone asks to join group {@code group}: the name is their claim, the fingerprint the fact. */
  public static JsonObject joinRequest(String group, org.reschat.core.group.GroupLinks.JoinRequest r) {
    JsonObject o = object("join_request");
    o.addProperty("group", group);
    o.addProperty("name", r.name());
    o.addProperty("fingerprint", r.card().fingerprintText());
    o.addProperty("card", r.card().toString());
    return o;
  }

  /** A message request: who (a fingerprint) and the messages they sent. */
  public static JsonObject messageRequest(org.reschat.core.requests.MessageRequests.Request r) {
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
