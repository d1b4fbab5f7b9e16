package org.reschat.core.internal.device;

import com.google.gson.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.reschat.core.FeedWarning;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.spi.DeviceRecords;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * What one client knows of the devices of the people it reads (protocol §15.2): per identity, the newest entry
 * of its device list this client verified, and when it last read the list. A list is read the first time it is
 * needed, then at most every {@link #REFRESH_MILLIS}, or at once when asked (a notice names a newer entry); the
 * time is kept with the entry, so every process of a profile shares it.
 *
 * <pre>
 * record "list-" ‖ hex(fingerprint(card)):  {"v":1,"entry":"b64u entry bytes","checked":millis}   ("entry" absent: no list)
 * </pre>
 *
 * Thread-safe: changes to records happen under the local state's lock {@code "devices"}.
 */
public final class DeviceBook {
  /** How long a list read stays fresh: the inbox's interval (protocol §13). */
  public static final long REFRESH_MILLIS = 10 * 60_000L;
  private static final String LOCK = "devices";

  private final Identity me;
  private final DeviceLog log;
  private final LocalState state;
  private final Clock clock;
  /** What the last read of each identity's list in this process found wrong: it stands until a read finds nothing. */
  private final java.util.Map<PublicCard, List<FeedWarning>> standing = new java.util.concurrent.ConcurrentHashMap<>();

  public DeviceBook(Identity me, KvStore store, LocalState state, Clock clock) {
    this.me = me;
    this.log = new DeviceLog(store);
    this.state = state;
    this.clock = clock;
  }

  /** A kept record: the entry (if the identity has a list) and when the list was last read (0: never). */
  record Kept(Optional<DeviceList> entry, long checked) {
    static final Kept NONE = new Kept(Optional.empty(), 0);
  }

  static String recordName(PublicCard card) {
    return "list-" + HexFormat.of().formatHex(card.fingerprint());
  }

  /** The newest entry of {@code card}'s list this client verified; empty when it holds none (device 0 only). */
  public Optional<DeviceList> kept(PublicCard card) throws LocalStateException {
    return load(card).entry();
  }

  /** The linked devices {@code card}'s kept list certifies (device 0 not included). */
  public List<DeviceList.Device> linked(PublicCard card) throws LocalStateException {
    return kept(card).map(DeviceList::linked).orElse(List.of());
  }

  /** How many revocations {@code card}'s kept list records: the entries that revoked a device (protocol §4.7). */
  public int revocations(PublicCard card) throws LocalStateException {
    return revocations(kept(card));
  }

  /** How many revocations a kept list records ({@link #revocations(PublicCard)}), none when there is no list. */
  public static int revocations(Optional<DeviceList> kept) {
    return (int) kept.map(l -> l.revoked().stream().mapToLong(DeviceList.Device::revokedAt).distinct().count())
        .orElse(0L).longValue();
  }

  /** The kept list of each of {@code cards}, each record read once: for an operation that needs them twice. */
  public java.util.Map<PublicCard, Optional<DeviceList>> keptLists(Collection<PublicCard> cards) throws LocalStateException {
    java.util.Map<PublicCard, Optional<DeviceList>> out = new java.util.HashMap<>();
    for (PublicCard card : cards) {
      out.put(card, kept(card));
    }
    return out;
  }

  /**
   * Reads the lists of {@code cards} that are due: never read, read more than {@link #REFRESH_MILLIS} ago, or all
   * of them with {@code force}. Returns what was found wrong (a rollback, an equivocation, junk), each naming
   * the identity; what was kept before stays in force then.
   */
  public List<FeedWarning> refresh(Collection<PublicCard> cards, boolean force) throws LocalStateException, KvException {
    return refresh(cards, force, new java.util.HashMap<>());
  }

  /**
   * {@link #refresh} of the lists of {@code cards} that are due, and the kept list of each of them afterwards (as
   * {@link #keptLists}): each record read once, where an operation refreshed the lists and then read every one again
   * to attach the devices (two local reads a member at each receive in a group, issue 24).
   */
  public java.util.Map<PublicCard, Optional<DeviceList>> refreshedLists(Collection<PublicCard> cards)
      throws LocalStateException, KvException {
    java.util.Map<PublicCard, Optional<DeviceList>> kept = new java.util.HashMap<>();
    refresh(cards, false, kept);
    return kept;
  }

  /** {@link #refresh}, noting in {@code kept} each card's list as kept once it is done. */
  private List<FeedWarning> refresh(Collection<PublicCard> cards, boolean force,
      java.util.Map<PublicCard, Optional<DeviceList>> kept) throws LocalStateException, KvException {
    List<FeedWarning> out = new ArrayList<>();
    long now = clock.millis();
    for (PublicCard card : new LinkedHashSet<>(cards)) {
      Kept before = load(card);
      if (!force && before.checked() > 0 && now - before.checked() < REFRESH_MILLIS && now >= before.checked()) {
        kept.put(card, before.entry());
        continue;
      }
      DeviceLog.Read read = log.read(card, before.entry());
      List<FeedWarning> found = new ArrayList<>();
      for (FeedWarning w : read.warnings()) {
        found.add(new FeedWarning(w.kind(), card.equals(me.card()), w.page(), w.detail(), card));
      }
      out.addAll(found);
      if (found.isEmpty()) {
        standing.remove(card);
      } else {
        standing.put(card, List.copyOf(found));
      }
      try (LocalState.Lock lock = state.lock(LOCK)) {
        Kept latest = load(card); // another process may have read it meanwhile: never step back
        Optional<DeviceList> keep = newer(latest.entry(), read.newest());
        save(card, new Kept(keep, now));
        kept.put(card, keep);
      }
    }
    return out;
  }

  /** What the last read of these identities' lists in this process found wrong, and has not found fine since. */
  public List<FeedWarning> standing(Collection<PublicCard> cards) {
    List<FeedWarning> out = new ArrayList<>();
    for (PublicCard card : new LinkedHashSet<>(cards)) {
      out.addAll(standing.getOrDefault(card, List.of()));
    }
    return out;
  }

  /**
   * {@code c} with a feed for every linked device its members' kept lists certify (protocol §15.3), and for each
   * revoked one whose cut in {@code c} is known, up to that cut (§15.7).
   */
  public org.reschat.core.internal.conversation.Conversation attach(org.reschat.core.internal.conversation.Conversation c)
      throws LocalStateException {
    return attach(c, keptLists(c.members()));
  }

  /** {@link #attach(org.reschat.core.internal.conversation.Conversation)} with its members' lists read already. */
  public org.reschat.core.internal.conversation.Conversation attach(org.reschat.core.internal.conversation.Conversation c,
      java.util.Map<PublicCard, Optional<DeviceList>> lists) throws LocalStateException {
    java.util.Map<PublicCard, List<DeviceList.Device>> devices = new java.util.HashMap<>();
    boolean revoked = false;
    for (PublicCard m : c.members()) {
      Optional<DeviceList> kept = lists.get(m);
      if (kept.isPresent() && (kept.get().devices().size() > 1 || !kept.get().revoked().isEmpty())) {
        List<DeviceList.Device> all = new ArrayList<>(kept.get().linked());
        all.addAll(kept.get().revoked());
        revoked |= !kept.get().revoked().isEmpty();
        devices.put(m, all);
      }
    }
    return c.withDevices(devices, revoked ? cuts(c.id()) : java.util.Map.of());
  }

  /** The record of the cuts known in a conversation: "cuts-" and its id's bytes in hex. */
  private static String cutsRecord(String conversationId) {
    return "cuts-" + HexFormat.of().formatHex(Base64Url.decode(conversationId).orElseThrow());
  }

  /** Where each revoked device's feed stops counting in conversation {@code conversationId}, by fingerprint hex. */
  public java.util.Map<String, org.reschat.core.spi.LocalState.Position> cuts(String conversationId) throws LocalStateException {
    Optional<String> text = state.deviceRecord(cutsRecord(conversationId));
    java.util.Map<String, org.reschat.core.spi.LocalState.Position> out = new java.util.TreeMap<>();
    if (text.isPresent()) {
      DeviceNotice kept = DeviceNotice.parse(text.get().getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .orElseThrow(() -> new LocalStateException("The kept cuts of conversation " + conversationId + " are damaged;"
              + " move state/devices/" + cutsRecord(conversationId) + ".record aside and read the conversation again."));
      out.putAll(kept.cuts());
    }
    return out;
  }

  /**
   * Keeps {@code cuts} for conversation {@code conversationId}: a cut once kept never moves (the first one read
   * wins, as a group's cuts do). Returns whether anything new was kept.
   */
  public boolean keepCuts(String conversationId, java.util.Map<String, org.reschat.core.spi.LocalState.Position> cuts)
      throws LocalStateException {
    try (LocalState.Lock lock = state.lock(LOCK)) {
      java.util.Map<String, org.reschat.core.spi.LocalState.Position> all = cuts(conversationId);
      int before = all.size();
      cuts.forEach(all::putIfAbsent);
      if (all.size() == before) {
        return false;
      }
      state.saveDeviceRecord(cutsRecord(conversationId), new String(new DeviceNotice(1, new byte[32], all).encode(),
          java.nio.charset.StandardCharsets.UTF_8));
      return true;
    }
  }

  /** Writes {@code entry} (signed by this identity, device 0) to the ledger and keeps it. */
  public void publish(DeviceList entry) throws LocalStateException, KvException {
    if (!entry.card().equals(me.card())) {
      throw new IllegalArgumentException("Only an identity's own list is published by it");
    }
    log.publish(entry);
    try (LocalState.Lock lock = state.lock(LOCK)) {
      save(me.card(), new Kept(newer(load(me.card()).entry(), Optional.of(entry)), clock.millis()));
    }
  }

  private static Optional<DeviceList> newer(Optional<DeviceList> a, Optional<DeviceList> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return b.get().n() > a.get().n() ? b : a;
  }

  /** A record parsed, with the very text it was parsed from. */
  private record Parsed(String text, Kept kept) {}

  /**
   * Records already parsed, by name, each with its text: an entry's signature is checked once per text and process,
   * not per operation (a group's send and receive load every member's; the text is compared, not hashed).
   */
  private final java.util.Map<String, Parsed> parsed = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Parsed> eldest) {
          return size() > 1024;
        }
      });

  /** Record names by card, formatted once (at most 4,096, then formatted again). */
  private final java.util.Map<PublicCard, String> names = new java.util.concurrent.ConcurrentHashMap<>();

  private String nameOf(PublicCard card) {
    String name = names.get(card);
    if (name == null) {
      if (names.size() >= 4096) {
        names.clear();
      }
      name = recordName(card);
      names.put(card, name);
    }
    return name;
  }

  private Kept load(PublicCard card) throws LocalStateException {
    String name = nameOf(card);
    Optional<String> text = state.deviceRecord(name);
    if (text.isEmpty()) {
      return Kept.NONE;
    }
    Parsed known = parsed.get(name);
    if (known != null && known.text().equals(text.get())) {
      return known.kept();
    }
    Kept k = parse(card, text.get());
    parsed.put(name, new Parsed(text.get(), k));
    return k;
  }

  private Kept parse(PublicCard card, String text) throws LocalStateException {
    JsonObject o = StrictJson.parseObject(text).orElseThrow(() -> damaged(card, "it is not a JSON object"));
    if (StrictJson.integer(o, "v", 1, 1).isEmpty()) {
      throw damaged(card, "it has no version this ResChat reads");
    }
    long checked = StrictJson.integer(o, "checked", 0, Long.MAX_VALUE).orElseThrow(() -> damaged(card, "it has no time"));
    Optional<String> entry = StrictJson.string(o, "entry");
    if (entry.isEmpty()) {
      return new Kept(Optional.empty(), checked);
    }
    byte[] bytes = Base64Url.decode(entry.get()).orElseThrow(() -> damaged(card, "its entry is not base64url"));
    DeviceList list = DeviceList.parse(card, bytes).orElseThrow(() -> damaged(card, "its entry does not verify"));
    return new Kept(Optional.of(list), checked);
  }

  /** The newest entry of {@code card}'s list kept in {@code state}, read without a store or keys. */
  static Optional<DeviceList> keptEntry(LocalState state, PublicCard card) throws LocalStateException {
    Optional<String> text = state.deviceRecord(recordName(card));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<JsonObject> o = StrictJson.parseObject(text.get());
    Optional<byte[]> bytes = o.flatMap(j -> StrictJson.string(j, "entry")).flatMap(Base64Url::decode);
    if (o.isEmpty()) {
      throw damaged(card, "it is not a JSON object");
    }
    return bytes.isEmpty() ? Optional.empty() : Optional.of(DeviceList.parse(card, bytes.get())
        .orElseThrow(() -> damaged(card, "its entry does not verify")));
  }

  /** Keeps {@code entry} as its identity's newest, read at {@code checked} (a device just linked, protocol §15.5). */
  static void keep(LocalState state, DeviceList entry, long checked) throws LocalStateException {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("entry", Base64Url.encode(entry.encoded()));
    o.addProperty("checked", checked);
    state.saveDeviceRecord(recordName(entry.card()), o + "\n");
  }

  /**
   * A notice (protocol §15.4) in {@code card}'s identity feed says its list reached entry {@code n} with that hash:
   * reads the list at once when it holds less. Returns a warning when the store still serves less
   * ({@code WITHHELD}) or another entry {@code n} ({@code EQUIVOCATION}), and whether the list kept changed.
   */
  public Noticed noticed(PublicCard card, long n, byte[] hash, long page) throws LocalStateException, KvException {
    return noticed(card, new DeviceNotice(n, hash), page, null);
  }

  /**
   * {@link #noticed(PublicCard, long, byte[], long)} for a whole notice read in conversation {@code conversationId}:
   * its cuts of {@code card}'s revoked devices are kept for that conversation (cuts of devices the list does not
   * name revoked are ignored).
   */
  public Noticed noticed(PublicCard card, DeviceNotice notice, long page, String conversationId)
      throws LocalStateException, KvException {
    long n = notice.n();
    byte[] hash = notice.hash();
    Optional<DeviceList> before = kept(card);
    if (before.isEmpty() || before.get().n() < n) {
      refresh(List.of(card), true);
    }
    Optional<DeviceList> after = kept(card);
    boolean changed = !after.equals(before);
    if (conversationId != null && !notice.cuts().isEmpty() && after.isPresent()) {
      java.util.Map<String, org.reschat.core.spi.LocalState.Position> theirs = new java.util.TreeMap<>();
      for (DeviceList.Device d : after.get().revoked()) {
        String fp = HexFormat.of().formatHex(org.reschat.core.internal.conversation.Conversation.deviceFingerprint(card,
            d.keys().signingKey()));
        if (notice.cuts().containsKey(fp)) {
          theirs.put(fp, notice.cuts().get(fp));
        }
      }
      changed |= keepCuts(conversationId, theirs);
    }
    String who = card.equals(me.card()) ? "your first device" : card.fingerprintText().substring(0, 9);
    if (after.isEmpty() || after.get().n() < n) {
      return new Noticed(changed, Optional.of(new FeedWarning(FeedWarning.Kind.WITHHELD, card.equals(me.card()), page,
          who + " says (page " + page + ") that its list of devices reached entry " + n + ", but the store serves "
              + after.map(e -> "only entry " + e.n()).orElse("none") + "; a device may be missing", card, card)));
    }
    if (after.get().n() == n && !java.util.Arrays.equals(after.get().hash(), hash)) {
      return new Noticed(changed, Optional.of(new FeedWarning(FeedWarning.Kind.EQUIVOCATION, card.equals(me.card()), page,
          who + " names (page " + page + ") another entry " + n + " of its list of devices than the one this computer"
              + " verified", card, card)));
    }
    return new Noticed(changed, Optional.empty());
  }

  /** What a notice did: whether the list kept changed, and what is wrong, if anything. */
  public record Noticed(boolean changed, Optional<FeedWarning> warning) {}

  private void save(PublicCard card, Kept kept) throws LocalStateException {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    kept.entry().ifPresent(e -> o.addProperty("entry", Base64Url.encode(e.encoded())));
    o.addProperty("checked", kept.checked());
    state.saveDeviceRecord(recordName(card), o + "\n");
  }

  private static LocalStateException damaged(PublicCard card, String problem) {
    return new LocalStateException("The kept list of devices of " + card.fingerprintText().substring(0, 9)
        + " is damaged (" + problem + "); move state/devices/" + recordName(card) + ".record aside and it is read again.");
  }
}
