package org.reschat.core.internal.conversation;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.identity.SelfSealer;
import org.reschat.core.internal.json.ParsedText;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.spi.LocalState;

/**
 * The epochs of each direct chat (protocol §3.1): the pair secret of §3, then every later secret a
 * {@code PAIR_ROTATE} handed over, oldest first, each a conversation of the two. A direct chat is this chain, as a
 * group is its epochs: every conversation of it is read and merged. A later epoch is <b>taken</b> once the friend
 * has shown it holds it (written there); this client writes in the newest taken one, epoch 0 until then, so a
 * friend on a version that cannot open {@code PAIR_ROTATE} keeps reading what is sent.
 *
 * <p>Kept in the device record {@value #RECORD}, sealed as the self channel's epochs are: only this identity opens it.
 */
public final class PairEpochs {
  static final String RECORD = "pairs";
  /** Later epochs kept per friend: a friend who writes {@code PAIR_ROTATE} again and again adds no more reading. */
  public static final int MAX_LATER = 32;
  private static final byte[] LABEL = "reschat/v3 pair epochs".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AAD = RECORD.getBytes(StandardCharsets.UTF_8);

  private final Identity me;
  private final LocalState state;
  /** The record, parsed once per text: a pass asks for every chat's chain. */
  private final ParsedText<Map<String, List<Later>>> parsed = new ParsedText<>(this::parse);
  /** Each later epoch's conversation, by its secret ({@link #conversation}). */
  private final Map<String, Conversation> built = new java.util.concurrent.ConcurrentHashMap<>();
  /** {@link #current}'s last answer per friend: a guess only, checked again where it counts ({@link #lastCurrent}). */
  private final Map<String, Conversation> lastCurrent = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A later epoch's secret, whether the friend has shown it holds it, and whether this device still owes the
   * {@code PAIR_TAKEN} in a group for it (the store failed when it was first written).
   */
  private record Later(byte[] secret, boolean taken, boolean owed, Starter by) {
    Later with(boolean taken, boolean owed) {
      return new Later(secret, taken, owed, by);
    }
  }

  /**
   * Who started a later epoch: this identity (its device 0, at a revocation) or the friend; {@code UNKNOWN} in a
   * record kept before this was noted, which then counts for neither side ({@link OpenEpoch}: signed from then on).
   */
  enum Starter { ME, THEM, UNKNOWN }

  /**
   * Where a conversation stands in its direct chat's chain (protocol §4.7): whether it is the newest epoch this
   * device knows, and how many of the later epochs up to it each side started.
   */
  public record Place(boolean newest, int startedByMe, int startedByThem) {}

  /** Where {@code c} stands in the chain of its direct chat; empty when it is no epoch of one (a group of two). */
  public Optional<Place> place(Conversation c, Conversation first) throws LocalStateException {
    List<Later> later = load().getOrDefault(key(first.them()), List.of());
    int mine = 0;
    int theirs = 0;
    for (int i = -1; i < later.size(); i++) {
      if (i >= 0) {
        mine += later.get(i).by() == Starter.ME ? 1 : 0;
        theirs += later.get(i).by() == Starter.THEM ? 1 : 0;
      }
      String id = i < 0 ? first.id() : conversation(later.get(i), first.members()).id();
      if (id.equals(c.id())) {
        return Optional.of(new Place(i == later.size() - 1, mine, theirs));
      }
    }
    return Optional.empty();
  }

  public PairEpochs(Identity me, LocalState state) {
    this.me = me;
    this.state = state;
  }

  /** Every conversation of the chat with {@code them}, oldest first; {@code first} is the pair of §3. */
  public List<Conversation> chain(Conversation first) throws LocalStateException {
    List<Conversation> out = new ArrayList<>();
    out.add(first);
    for (Later l : load().getOrDefault(key(first.them()), List.of())) {
      out.add(conversation(l, first.members()));
    }
    return out;
  }

  /** The conversation this client writes in: the newest the friend has shown it holds, else {@code first}. */
  public Conversation current(Conversation first) throws LocalStateException {
    Conversation c = first;
    List<Later> later = load().getOrDefault(key(first.them()), List.of());
    for (int i = later.size() - 1; i >= 0; i--) {
      if (later.get(i).taken()) {
        c = conversation(later.get(i), first.members());
        break;
      }
    }
    lastCurrent.put(key(first.them()), c);
    return c;
  }

