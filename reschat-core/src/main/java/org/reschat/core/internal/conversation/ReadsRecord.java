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
import org.reschat.core.internal.json.ParsedText;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.internal.page.PageCodec;
import org.reschat.core.internal.page.RecordCodec;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;

/**
 * Which devices of a direct chat's epoch have shown they read pages of version 4 (protocol §4.7, "When a writer
 * uses version 4") and slot records, version 5 (§4.8): each device of a client that reads them writes
 * {@code PAIR_READS} once in its feed of the chat's current epoch, and once more when it has learnt to read a
 * newer version since; a writer uses a version there only when every device of both people it knows has shown it.
 * Kept per epoch in the device record {@code "reads-" ‖ hex(id)},
 * {@code {"v":1,"feeds":[writer tag, …],"records":[writer tag, …]}}: the writer tags of the feeds that showed
 * version 4, and of those that showed version 5 (absent in records kept before version 5: none), this device's own
 * once written or queued, so it survives a restart and, like every device record, a profile backup.
 */
public final class ReadsRecord {
  /** The notice: field 3 the sender's summary (as every operation's), the body the page versions it reads. */
  public static final String TYPE = "PAIR_READS";
  /** Versions a notice may name: a longer list is not a notice of any client. */
  private static final int MAX_VERSIONS = 16;

  /** The feeds of one epoch that showed version 4, and those that showed version 5. */
  private record Shown(Set<String> tails, Set<String> records) {
    static final Shown NONE = new Shown(Set.of(), Set.of());

    boolean has(Set<String> tails, Set<String> records) {
      return this.tails.containsAll(tails) && this.records.containsAll(records);
    }
  }

  private final LocalState state;
  /** Whether this device's notice names version 5: {@link TailRule#RECORDS_READ_HERE} outside tests of the rule. */
  private final boolean namesRecords;
  /** Each epoch's record, parsed once per text: every operation of a direct chat asks (a live receive, a send). */
  private final java.util.Map<String, ParsedText<Shown>> parsed = new java.util.concurrent.ConcurrentHashMap<>();
  /** Each epoch's record name: a base64 decode and a hex encode, asked three times a receive. */
  private final java.util.Map<String, String> names = new java.util.concurrent.ConcurrentHashMap<>();

  public ReadsRecord(LocalState state) {
    this(state, TailRule.RECORDS_READ_HERE);
  }

  ReadsRecord(LocalState state, boolean namesRecords) {
    this.state = state;
    this.namesRecords = namesRecords;
  }

  /** What a device of this client writes once in its feed of the current epoch: field 3, then the body. */
  public static byte[][] notice() {
    return notice(TailRule.RECORDS_READ_HERE);
  }

  /** The notice of a device that reads records ({@code records}) or pages up to version 4 only. */
  static byte[][] notice(boolean records) {
    String versions = PageCodec.LEGACY_VERSION + "," + PageCodec.VERSION + "," + PageCodec.TAIL_VERSION
        + (records ? "," + RecordCodec.VERSION : "");
    String summary = "reads pages of version " + (records ? RecordCodec.VERSION : PageCodec.TAIL_VERSION);
    return new byte[][] {summary.getBytes(StandardCharsets.UTF_8),
        ("{\"v\":1,\"pages\":[" + versions + "]}").getBytes(StandardCharsets.UTF_8)};
  }

  /** This device's notice: {@link #notice(boolean)} for what it reads. */
  public byte[][] myNotice() {
    return notice(namesRecords);
  }

  /** Whether every feed of {@code c} (with its devices; a revoked one left out) has shown it reads version 4. */
  public boolean everyone(Conversation c) throws LocalStateException {
    return everyone(c, load(c.id()).tails());
  }

  /** Whether every feed of {@code c} (a revoked one left out), this device's own included, has shown version 5. */
  public boolean everyoneReadsRecords(Conversation c) throws LocalStateException {
    return everyone(c, load(c.id()).records());
  }

