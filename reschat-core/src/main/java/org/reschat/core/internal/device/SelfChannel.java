package org.reschat.core.internal.device;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.reschat.core.Devices;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.Update;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.Received;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.internal.identity.SelfSealer;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.internal.page.MessageText;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * The self channel (protocol §15.6): a conversation whose one member is the identity and whose feeds are its
 * devices, where each device writes the changes the others should make (a friend added, renamed, verified or
 * removed) as messages of the client's own {@code SELF_} types. Epoch 0's secret comes from the self seed,
 * which every device of the identity holds and nobody else: {@code T_0 = selfSecret("reschat/v3 self
 * channel\0" ‖ u32 0)}. At each revocation device 0 starts a new epoch of a random secret, announced by
 * {@code SELF_ROTATE} in the old one, sealed to each remaining device's X25519 device key; a device reads every
 * epoch it holds and writes in the newest. Read and written only while the identity has linked devices.
 */
public final class SelfChannel {
  static final byte[] LABEL = "reschat/v3 self channel\0".getBytes(StandardCharsets.UTF_8);
  /** What a kind is: the type is {@code SELF_} and the kind, 16 characters at most. */
  private static final Pattern KIND = Pattern.compile("[A-Z][A-Z0-9_]{0,10}");

  /** The kind of a read position, the engine's own (applied, never handed to the application). */
  public static final String READ = "READ";
  /**
   * The kind of a group's state, the engine's own: {@code {"v":1,"group":id,"state":…}}, the state sealed as
   * every device keeps it and the link bundle carries it (applied, never handed to the application).
   */
  public static final String GROUP = "GROUP";

  /**
   * The longest group state a {@code SELF_GROUP} names by file, so a reader never reads or allocates more: it
   * holds the group codec's 1,000 epochs of 64 members, every one an admin, with cuts (about 22.5 MiB sealed); a
   * state beyond it (hundreds of join links besides, each with hundreds of denials) is not told.
   */
  static final long MAX_GROUP_STATE_BYTES = 32L * 1024 * 1024;

  /** A {@code SELF_GROUP} body with the state inline: {@code {"v":1,"group":id,"state":sealed}}. */
  static byte[] groupBody(String id, String sealed) {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("group", id);
    o.addProperty("state", sealed);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A {@code SELF_GROUP} body for {@code sealed}: inline when that fits a message; otherwise the state is written
   * once as the chunks of a file under a fresh key ({@link StoredChunks}) and the body names it,
   * {@code {"v":1,"group":id,"file":{"key","size","chunks","hash"}}}: the key travels only inside the self
   * channel, and the hash pins the chunks.
   */
  static byte[] groupBody(KvStore store, String id, String sealed, java.security.SecureRandom random)
      throws KvException {
    byte[] inline = groupBody(id, sealed);
    if (inline.length <= PageLimits.MAX_MESSAGE_BYTES) {
      return inline;
    }
    byte[] state = sealed.getBytes(StandardCharsets.UTF_8);
    if (state.length > MAX_GROUP_STATE_BYTES) {
      throw new IllegalArgumentException("A group state over " + MAX_GROUP_STATE_BYTES + " bytes");
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("group", id);
    o.add("file", StoredChunks.write(store, state, random).toJson());
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The group id and sealed state of a {@code SELF_GROUP} body, the state read from its chunks when the body
   * names a file; empty when it is not one this version reads, or the chunks are not the ones written (replaced,
   * over the bound). Throws when the store cannot be read now, or does not hold a chunk ({@link StoredChunks.Missing}:
   * it may yet serve it, so the change is not given up).
   */
  static Optional<String[]> group(KvStore store, byte[] body)
      throws KvException, StoredChunks.Missing {
    Optional<JsonObject> o = StrictJson.parseObject(body);
    if (o.isEmpty() || o.get().size() != 3 || StrictJson.integer(o.get(), "v", 1, 1).isEmpty()) {
      return Optional.empty();
    }
    Optional<String> id = StrictJson.string(o.get(), "group");
    Optional<String> state = StrictJson.string(o.get(), "state");
    if (id.isEmpty()) {
      return Optional.empty();
    }
    if (state.isEmpty() && o.get().has("file") && o.get().get("file").isJsonObject()) {
      Optional<StoredChunks.Ref> ref = StoredChunks.Ref.fromJson(o.get().getAsJsonObject("file"),
          MAX_GROUP_STATE_BYTES);
      if (ref.isEmpty()) {
        return Optional.empty();
      }
      try {
        state = Optional.of(StandardCharsets.UTF_8.newDecoder().decode(
            ByteBuffer.wrap(StoredChunks.read(store, ref.get()))).toString());
      } catch (StoredChunks.Missing e) {
        throw e;
      } catch (StoredChunks.Damaged | java.nio.charset.CharacterCodingException e) {
        return Optional.empty(); // not what the other device wrote: this device keeps what it holds
      }
    }
    return state.map(s -> new String[] {id.get(), s});
  }

  /** How many marks one {@code SELF_READ} holds at most (well within a message). */
  static final int MARKS_PER_MESSAGE = 100;

  private SelfChannel() {}

  /**
   * {@code SELF_READ} bodies for {@code marks}: {@code {"v":1,"marks":[[conversation, writer, member, page,
   * slot], …]}} (the feed's local names, which every device of the identity derives alike), at most
   * {@link #MARKS_PER_MESSAGE} a body.
   */
  static List<byte[]> readBodies(Map<FeedId, LocalState.Position> marks) {
    List<byte[]> out = new ArrayList<>();
    JsonArray a = new JsonArray();
    for (Map.Entry<FeedId, LocalState.Position> e : marks.entrySet()) {
      JsonArray m = new JsonArray();
      m.add(e.getKey().conversation());
      m.add(e.getKey().writer());
      m.add(e.getKey().member());
      m.add(e.getValue().page());
      m.add(e.getValue().slot());
      a.add(m);
      if (a.size() == MARKS_PER_MESSAGE) {
        out.add(readBody(a));
        a = new JsonArray();
      }
    }
    if (!a.isEmpty()) {
      out.add(readBody(a));
    }
    return out;
  }

  private static byte[] readBody(JsonArray marks) {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.add("marks", marks);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The marks of a {@code SELF_READ} body; what does not parse is left out. */
  static Map<FeedId, LocalState.Position> marks(byte[] body) {
    Map<FeedId, LocalState.Position> out = new LinkedHashMap<>();
    Optional<JsonObject> o = StrictJson.parseObject(body);
    if (o.isEmpty() || StrictJson.integer(o.get(), "v", 1, 1).isEmpty()
        || !o.get().has("marks") || !o.get().get("marks").isJsonArray()) {
      return out;
    }
    for (JsonElement e : o.get().getAsJsonArray("marks")) {
      try {
        JsonArray m = e.getAsJsonArray();
        if (m.size() != 5) {
          continue;
        }
        long page = m.get(3).getAsLong();
        int slot = m.get(4).getAsInt();
        if (page < 1 || page > Conversation.MAX_PAGE_NUMBER || slot < 0) {
          continue;
        }
        out.put(new FeedId(m.get(0).getAsString(), m.get(1).getAsString(), m.get(2).getAsInt()),
            new LocalState.Position(page, slot));
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
    return conversation(me, secret(me));
  }

  /**
   * The self channel under epoch secret {@code t} (wiped here). Its tails follow a group epoch's rule (§4.9): every
   * device of the identity holds {@code t} and the self seed, so, as in a group, the envelope proves only that one of
   * them wrote and a sender tag proves nothing; each version is signed, and written as a signed record once every
   * device that counts has shown it reads records.
   */
  static Conversation conversation(Identity me, byte[] t) {
    try {
      return Conversation.of(me, t, List.of(me.card())).withTails(TailRule.GROUP);
    } finally {
      Arrays.fill(t, (byte) 0);
    }
  }

  // --- the self epochs after epoch 0 (protocol §15.6, §15.7 step 3) --------------------------------------

  /**
   * The kind of a new self epoch, the engine's own: {@code {"v":1,"epoch":id,"sealed":{"k":b64u(HPKE.Seal(DX_k,
   * info = "reschat/v3 self epoch", aad = id, T'))}}}, written by device 0 in the epoch it ends, at a revocation.
   */
  public static final String ROTATE = "ROTATE";
  static final byte[] EPOCH_INFO = "reschat/v3 self epoch".getBytes(StandardCharsets.UTF_8);
  /** The device record that keeps the later epochs' secrets, sealed as {@link OwnDevice}'s. */
  static final String EPOCHS_RECORD = "self";
  private static final byte[] EPOCHS_LABEL = "reschat/v3 self epochs".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EPOCHS_AAD = EPOCHS_RECORD.getBytes(StandardCharsets.UTF_8);

  /** The secrets of the self epochs after epoch 0 this device holds, oldest first. */
  static List<byte[]> laterEpochs(Identity me, LocalState state) throws LocalStateException {
    Optional<String> text = state.deviceRecord(EPOCHS_RECORD);
    List<byte[]> out = new ArrayList<>();
    if (text.isEmpty()) {
      return out;
    }
    try {
      byte[] json = SelfSealer.of(me, EPOCHS_LABEL).decrypt(
          Base64Url.decode(text.get()).orElseThrow(() ->
              new OneTimeKeyAead.OpenFailedException("not base64url")), EPOCHS_AAD);
      JsonObject o = StrictJson.parseObject(json).orElseThrow();
      for (JsonElement e : o.getAsJsonArray("epochs")) {
        out.add(Base64Url.decode(e.getAsString()).filter(b -> b.length == 32)
            .orElseThrow());
      }
      return out;
    } catch (OneTimeKeyAead.OpenFailedException | RuntimeException e) {
      throw new LocalStateException("This device's self channel record (state/devices/self.record) is damaged or"
          + " not this identity's; restore the profile from a backup.", e);
    }
  }

  /** Keeps {@code secrets} (oldest first) as the later epochs after those held, skipping any held already. */
  static void keepEpochs(Identity me, LocalState state, List<byte[]> secrets)
      throws LocalStateException {
    List<byte[]> held = laterEpochs(me, state);
    boolean changed = false;
    for (byte[] t : secrets) {
      if (t.length != 32 || held.stream().anyMatch(h -> Arrays.equals(h, t))) {
        continue;
      }
      held.add(t.clone());
      changed = true;
    }
    if (!changed) {
      return;
    }
    JsonArray a = new JsonArray();
    for (byte[] t : held) {
      a.add(Base64Url.encode(t));
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.add("epochs", a);
    state.saveDeviceRecord(EPOCHS_RECORD, Base64Url.encode(
        SelfSealer.of(me, EPOCHS_LABEL).encrypt(
            o.toString().getBytes(StandardCharsets.UTF_8), EPOCHS_AAD)));
  }

  /** Every self epoch this device holds, epoch 0 first; the last is the one it writes in. */
  static List<Conversation> conversations(Identity me, LocalState state)
      throws LocalStateException {
    List<Conversation> out = new ArrayList<>();
    out.add(conversation(me));
    for (byte[] t : laterEpochs(me, state)) {
      out.add(conversation(me, t));
    }
    return out;
  }

  /** The self epoch this device writes in: the newest it holds. */
  static Conversation current(Identity me, LocalState state) throws LocalStateException {
    List<Conversation> all = conversations(me, state);
    return all.get(all.size() - 1);
  }

  /**
   * A {@code SELF_ROTATE} body for the new epoch of secret {@code t}: {@code t} sealed to each device's X25519
   * device key, by number, with the new epoch's id as associated data.
   */
  static byte[] rotateBody(Identity me, byte[] t, Map<Integer, byte[]> deviceKeys,
      Hpke hpke) {
    String id = conversation(me, t.clone()).id();
    JsonObject sealed = new JsonObject();
    for (Map.Entry<Integer, byte[]> e : new TreeMap<>(deviceKeys).entrySet()) {
      sealed.addProperty(Integer.toString(e.getKey()), Base64Url.encode(
          hpke.seal(e.getValue(), EPOCH_INFO, id.getBytes(StandardCharsets.UTF_8), t)));
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("epoch", id);
    o.add("sealed", sealed);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The new epoch's secret a {@code SELF_ROTATE} body seals to device {@code number}, opened with its X25519
   * device secret; empty when the body is not one, holds nothing for this device, does not open, or opens to a
   * secret whose epoch is not the one named.
   */
  static Optional<byte[]> openRotate(Identity me, int number, byte[] deviceSecret, byte[] body) {
    try {
      Optional<JsonObject> o = StrictJson.parseObject(body);
      if (o.isEmpty() || StrictJson.integer(o.get(), "v", 1, 1).isEmpty()
          || o.get().size() != 3 || !o.get().has("sealed") || !o.get().get("sealed").isJsonObject()) {
        return Optional.empty();
      }
      Optional<String> id = StrictJson.string(o.get(), "epoch");
      JsonElement mine = o.get().getAsJsonObject("sealed").get(Integer.toString(number));
      if (id.isEmpty() || mine == null || !mine.isJsonPrimitive() || !mine.getAsJsonPrimitive().isString()) {
        return Optional.empty();
      }
      Optional<byte[]> sealed = Base64Url.decode(mine.getAsString());
      if (sealed.isEmpty()) {
        return Optional.empty();
      }
      byte[] pub = new org.bouncycastle.crypto.params.X25519PrivateKeyParameters(deviceSecret, 0).generatePublicKey()
          .getEncoded();
      byte[] t = Hpke.open(deviceSecret, pub, EPOCH_INFO,
          id.get().getBytes(StandardCharsets.UTF_8), sealed.get());
      if (t.length != 32 || !conversation(me, t.clone()).id().equals(id.get())) {
        return Optional.empty();
      }
      return Optional.of(t);
    } catch (Hpke.OpenFailedException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The message type of {@code kind}, after checking it. */
  static String type(String kind) throws InvalidMessageException {
    if (kind == null || !KIND.matcher(kind).matches()) {
      throw new InvalidMessageException("A change's kind is 1-11 of A-Z 0-9 _ starting with a letter, not \""
          + kind + "\".");
    }
    return MessageText.SELF_PREFIX + kind;
  }

  /** Writes one change into the self channel's current epoch. */
  static void write(ConversationEngine engine, Identity me, String kind, byte[] body, String summary)
      throws InvalidMessageException, LocalStateException, KvException {
    write(engine, me, current(me, engine.state()), kind, body, summary);
  }

  /** Writes one change into self epoch {@code epoch}. */
  static void write(ConversationEngine engine, Identity me, Conversation epoch, String kind, byte[] body,
      String summary) throws InvalidMessageException, LocalStateException, KvException {
    String type = type(kind);
    MessageText.checkBody(body);
    byte[] extension = summary == null ? new byte[0] : summary.getBytes(StandardCharsets.UTF_8);
    engine.send(epoch, type, extension, body);
  }

  /** What the other devices wrote since the last read, and what marks it read once it was passed on. */
  record Unread(List<Devices.SelfChange> changes, List<Received> received) {
    void commit(LocalState state) throws LocalStateException {
      for (Received r : received) {
        r.commit(state);
      }
    }
  }

  /**
   * What the other devices wrote since the last read, in the merged order of each epoch, epoch by epoch; not
   * yet marked read. A {@code SELF_ROTATE} of device 0's feed that opens for this device adds its epoch, read
   * in the same pass (and kept, so this device writes there from then on); any other is ignored. Notices of who
   * reads records are noted as a group epoch's (§4.9); this device writes its own once in the epoch it writes in
   * when {@code announces} (a writable profile, a device not revoked). Where that completed who reads records, the
   * epoch is read again (nothing is marked read yet), so the other devices' open records come in this pass.
   */
  static Unread unread(ConversationEngine engine, Identity me, boolean announces)
      throws LocalStateException, KvException {
    List<Devices.SelfChange> out = new ArrayList<>();
    List<Received> all = new ArrayList<>();
    List<Conversation> epochs = conversations(me, engine.state());
    for (int i = 0; i < epochs.size(); i++) {
      Conversation epoch = epochs.get(i);
      Received r = engine.receive(epoch);
      boolean learnt = engine.reads().learnt(engine, epoch, r.update().received());
      List<Devices.SelfChange> changes = changes(engine, me, epoch, r, epochs);
      // The epoch it writes in (no rotation read in it): its own notice may be the last one missing.
      boolean announced = announces && i == epochs.size() - 1 && announce(engine, epoch);
      if (learnt || (announced && engine.followsRecords(epoch))) {
        r = engine.receive(epoch);
        changes = changes(engine, me, epoch, r, epochs);
      }
      all.add(r);
      out.addAll(changes);
    }
    return new Unread(out, all);
  }

  /**
   * The changes {@code r} read in {@code epoch}, in its merged order; a {@code SELF_ROTATE} of device 0's feed that
   * opens for this device adds its epoch to {@code epochs} (once) and keeps its secret.
   */
  private static List<Devices.SelfChange> changes(ConversationEngine engine, Identity me, Conversation epoch,
      Received r, List<Conversation> epochs) throws LocalStateException {
    List<Devices.SelfChange> out = new ArrayList<>();
    Set<String> deviceZero = new HashSet<>();
    Conversation withDevices = engine.withDevices(epoch);
    for (FeedId feed : withDevices.feeds()) {
      if (withDevices.deviceOf(feed) == 0) {
        deviceZero.add(feed.writer());
      }
    }
    for (Message m : r.update().received()) {
      if (!m.type().startsWith(MessageText.SELF_PREFIX) || m.type().length() <= MessageText.SELF_PREFIX.length()) {
        continue;
      }
      String kind = m.type().substring(MessageText.SELF_PREFIX.length());
      if (ROTATE.equals(kind)) {
        Optional<byte[]> t = deviceZero.contains(m.id().substring(0, m.id().indexOf(':')))
            ? openRotate(me, me.deviceNumber(), deviceSecret(me), m.body()) : Optional.empty();
        if (t.isPresent()) {
          Conversation next = conversation(me, t.get().clone());
          if (epochs.stream().noneMatch(e -> e.id().equals(next.id()))) {
            keepEpochs(me, engine.state(), List.of(t.get()));
            epochs.add(next);
          }
          Arrays.fill(t.get(), (byte) 0);
        }
        continue;
      }
      out.add(new Devices.SelfChange(kind, m.body(), m.sentAt()));
    }
    return out;
  }

  /**
   * Writes this device's {@code PAIR_READS} once in its feed of self epoch {@code epoch} (§4.9's notice, in the self
   * channel), queued when the store fails as any message; nothing from a profile opened read-only. Whether it wrote.
   */
  private static boolean announce(ConversationEngine engine, Conversation epoch) throws LocalStateException {
    return !engine.state().readOnly() && !engine.reads().shownByMe(epoch)
        && engine.reads().write(engine, epoch); // false when not sealed: written at the next read
  }

  /** This device's X25519 device secret: a linked device's from its identity; device 0 opens no rotation. */
  private static byte[] deviceSecret(Identity me) {
    return Secrets.of(me).deviceAgreementSecret().orElse(new byte[32]);
  }
}