  /**
   * What {@link #current} last answered for this chat, without looking at the record again (it may be stale: another
   * process may have taken an epoch since); {@link #current} when it was never asked. A send locks this one, then asks
   * {@link #current} in the holding, where the look is shared with the device lists' ({@code ConversationEngine}).
   */
  public Conversation lastCurrent(Conversation first) throws LocalStateException {
    Conversation c = lastCurrent.get(key(first.them()));
    return c != null ? c : current(first);
  }

  /** Whether a later epoch with {@code them} waits for their client to show it holds it. */
  public boolean waiting(PublicCard them) throws LocalStateException {
    List<Later> later = load().getOrDefault(key(them), List.of());
    return !later.isEmpty() && !later.get(later.size() - 1).taken();
  }

  /**
   * Keeps {@code secret} as the next epoch with {@code them} ({@code taken}: the friend made it, so holds it; else
   * this identity did); false when it is held already or {@value #MAX_LATER} are.
   */
  public synchronized boolean keep(PublicCard them, byte[] secret, boolean taken) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(RECORD)) {
      Map<String, List<Later>> all = copy(load());
      List<Later> later = all.computeIfAbsent(key(them), k -> new ArrayList<>());
      if (secret.length != 32 || later.size() >= MAX_LATER || later.stream().anyMatch(l -> Arrays.equals(l.secret(), secret))) {
        return false;
      }
      later.add(new Later(secret.clone(), taken, false, taken ? Starter.THEM : Starter.ME));
      save(all);
      return true;
    }
  }

  /** Whether this client writes to {@code them} in a later epoch (one they took): a chat rekeyed since epoch 0. */
  public boolean rekeyed(PublicCard them) throws LocalStateException {
    List<Later> later = load().getOrDefault(key(them), List.of());
    return !later.isEmpty() && later.get(later.size() - 1).taken();
  }

  /** Marks the epoch of conversation {@code c} taken by the friend (they wrote there); true when it was not yet. */
  public synchronized boolean taken(Conversation c) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(RECORD)) {
      Map<String, List<Later>> all = copy(load());
      List<Later> later = all.getOrDefault(key(c.them()), List.of());
      for (int i = 0; i < later.size(); i++) {
        Later l = later.get(i);
        if (!l.taken() && conversation(l, c.members()).id().equals(c.id())) {
          later.set(i, l.with(true, l.owed()));
          save(all);
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Marks every epoch with {@code them} not yet taken as taken: what a {@code PAIR_TAKEN} in a group says (§3.1),
   * where no new conversation of the pair shows which epoch they hold. Every one, so that reading the same
   * acknowledgement again (history, receive, another device) changes nothing more: a member who acknowledges reads
   * this identity's feed in order, so it holds each rotation written there before any wrap that uses it. True when
   * one was waiting.
   */
  public synchronized boolean takeWaiting(PublicCard them) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(RECORD)) {
      Map<String, List<Later>> all = copy(load());
      List<Later> later = all.getOrDefault(key(them), List.of());
      boolean any = false;
      for (int i = 0; i < later.size(); i++) {
        if (!later.get(i).taken()) {
          later.set(i, later.get(i).with(true, later.get(i).owed()));
          any = true;
        }
      }
      if (any) {
        save(all);
      }
      return any;
    }
  }

  /**
   * Notes that the {@code PAIR_TAKEN} for the newest epoch with {@code them}, taken in a group, was not written (the
   * store failed): {@link #owes} until {@link #paid}, so a later read of a group writes it (§3.1).
   */
  public synchronized void owe(PublicCard them) throws LocalStateException {
    setOwed(them, true);
  }

  /** Whether a {@code PAIR_TAKEN} for an epoch with {@code them} is still to be written in a group. */
  public boolean owes(PublicCard them) throws LocalStateException {
    return load().getOrDefault(key(them), List.of()).stream().anyMatch(Later::owed);
  }

  /** The members among {@code members} (this identity left out) to whom a {@code PAIR_TAKEN} is owed ({@link #owes}). */
  public List<PublicCard> owedAmong(List<PublicCard> members) throws LocalStateException {
    Map<String, List<Later>> all = load(); // once: a group's receive asks about each of up to 50 members
    List<PublicCard> out = new ArrayList<>();
    if (all.values().stream().flatMap(List::stream).noneMatch(Later::owed)) {
      return out;
    }
    for (PublicCard m : members) {
      if (!m.equals(me.card()) && all.getOrDefault(key(m), List.of()).stream().anyMatch(Later::owed)) {
        out.add(m);
      }
    }
    return out;
  }

  /** Notes that the {@code PAIR_TAKEN} owed to {@code them} is written (one marks every epoch: §3.1). */
  public synchronized void paid(PublicCard them) throws LocalStateException {
    setOwed(them, false);
  }

  /** Sets the newest epoch with {@code them} owed, or clears every one; saves only a change. */
  private void setOwed(PublicCard them, boolean owed) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(RECORD)) {
      Map<String, List<Later>> all = copy(load());
      List<Later> later = all.getOrDefault(key(them), List.of());
      boolean changed = false;
      for (int i = owed ? later.size() - 1 : 0; i >= 0 && i < later.size(); i++) {
        Later l = later.get(i);
        if (l.owed() != owed) {
          later.set(i, l.with(l.taken(), owed));
          changed = true;
        }
      }
      if (changed) {
        save(all);
      }
    }
  }

  /** The record as kept (sealed under the self seed every device holds): what a link bundle hands over; "" if none. */
  public String exported() throws LocalStateException {
    load(); // a damaged record is not handed on
    return state.deviceRecord(RECORD).orElse("");
  }

  /** Takes the record {@link #exported} on device 0 (protocol §15.5), after checking it opens for this identity. */
  public void imported(String sealed) throws LocalStateException {
    if (sealed.isEmpty()) {
      return;
    }
    parse(sealed);
    state.saveDeviceRecord(RECORD, sealed);
  }

  /**
   * The conversation of a later epoch, built once per client: each build derives its names with HKDF, and every
   * receive, send and pass asks for every chat's chain. Keyed by the secret and the friend: two friends colluding
   * can hand this identity the same secret, which must not make one chat's epoch the other's.
   */
  private Conversation conversation(Later l, List<PublicCard> members) {
    String friend = key(members.get(0).equals(me.card()) ? members.get(1) : members.get(0));
    return built.computeIfAbsent(Base64Url.encode(l.secret()) + "/" + friend,
        k -> Conversation.of(me, l.secret(), members));
  }

  private static String key(PublicCard them) {
    return HexFormat.of().formatHex(them.fingerprint());
  }

  private static Map<String, List<Later>> copy(Map<String, List<Later>> all) {
    Map<String, List<Later>> out = new LinkedHashMap<>();
    all.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
    return out;
  }

  private Map<String, List<Later>> load() throws LocalStateException {
    Optional<String> text = state.deviceRecord(RECORD);
    return text.isEmpty() ? Map.of() : parsed.of(text.get());
  }

  private Map<String, List<Later>> parse(String text) throws LocalStateException {
    try {
      byte[] json = SelfSealer.of(me, LABEL).decrypt(Base64Url.decode(text).orElseThrow(() ->
          new OneTimeKeyAead.OpenFailedException("not base64url")), AAD);
      JsonObject o = StrictJson.parseObject(new String(json, StandardCharsets.UTF_8)).orElseThrow();
      Map<String, List<Later>> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("pairs").entrySet()) {
        List<Later> later = new ArrayList<>();
        for (JsonElement x : e.getValue().getAsJsonArray()) {
          JsonObject l = x.getAsJsonObject();
          later.add(new Later(Base64Url.decode(l.get("secret").getAsString()).filter(b -> b.length == 32).orElseThrow(),
              l.get("taken").getAsBoolean(), l.has("owed") && l.get("owed").getAsBoolean(),
              l.has("by") ? Starter.valueOf(l.get("by").getAsString()) : Starter.UNKNOWN));
        }
        out.put(e.getKey(), List.copyOf(later));
      }
      return Map.copyOf(out);
    } catch (OneTimeKeyAead.OpenFailedException | RuntimeException e) {
      throw new LocalStateException("This device's record of its direct chats' keys (state/devices/pairs.record) is"
          + " damaged or not this identity's; restore the profile from a backup.", e);
    }
  }

  private void save(Map<String, List<Later>> all) throws LocalStateException {
    JsonObject pairs = new JsonObject();
    all.forEach((k, later) -> {
      JsonArray a = new JsonArray();
      for (Later l : later) {
        JsonObject x = new JsonObject();
        x.addProperty("secret", Base64Url.encode(l.secret()));
        x.addProperty("taken", l.taken());
        if (l.owed()) {
          x.addProperty("owed", true); // only then: a record without one reads as before
        }
        if (l.by() != Starter.UNKNOWN) {
          x.addProperty("by", l.by().name());
        }
        a.add(x);
      }
      pairs.add(k, a);
    });
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.add("pairs", pairs);
    state.saveDeviceRecord(RECORD, Base64Url.encode(SelfSealer.of(me, LABEL).encrypt(
        o.toString().getBytes(StandardCharsets.UTF_8), AAD)));
  }
}