  private static boolean everyone(Conversation c, Set<String> shown) {
    for (FeedId feed : c.feeds()) {
      if (c.endOf(feed).isEmpty() && !shown.contains(feed.writer())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether this device's own feed of {@code c} has shown what it reads (written or queued): a device that showed
   * version 4 only and has learnt to read records since writes its notice once more.
   */
  public boolean shownByMe(Conversation c) throws LocalStateException {
    return load(c.id()).has(Set.of(c.myFeed().writer()), namesRecords ? Set.of(c.myFeed().writer()) : Set.of());
  }

  /**
   * Writes this device's notice in its feed of {@code c} through {@code client} and notes it written (queued when
   * the store fails, as any message); false when it could not be sealed, to be written at a later read. Whether it
   * is due here (not shown yet, a writable profile, a reader of it exists) is the caller's to say.
   */
  public boolean write(ConversationClient client, Conversation c) throws LocalStateException {
    byte[][] notice = myNotice();
    try {
      client.send(c, TYPE, notice[0], notice[1]);
    } catch (org.reschat.kv.KvException | org.reschat.core.InvalidMessageException e) {
      return false;
    }
    wrote(c);
    return true;
  }

  /** Notes this device's own notice in {@code c} as written (or queued: the outbox publishes it). */
  public void wrote(Conversation c) throws LocalStateException {
    Set<String> me = Set.of(c.myFeed().writer());
    add(c.id(), me, namesRecords ? me : Set.of());
  }

  /**
   * Notes the feeds of {@code c} whose {@code PAIR_READS} among {@code messages} names version 4, and those whose
   * notice names version 5 too: each counts for the feed it was read in (the message id's writer tag), whichever
   * device wrote it. A notice naming 5 without 4 shows neither (records carry §4.7's tags). Returns the messages to
   * show: all but the notices.
   */
  public List<Message> take(Conversation c, List<Message> messages) throws LocalStateException {
    Set<String> tails = new TreeSet<>();
    Set<String> records = new TreeSet<>();
    for (Message m : messages) {
      Set<Integer> named = m.type().equals(TYPE) ? versions(m.body()) : Set.of();
      if (named.contains(PageCodec.TAIL_VERSION)) {
        String feed = m.id().substring(0, m.id().indexOf(':'));
        tails.add(feed);
        if (named.contains(RecordCodec.VERSION)) {
          records.add(feed);
        }
      }
    }
    if (!tails.isEmpty() && !load(c.id()).has(tails, records)) {
      add(c.id(), tails, records);
    }
    return shown(messages);
  }

  /**
   * Notes the notices among {@code messages} read in {@code c}; whether they completed who reads records there (every
   * feed that counts, linked devices' included): the caller reads {@code c} once more, so the open records written
   * since come in the same call. A group's epoch (§4.9) and the self channel (§15.6) ask it alike.
   */
  public boolean learnt(ConversationClient client, Conversation c, List<Message> messages) throws LocalStateException {
    if (shown(messages).size() == messages.size() || client.followsRecords(c)) {
      return false; // no notice read (most reads), or nothing left to learn
    }
    take(c, messages);
    return client.followsRecords(c);
  }

  /** {@code messages} without the notices: what a chat shows, whichever path read them (§4.7: never shown). */
  public static List<Message> shown(List<Message> messages) {
    return messages.stream().filter(m -> !m.type().equals(TYPE)).toList();
  }

  /** The versions a notice's body names; none for anything that is not a notice. */
  private static Set<Integer> versions(byte[] body) {
    if (body.length > 256) {
      return Set.of();
    }
    Optional<JsonObject> o = StrictJson.parseObject(new String(body, StandardCharsets.UTF_8));
    try {
      if (o.isEmpty() || o.get().size() != 2 || o.get().get("v").getAsInt() != 1) {
        return Set.of();
      }
      JsonArray pages = o.get().getAsJsonArray("pages");
      if (pages.size() > MAX_VERSIONS) {
        return Set.of();
      }
      Set<Integer> out = new TreeSet<>();
      for (JsonElement e : pages) {
        if (e.getAsJsonPrimitive().isNumber()) {
          out.add(e.getAsInt());
        }
      }
      return out;
    } catch (RuntimeException e) { // a member of the wrong kind: not a notice
      return Set.of();
    }
  }

  private synchronized void add(String id, Set<String> tails, Set<String> records) throws LocalStateException {
    try (LocalState.Lock lock = state.lock("reads")) {
      Shown before = load(id);
      if (!before.has(tails, records)) {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.add("feeds", union(before.tails(), tails));
        o.add("records", union(before.records(), records));
        state.saveDeviceRecord(nameOf(id), o.toString());
      }
    }
  }

  private static JsonArray union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    JsonArray out = new JsonArray();
    all.forEach(out::add);
    return out;
  }

  private Shown load(String id) throws LocalStateException {
    Optional<String> text = state.deviceRecord(nameOf(id));
    if (text.isEmpty()) {
      return Shown.NONE;
    }
    // By the epoch's id, compared by text: a key made of name and text was a new string to hash at every ask.
    ParsedText<Shown> memo = parsed.get(id);
    if (memo == null) {
      memo = new ParsedText<>(t -> parse(id, t));
      bounded(parsed).put(id, memo);
    }
    return memo.of(text.get());
  }

  private static Shown parse(String id, String text) throws LocalStateException {
    try {
      JsonObject o = StrictJson.parseObject(text).orElseThrow();
      return new Shown(strings(o.getAsJsonArray("feeds")),
          o.has("records") ? strings(o.getAsJsonArray("records")) : Set.of()); // kept before version 5: none
    } catch (RuntimeException e) {
      throw new LocalStateException("This device's record of who reads pages of version 4 (state/devices/" + name(id)
          + ".record) is damaged; move it aside: it is learnt again as the chat is read.", e);
    }
  }

  private String nameOf(String id) {
    String name = names.get(id);
    if (name == null) {
      name = name(id);
      bounded(names).put(id, name);
    }
    return name;
  }

  /** {@code memo}, emptied past 1024 entries: one entry per chat epoch read, and a few stale ones. */
  private static <V> java.util.Map<String, V> bounded(java.util.Map<String, V> memo) {
    if (memo.size() > 1024) {
      memo.clear();
    }
    return memo;
  }

  private static Set<String> strings(JsonArray array) {
    Set<String> out = new TreeSet<>();
    for (JsonElement e : array) {
      out.add(e.getAsString());
    }
    return Set.copyOf(out);
  }

  private static String name(String id) {
    return "reads-" + HexFormat.of().formatHex(Base64Url.decode(id).orElseThrow());
  }
}
