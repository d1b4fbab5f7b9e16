package org.reschat.core.internal.conversation;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.internal.page.PageCodec;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;

/**
 * Which devices of a direct chat's epoch have shown they read pages of version 4 (protocol §4.7, "When a writer
 * uses version 4"): each device of a client that reads them writes {@code PAIR_READS} once in its feed of the
 * chat's current epoch; a writer seals version 4 there only when every device of both people it knows has. Kept
 * per epoch in the device record {@code "reads-" ‖ hex(id)}, {@code {"v":1,"feeds":[writer tag, …]}}: the writer
 * tags of the feeds that showed it (this device's own once written or queued), so it survives a restart and,
 * like every device record, a profile backup.
 */
public final class ReadsRecord {
  /** The notice: field 3 the sender's summary (as every operation's), the body the page versions it reads. */
  public static final String TYPE = "PAIR_READS";
  static final byte[] SUMMARY = "reads pages of version 4".getBytes(StandardCharsets.UTF_8);
  static final byte[] BODY = ("{\"v\":1,\"pages\":[" + PageCodec.LEGACY_VERSION + "," + PageCodec.VERSION + ","
      + PageCodec.TAIL_VERSION + "]}").getBytes(StandardCharsets.UTF_8);
  /** Versions a notice may name: a longer list is not a notice of any client. */
  private static final int MAX_VERSIONS = 16;

  private final LocalState state;
  /** Each record as last parsed, by its text: every operation of a direct chat asks (a live receive, a send). */
  private final java.util.Map<String, Set<String>> parsed = new java.util.concurrent.ConcurrentHashMap<>();

  public ReadsRecord(LocalState state) {
    this.state = state;
  }

  /** What this device writes once in its feed of the current epoch: field 3, then the body. */
  public static byte[][] notice() {
    return new byte[][] {SUMMARY.clone(), BODY.clone()};
  }

  /** Whether every feed of {@code c} (with its devices; a revoked one left out) has shown it reads version 4. */
  public boolean everyone(Conversation c) throws LocalStateException {
    Set<String> shown = load(c.id());
    for (FeedId feed : c.feeds()) {
      if (c.endOf(feed).isEmpty() && !shown.contains(feed.writer())) {
        return false;
      }
    }
    return true;
  }

  /** Whether this device's own feed of {@code c} has shown it (written or queued). */
  public boolean shownByMe(Conversation c) throws LocalStateException {
    return load(c.id()).contains(c.myFeed().writer());
  }

  /** Notes this device's own notice in {@code c} as written (or queued: the outbox publishes it). */
  public void wrote(Conversation c) throws LocalStateException {
    add(c.id(), Set.of(c.myFeed().writer()));
  }

  /**
   * Notes the feeds of {@code c} whose {@code PAIR_READS} among {@code messages} names version 4: each counts for
   * the feed it was read in (the message id's writer tag), whichever device wrote it. Returns the messages to show:
   * all but the notices.
   */
  public List<Message> take(Conversation c, List<Message> messages) throws LocalStateException {
    Set<String> found = new TreeSet<>();
    for (Message m : messages) {
      if (m.type().equals(TYPE) && namesVersion4(m.body())) {
        found.add(m.id().substring(0, m.id().indexOf(':')));
      }
    }
    if (!found.isEmpty() && !load(c.id()).containsAll(found)) {
      add(c.id(), found);
    }
    return shown(messages);
  }

  /** {@code messages} without the notices: what a chat shows, whichever path read them (§4.7: never shown). */
  public static List<Message> shown(List<Message> messages) {
    return messages.stream().filter(m -> !m.type().equals(TYPE)).toList();
  }

  private static boolean namesVersion4(byte[] body) {
    if (body.length > 256) {
      return false;
    }
    Optional<JsonObject> o = StrictJson.parseObject(new String(body, StandardCharsets.UTF_8));
    try {
      if (o.isEmpty() || o.get().size() != 2 || o.get().get("v").getAsInt() != 1) {
        return false;
      }
      JsonArray pages = o.get().getAsJsonArray("pages");
      if (pages.size() > MAX_VERSIONS) {
        return false;
      }
      for (JsonElement e : pages) {
        if (e.getAsJsonPrimitive().isNumber() && e.getAsInt() == PageCodec.TAIL_VERSION) {
          return true;
        }
      }
      return false;
    } catch (RuntimeException e) { // a member of the wrong kind: not a notice
      return false;
    }
  }

  private synchronized void add(String id, Set<String> tags) throws LocalStateException {
    try (LocalState.Lock lock = state.lock("reads")) {
      Set<String> all = new TreeSet<>(load(id));
      if (all.addAll(tags)) {
        JsonArray feeds = new JsonArray();
        all.forEach(feeds::add);
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.add("feeds", feeds);
        state.saveDeviceRecord(name(id), o.toString());
      }
    }
  }

  private Set<String> load(String id) throws LocalStateException {
    Optional<String> text = state.deviceRecord(name(id));
    if (text.isEmpty()) {
      return Set.of();
    }
    String memo = name(id) + "\n" + text.get();
    Set<String> known = parsed.get(memo);
    if (known != null) {
      return known;
    }
    try {
      Set<String> out = new TreeSet<>();
      for (JsonElement e : StrictJson.parseObject(text.get()).orElseThrow().getAsJsonArray("feeds")) {
        out.add(e.getAsString());
      }
      if (parsed.size() > 1024) {
        parsed.clear(); // bounded: one entry per chat epoch read, and a few stale ones
      }
      parsed.put(memo, Set.copyOf(out));
      return Set.copyOf(out);
    } catch (RuntimeException e) {
      throw new LocalStateException("This device's record of who reads pages of version 4 (state/devices/" + name(id)
          + ".record) is damaged; move it aside: it is learnt again as the chat is read.", e);
    }
  }

  private static String name(String id) {
    return "reads-" + HexFormat.of().formatHex(Base64Url.decode(id).orElseThrow());
  }
}
