package org.reschat.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.LocalStateException;
import org.reschat.core.GroupInfo;
import org.reschat.core.Groups;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.localdb.AtomicFiles;

/**
 * Requests to join a group by link that no admin has answered yet, kept in the profile
 * ({@code group-joins.json}, 0600): the link and the name given. {@code receive} looks for each one's welcome
 * (one read) and completes the join as soon as an admin approved, so nobody has to run {@code group join}
 * twice; a second {@code group join} of the same link asks again under the same name.
 */
public final class PendingJoins {
  static final String FILE = "group-joins.json";
  /** Bounds the reads each receive makes for joins nobody answers (a denial is never told). */
  static final int MAX = 32;

  /** One request: the link and the name the admins were shown. */
  public record Pending(String link, String name) {}

  private PendingJoins() {}

  /** The requests waiting, oldest first; none when the file does not exist. */
  public static List<Pending> list(Session session) throws Exception {
    Path file = session.profile().directory().resolve(FILE);
    if (!Files.exists(file)) {
      return List.of();
    }
    Optional<JsonObject> o = StrictJson.parseObject(Files.readString(file, StandardCharsets.UTF_8));
    List<Pending> out = new ArrayList<>();
    if (o.isEmpty() || !o.get().has("joins") || !o.get().get("joins").isJsonArray()) {
      throw damaged(file);
    }
    for (var e : o.get().getAsJsonArray("joins")) {
      if (!e.isJsonObject()) {
        throw damaged(file);
      }
      Optional<String> link = StrictJson.string(e.getAsJsonObject(), "link");
      Optional<String> name = StrictJson.string(e.getAsJsonObject(), "name");
      if (link.isEmpty() || name.isEmpty()) {
        throw damaged(file);
      }
      out.add(new Pending(link.get(), name.get()));
    }
    return out;
  }

  private static LocalStateException damaged(Path file) {
    return new LocalStateException(file + " is damaged; it is kept as it is. Move it away to forget your requests"
        + " to join (run 'reschat group join LINK' again to ask again).");
  }

  /** The name given the last time {@code link} was asked through, if it was. */
  public static Optional<String> nameFor(Session session, String link) throws Exception {
    return list(session).stream().filter(p -> same(p.link(), link)).map(Pending::name).findFirst();
  }

  /** Remembers a request posted through {@code link} under {@code name}. */
  public static void add(Session session, String link, String name) throws Exception {
    List<Pending> all = new ArrayList<>(list(session));
    all.removeIf(p -> same(p.link(), link));
    all.add(new Pending(link.replaceAll("\\s+", ""), name));
    while (all.size() > MAX) {
      all.remove(0);
    }
    save(session, all, "ask to join a group");
  }

  /** Forgets the request through {@code link}: the join is done. */
  public static void remove(Session session, String link) throws Exception {
    List<Pending> all = new ArrayList<>(list(session));
    if (all.removeIf(p -> same(p.link(), link))) {
      save(session, all, "join a group");
    }
  }

  private static boolean same(String a, String b) {
    return a.replaceAll("\\s+", "").equals(b.replaceAll("\\s+", ""));
  }

  private static void save(Session session, List<Pending> all, String what) throws Exception {
    Path file = session.profile().forChange(FILE, what);
    if (all.isEmpty()) {
      AtomicFiles.delete(file);
      return;
    }
    JsonArray joins = new JsonArray();
    for (Pending p : all) {
      JsonObject j = new JsonObject();
      j.addProperty("link", p.link());
      j.addProperty("name", p.name());
      joins.add(j);
    }
    JsonObject o = new JsonObject();
    o.add("joins", joins);
    AtomicFiles.write(file, o.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Completes every join an admin approved since the request: each is the event {@code receive} shows for a
   * group joined. A read-only profile looks but records nothing, as its receive does.
   */
  public static List<Event.GroupJoined> complete(Session session) throws Exception {
    List<Pending> waiting = list(session);
    if (waiting.isEmpty() || session.profile().access().readOnly()) {
      return List.of();
    }
    List<Event.GroupJoined> joined = new ArrayList<>();
    for (Pending p : waiting) {
      Groups.JoinResult r;
      try {
        r = session.client().groups().join(p.link(), p.name(), false); // looks for the welcome only
      } catch (org.reschat.core.GroupException e) {
        continue; // a link that no longer parses: left for 'group join' to report
      }
      if (r.joined().isPresent()) {
        GroupInfo g = r.joined().get();
        remove(session, p.link());
        joined.add(new Event.GroupJoined(g.id(), g.name()));
      }
    }
    return joined;
  }
}
