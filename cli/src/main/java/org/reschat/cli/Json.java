package org.reschat.cli;

import com.google.gson.JsonObject;
import java.util.Locale;
import org.reschat.core.FeedWarning;
import org.reschat.core.Message;

/** The JSON objects commands print with {@code --json}. Field names are stable; see the README. */
public final class Json {
  private Json() {}

  /** An object with its {@code type} field set: the start of every {@code --json} line. */
  public static JsonObject object(String type) {
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
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
    return o;
  }
}
