package org.reschat.core.internal.device;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.reschat.core.DeviceException;
import org.reschat.core.DeviceInfo;
import org.reschat.core.Devices;
import org.reschat.core.InvalidCardException;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.internal.group.Epoch;
import org.reschat.core.internal.group.Group;
import org.reschat.core.internal.group.Groups;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.internal.page.MessageText;
import org.reschat.core.spi.Contacts;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * The {@link Devices} API over the engine: device lists through {@link DeviceBook}, and device 0's side of
 * linking (protocol §15.5): the offer and its code, finding the new device's request on the code's board,
 * certifying it, the welcome, the bundle of the identity's state, and the notices in every conversation.
 */
public final class LedgerDevices implements Devices {
  /** How long a link code works. */
  public static final long CODE_SECONDS = 600;
  static final byte[] REQUEST_INFO = "reschat/v3 device link request".getBytes(StandardCharsets.UTF_8);
  static final byte[] WELCOME_LABEL = "reschat/v3 device link welcome".getBytes(StandardCharsets.UTF_8);
  static final byte VALUE_VERSION = 3;
  static final int MAX_NAME_BYTES = 255;

  private final Identity me;
  private final ConversationEngine engine;
  private final Groups groups;
  private final KvStore store;
  private final LocalState state;
  private final Contacts contacts;
  private final Clock clock;
  private final Runnable ensureOpen;
  private final NewKeys newKeys;
  private final SecureRandom random = new SecureRandom();
  /** A chunk of a group state the self channel names that the store did not hold: asked for first, alone. */
  private volatile String awaitedChunk;
  /**
   * Whether this device writes its notice of reading records in the self channel (§15.6, as in a group's epoch,
   * {@link org.reschat.core.internal.conversation.TailRule#RECORDS_IN_GROUPS}); off only in tests standing in for a
   * device of a version that writes none there, which keeps every device on pages.
   */
  private volatile boolean showsRecords = org.reschat.core.internal.conversation.TailRule.RECORDS_IN_GROUPS;

  /** Reads a direct chat for the new keys it announces (protocol §3.1), delivering nothing. */
  public interface NewKeys {
    void take(PublicCard friend) throws LocalStateException, KvException;
  }

  public LedgerDevices(Identity me, ConversationEngine engine, Groups groups, KvStore store, LocalState state,
      Contacts contacts, Clock clock, Runnable ensureOpen, NewKeys newKeys) {
    this.me = me;
    this.engine = engine;
    this.groups = groups;
    this.store = store;
    this.state = state;
    this.contacts = contacts;
    this.clock = clock;
    this.ensureOpen = ensureOpen;
    this.newKeys = newKeys;
  }

  // --- lists ------------------------------------------------------------------------------------------

  @Override
  public List<DeviceInfo> mine() throws LocalStateException, KvException {
    return of(me.card());
  }

  @Override
  public List<DeviceInfo> of(PublicCard person) throws LocalStateException, KvException {
    ensureOpen.run();
    DeviceBook book = engine.devices();
    book.refresh(List.of(person), false);
    Map<Integer, String> names = person.equals(me.card()) ? new OwnDevice(me, state).load().names() : Map.of();
    return infos(person, book.kept(person), names, person.equals(me.card()) ? me.deviceNumber() : -1);
  }

  // --- the self channel (protocol §15.6) ----------------------------------------------------------------

  @Override
  public boolean tellOtherDevices(String kind, byte[] body, String summary)
      throws InvalidMessageException, DeviceException, LocalStateException, KvException {
    ensureOpen.run();
    SelfChannel.type(kind); // a bad kind fails whether or not there are other devices
    if (SelfChannel.READ.equals(kind) || SelfChannel.GROUP.equals(kind) || SelfChannel.ROTATE.equals(kind)) {
      throw new InvalidMessageException(kind + " changes are the client's own: it tells read positions, groups"
          + " and new self epochs itself.");
    }
    requireNotRevoked();
    if (!hasOtherDevices()) {
      return false;
    }
    SelfChannel.write(engine, me, kind, body, summary);
    return true;
  }

  @Override
  public List<SelfChange> fromOtherDevices() throws LocalStateException, KvException {
    Pending p = pendingFromOtherDevices();
    p.delivered();
    return p.changes();
  }

  /** Tests: this device behaves as one of a version that writes no notice in the self channel ({@code false}). */
  void showsRecords(boolean on) {
    showsRecords = on && org.reschat.core.internal.conversation.TailRule.RECORDS_IN_GROUPS;
  }

  /**
   * What {@link #fromOtherDevices} returns, not yet marked read: the receiver hands each change on as an
   * {@link org.reschat.core.Event.FromOtherDevice} and marks them read only after its listener returned, as
   * any chat's messages. Read positions ({@code SELF_READ}) are applied here already (only ever forward).
   */
  public Pending pendingFromOtherDevices() throws LocalStateException, KvException {
    ensureOpen.run();
    if (!hasOtherDevices()) {
      return new Pending(List.of(), List.of(), null);
    }
    String awaited = awaitedChunk;
    if (awaited != null && store.get(awaited).isEmpty()) {
      return new Pending(List.of(), List.of(), null); // still withheld: nothing from there on, for one read
    }
    awaitedChunk = null;
    List<SelfChange> out = new ArrayList<>();
    List<Group> joined = new ArrayList<>();
    Map<FeedId, Boolean> known = null;
    SelfChannel.Unread unread = SelfChannel.unread(engine, me, showsRecords && !revokedHere());
    for (SelfChange change : unread.changes()) {
      if (SelfChannel.GROUP.equals(change.kind())) {
        Optional<String[]> g;
        try {
          g = SelfChannel.group(store, change.body());
        } catch (StoredChunks.Missing e) {
          // The store does not serve the state's chunks (yet): this change and those after it wait, none marked
          // read, so the state is taken once they are served instead of being lost (the groups taken stay taken).
          // Until that chunk is there, a look asks for it alone, not for the channel and the chunks before it.
          awaitedChunk = e.location();
          return new Pending(List.of(), joined, null);
        }
        if (g.isPresent()) {
          Optional<Group> now = groups.fromOtherDevice(g.get()[0], g.get()[1]);
          if (now.isPresent()) {
            joined.removeIf(j -> j.id().equals(now.get().id()));
            joined.add(now.get());
          }
          known = null; // a group taken, or a new epoch of one: the read positions told after it name its feeds
        }
        continue;
      }
      if (!SelfChannel.READ.equals(change.kind())) {
        out.add(change);
        continue;
      }
      if (known == null) {
        known = knownFeeds();
      }
      for (Map.Entry<FeedId, LocalState.Position> mark : SelfChannel.marks(change.body()).entrySet()) {
        FeedId feed = mark.getKey();
        LocalState.Position p = mark.getValue();
        LocalState.Position now = known.containsKey(feed) ? state.delivered(feed) : null;
        if (now != null && now.includes(p.page(), p.slot()) && !now.equals(p)) {
          state.saveDelivered(feed, p); // only forward, and only for a feed this device reads
        }
      }
    }
    return new Pending(out, joined, unread);
  }

  /**
   * Tells the other devices this device's state of group {@code id} now ({@code SELF_GROUP}, §15.6): after it
   * joined, created or left the group, or completed a join. Nothing without another device; a state over a
   * message's 16 KiB is written as chunks the body names. One the store cannot take now is not told (the other
   * devices get it with the group's next change, by an invitation, or when linked again).
   */
  public void tellGroup(String id) throws LocalStateException {
    try {
      if (!hasOtherDevicesKept() || revokedHere()) {
        return;
      }
      Optional<String> sealed = state.group(id);
      if (sealed.isPresent()) {
        SelfChannel.write(engine, me, SelfChannel.GROUP, SelfChannel.groupBody(store, id, sealed.get(), random), null);
      }
    } catch (KvException | IllegalArgumentException e) {
      // the store could not take it now (or, beyond the codec's bound, a state over the reader's): not told
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("A group's state is always told in a valid message", e);
    }
  }

  private boolean revokedHere() throws LocalStateException {
    try {
      requireNotRevoked();
      return false;
    } catch (DeviceException revoked) {
      return true;
    }
  }

  /**
   * The keys the other devices write next in the self channel, for a change notification that names keys
   * (empty while the identity has no other device, as the kept list says).
   */
  public List<String> selfChannelKeys() throws LocalStateException {
    if (!hasOtherDevicesKept()) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    for (Conversation epoch : SelfChannel.conversations(me, state)) {
      keys.addAll(engine.nextKeys(engine.withDevices(epoch), false));
    }
    return keys;
  }

  /** Changes of the other devices not yet marked read; {@link #delivered} marks them. */
  public final class Pending {
    private final List<SelfChange> changes;
    private final List<Group> joined;
    private final SelfChannel.Unread received;

    Pending(List<SelfChange> changes, List<Group> joined, SelfChannel.Unread received) {
      this.changes = List.copyOf(changes);
      this.joined = List.copyOf(joined);
      this.received = received;
    }

    public List<SelfChange> changes() {
      return changes;
    }

    /** Groups another device joined (or created, or is in again), taken here already: shown as joined. */
    public List<Group> joined() {
      return joined;
    }

    /** Marks them read: the next call does not return them again. */
    public void delivered() throws LocalStateException {
      if (received != null) {
        received.commit(state);
      }
    }
  }

  /**
   * Tells the other devices how far this one delivered in {@code conversations} ({@code SELF_READ}, §15.6), so
   * they do not deliver it again; nothing without another device. A store that cannot take it now: the next
   * delivery tells again.
   */
  public void tellRead(List<Conversation> conversations) throws LocalStateException {
    if (conversations.isEmpty()) {
      return;
    }
    try {
      if (!hasOtherDevicesKept()) {
        return;
      }
      Map<FeedId, LocalState.Position> marks = new LinkedHashMap<>();
      for (Conversation plain : conversations) {
        Conversation c = engine.withDevices(plain);
        for (FeedId feed : c.feeds()) {
          LocalState.Position p = state.delivered(feed);
          if (!(c.isMember() && c.isMine(feed)) && !p.equals(LocalState.Position.START)) {
            marks.put(feed, p);
          }
        }
      }
      for (byte[] body : SelfChannel.readBodies(marks)) {
        SelfChannel.write(engine, me, SelfChannel.READ, body, null);
      }
    } catch (KvException e) {
      // told with the next delivery
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("A read position is always a valid message", e);
    }
  }

  /** Every conversation this client follows: each epoch of its friends' chats (§3.1) and of its groups. */
  private List<Conversation> followedConversations() throws LocalStateException {
    List<Conversation> conversations = new ArrayList<>();
    for (PublicCard card : contacts.cards()) {
      conversations.addAll(engine.conversationsWith(card));
    }
    for (Group g : groups.list()) {
      for (Epoch e : g.epochs()) {
        conversations.add(Group.conversation(me, e));
      }
    }
    return conversations;
  }

  /** Every feed of every conversation this device reads: its friends' chats and every epoch of its groups. */
  private Map<FeedId, Boolean> knownFeeds() throws LocalStateException {
    Map<FeedId, Boolean> out = new java.util.HashMap<>();
    for (Conversation plain : followedConversations()) {
      for (FeedId feed : engine.withDevices(plain).feeds()) {
        out.put(feed, Boolean.TRUE);
      }
    }
    return out;
  }

  /** Whether the kept list of this identity names a device besides this one that is not revoked. */
  private boolean hasOtherDevices() throws LocalStateException, KvException {
    engine.devices().refresh(List.of(me.card()), false); // at most every 10 minutes
    return hasOtherDevicesKept();
  }

  /** {@link #hasOtherDevices} from the kept list alone, reading nothing (for every delivery). */
  private boolean hasOtherDevicesKept() throws LocalStateException {
    Optional<DeviceList> kept = engine.devices().kept(me.card());
    return kept.isPresent() && kept.get().devices().stream().anyMatch(d -> !d.revoked() && d.number() != me.deviceNumber());
  }

  /** See {@link Devices#known}. */
  public static List<DeviceInfo> known(LocalState state, PublicCard person, PublicCard self, int thisDevice)
      throws LocalStateException {
    Optional<DeviceList> kept = DeviceBook.keptEntry(state, person);
    return infos(person, kept, Map.of(), person.equals(self) ? thisDevice : -1);
  }

  private static List<DeviceInfo> infos(PublicCard person, Optional<DeviceList> kept, Map<Integer, String> names, int thisDevice) {
    List<DeviceInfo> out = new ArrayList<>();
    if (kept.isEmpty()) {
      out.add(new DeviceInfo(0, shortId(person.fingerprint()), Optional.ofNullable(names.get(0)), thisDevice == 0, false, 0));
      return out;
    }
    List<DeviceList.Device> all = new ArrayList<>(kept.get().devices());
    all.addAll(kept.get().revoked());
    all.sort((a, b) -> Integer.compare(a.number(), b.number()));
    for (DeviceList.Device d : all) {
      byte[] fp = d.number() == 0 ? person.fingerprint() : Conversation.deviceFingerprint(person, d.keys().signingKey());
      out.add(new DeviceInfo(d.number(), shortId(fp), Optional.ofNullable(names.get(d.number())), thisDevice == d.number(),
          d.revoked(), d.since()));
    }
    return out;
  }

  /** The first two groups of a fingerprint: {@code 3f9a 01c2}. */
  static String shortId(byte[] fingerprint) {
    String hex = HexFormat.of().formatHex(fingerprint, 0, 4);
    return hex.substring(0, 4) + " " + hex.substring(4);
  }

  // --- linking: device 0's side ---------------------------------------------------------------------------

  /** An offer: the code, and the X25519 secret made for it, kept in memory only and forgotten once spent. */
  static final class Offer implements Devices.LinkOffer {
    final LinkCode code;
    final Board board;
    private byte[] secret;
    Board.Cursor cursor = Board.Cursor.START;
    Request found;
    boolean spent;

    Offer(LinkCode code, byte[] secret) {
      this.code = code;
      this.secret = secret;
      this.board = new Board(code.boardSecret(), LinkCode.boardLabel());
    }

    @Override
    public String code() {
      return code.text();
    }

    @Override
    public Instant expires() {
      return Instant.ofEpochSecond(code.expires());
    }

    /** Spends the offer: its secret is forgotten, so nothing opens a request or seals a welcome with it again. */
    void spend() {
      spent = true;
      if (secret != null) {
        Arrays.fill(secret, (byte) 0);
        secret = null;
      }
    }
  }

  /** A new device's request, opened. */
  static final class Request implements Devices.LinkRequest {
    final byte[] requestKey;
    final PublicCard deviceKeys;
    final String name;
    final byte[] check;

    Request(byte[] requestKey, PublicCard deviceKeys, String name, byte[] check) {
      this.requestKey = requestKey;
      this.deviceKeys = deviceKeys;
      this.name = name;
      this.check = check;
    }

    @Override
    public String check() {
      return LinkCode.checkText(check);
    }

    @Override
    public String name() {
      return name;
    }
  }

  @Override
  public Devices.LinkOffer offer() throws DeviceException {
    ensureOpen.run();
    requireDeviceZero("link a device");
    byte[] s = new byte[LinkCode.SECRET_BYTES];
    random.nextBytes(s);
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    byte[] pub = new X25519PrivateKeyParameters(secret, 0).generatePublicKey().getEncoded();
    long expires = clock.instant().getEpochSecond() + CODE_SECONDS;
    return new Offer(new LinkCode(s, pub, expires), secret);
  }

  @Override
  public Optional<Devices.LinkRequest> request(Devices.LinkOffer linkOffer) throws DeviceException, KvException {
    ensureOpen.run();
    Offer offer = (Offer) linkOffer;
    synchronized (offer) {
      live(offer);
      if (offer.found != null) {
        return Optional.of(offer.found);
      }
      TreeMap<Integer, Request> opened = new TreeMap<>();
      byte[] secret = offer.secret;
      offer.cursor = offer.board.read(store, offer.cursor, slot -> slot.payload()
          .flatMap(p -> open(offer.code, secret, slot.key(), p)).ifPresent(r -> opened.put(slot.number(), r)));
      if (!opened.isEmpty()) {
        offer.found = opened.firstEntry().getValue(); // the first request: a code is used once
      }
      return Optional.ofNullable(offer.found);
    }
  }

  /** The request {@code payload} holds at {@code key}, if it opens with the offer's secret and parses. */
  static Optional<Request> open(LinkCode code, byte[] secret, String key, byte[] payload) {
    try {
      byte[] plain = Hpke.open(secret, code.offerKey(), REQUEST_INFO, key.getBytes(StandardCharsets.UTF_8), payload);
      ByteBuffer in = ByteBuffer.wrap(plain);
      byte[] n = new byte[32];
      byte[] dk = new byte[32];
      byte[] dx = new byte[32];
      in.get(n).get(dk).get(dx);
      int len = in.get() & 0xFF;
      if (len < 1 || in.remaining() != len) {
        return Optional.empty();
      }
      byte[] name = new byte[len];
      in.get(name);
      String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(name)).toString();
      return Optional.of(new Request(n, PublicCard.of(dk, dx), text, LinkCode.check(code.offerKey(), n, dk, dx)));
    } catch (Hpke.OpenFailedException | InvalidCardException | java.nio.charset.CharacterCodingException
        | java.nio.BufferUnderflowException e) {
      return Optional.empty();
    }
  }

  private void live(Offer offer) throws DeviceException {
    if (offer.spent) {
      throw new DeviceException(DeviceException.Reason.SPENT, "This link code was used already; make a new one.");
    }
    if (clock.instant().getEpochSecond() > offer.code.expires()) {
      offer.spend();
      throw new DeviceException(DeviceException.Reason.EXPIRED, "This link code's 10 minutes are over; make a new one.");
    }
  }

  @Override
  public void deny(Devices.LinkOffer linkOffer) {
    Offer offer = (Offer) linkOffer;
    synchronized (offer) {
      offer.spend();
    }
  }

  @Override
  public DeviceInfo approve(Devices.LinkOffer linkOffer, Devices.LinkRequest linkRequest, byte[] applicationState)
      throws DeviceException, LocalStateException, KvException {
    ensureOpen.run();
    requireDeviceZero("link a device");
    Offer offer = (Offer) linkOffer;
    Request request = (Request) linkRequest;
    byte[] shared = new byte[32];
    synchronized (offer) {
      live(offer);
      if (offer.found != request) {
        throw new DeviceException(DeviceException.Reason.NOT_THIS_DEVICE, "That is not the request this code received.");
      }
      boolean ok = X25519.calculateAgreement(offer.secret, 0, request.requestKey, 0, shared, 0);
      offer.spend(); // spent whatever happens next
      if (!ok) {
        throw new DeviceException(DeviceException.Reason.DAMAGED, "The new device's request holds a weak key; nothing was linked.");
      }
    }
    // 1. Certify it: the next entry of the list (the first one names device 0 with its own X25519 device key).
    DeviceBook book = engine.devices();
    book.refresh(List.of(me.card()), true);
    Optional<DeviceList> kept = book.kept(me.card());
    OwnDevice own = new OwnDevice(me, state);
    if (kept.isPresent() && kept.get().devices().size() >= DeviceList.MAX_DEVICES) {
      throw new DeviceException(DeviceException.Reason.TOO_MANY, "You have " + DeviceList.MAX_DEVICES
          + " devices, as many as a list holds; revoke one first.");
    }
    DeviceList entry = kept.isEmpty() ? DeviceList.first(me, own.agreementKey(random), List.of(request.deviceKeys))
        : kept.get().adding(me, request.deviceKeys);
    book.publish(entry);
    int number = entry.devices().get(entry.devices().size() - 1).number();
    own.name(number, request.name);
    if (missesSelfEpochs()) {
      // A copy of device 0 without its self epochs (§15.11): a new one for every device, the new one included,
      // so the devices linked before and the new one read each other again.
      rotateSelfChannel(SelfChannel.current(me, state), entry);
    }
    // 2. Every conversation learns of the new entry at once (protocol §15.4); before the state is taken, so the
    // new device's read positions include these notices.
    notices(entry, "linked a device (" + entry.devices().size() + " now)");
    // 3. The identity's state, as chunks, and the welcome that says where.
    StoredChunks.Ref bundle = LinkBundle.write(store, LinkBundle.encode(new LinkBundle.Content(groupStates(),
        readPositions(), own.load().names(), applicationState, SelfChannel.laterEpochs(me, state),
        engine.pairs().exported())), random);
    Welcome welcome = new Welcome(me.card(), number, request.name, Secrets.of(me).shareWithDevice(), entry.n(),
        entry.hash(), bundle);
    String key = offer.code.welcomeKey();
    byte[] sealed = new OneTimeKeyAead(offer.code.welcomeSecret(shared, request.check), WELCOME_LABEL)
        .encrypt(welcome.encode(), key.getBytes(StandardCharsets.UTF_8));
    Arrays.fill(shared, (byte) 0);
    byte[] value = new byte[1 + sealed.length];
    value[0] = VALUE_VERSION;
    System.arraycopy(sealed, 0, value, 1, sealed.length);
    store.put(key, Base64Url.encode(value));
    return new DeviceInfo(number, shortId(Conversation.deviceFingerprint(me.card(), request.deviceKeys.signingKey())),
        Optional.of(request.name), false, false, entry.n());
  }

  @Override
  public DeviceInfo revoke(int number) throws DeviceException, LocalStateException, KvException {
    ensureOpen.run();
    requireDeviceZero("revoke a device");
    DeviceBook book = engine.devices();
    book.refresh(List.of(me.card()), true);
    DeviceList kept = book.kept(me.card()).orElseThrow(() -> noSuchDevice(number));
    Optional<DeviceList.Device> already = kept.revoked().stream().filter(d -> d.number() == number).findFirst();
    if (already.isPresent()) {
      // Revoked already: only step 3 again, a new self epoch without it. That is the retry when the first
      // revoke published the entry and its notices but could not write the rotation (the store failed).
      rotateSelfChannel(SelfChannel.current(me, state), kept);
      return new DeviceInfo(number, shortId(Conversation.deviceFingerprint(me.card(), already.get().keys().signingKey())),
          Optional.ofNullable(new OwnDevice(me, state).load().names().get(number)), false, true, already.get().since());
    }
    DeviceList.Device device = kept.devices().stream().filter(d -> d.number() == number && number > 0).findFirst()
        .orElseThrow(() -> noSuchDevice(number));
    String fp = HexFormat.of().formatHex(Conversation.deviceFingerprint(me.card(), device.keys().signingKey()));
    // 1. Where its feed ends in each conversation, as this device reads it now (before the revocation is out).
    // The friends' new keys first: step 4 writes in the newest, which a device a friend revoked cannot read.
    for (PublicCard card : contacts.cards()) {
      newKeys.take(card);
    }
    Map<Conversation, LocalState.Position> cuts = new LinkedHashMap<>();
    List<Conversation> everywhere = new ArrayList<>();
    for (PublicCard card : contacts.cards()) {
      everywhere.addAll(engine.conversationsWith(card)); // every epoch of the chat (§3.1)
    }
    List<Conversation> currentEpochs = new ArrayList<>();
    for (Group g : groups.list()) {
      for (Epoch e : g.epochs()) {
        Conversation c = Group.conversation(me, e);
        if (c.isMember()) {
          everywhere.add(c);
        }
      }
      if (g.status() == Group.Status.ACTIVE && g.current().isMember(me.card())) {
        currentEpochs.add(Group.conversation(me, g.current()));
      }
    }
    List<Conversation> selfEpochs = SelfChannel.conversations(me, state); // the other devices learn there too (§15.6)
    everywhere.addAll(selfEpochs);
    Conversation self = selfEpochs.get(selfEpochs.size() - 1);
    currentEpochs.add(self);
    for (Conversation plain : everywhere) {
      engine.history(plain, org.reschat.core.HistoryRequest.newest(1)); // reads every feed's newest page
      Conversation c = engine.withDevices(plain);
      for (FeedId feed : c.feeds()) {
        if (c.writerOf(feed).equals(me.card()) && c.deviceOf(feed) == number) {
          engine.heldEnd(c, feed).ifPresent(end -> cuts.put(plain, end)); // its records held included (§4.8)
        }
      }
    }
    // 2. The new entry, then the cuts kept here and told to every conversation where the feed holds anything.
    DeviceList entry = kept.revoking(me, number);
    book.publish(entry);
    for (Map.Entry<Conversation, LocalState.Position> e : cuts.entrySet()) {
      book.keepCuts(e.getKey().id(), Map.of(fp, e.getValue()));
    }
    String summary = "revoked a device (" + entry.devices().size() + " now)";
    List<Conversation> told = new ArrayList<>();
    for (Map.Entry<Conversation, LocalState.Position> e : cuts.entrySet()) {
      notice(e.getKey(), new DeviceNotice(entry.n(), entry.hash(), Map.of(fp, e.getValue())), summary);
      told.add(e.getKey());
    }
    for (PublicCard card : contacts.cards()) {
      Conversation c = engine.currentWith(card);
      if (told.stream().noneMatch(t -> t.id().equals(c.id()))) {
        notice(c, new DeviceNotice(entry.n(), entry.hash()), summary);
      }
    }
    for (Conversation c : currentEpochs) {
      if (told.stream().noneMatch(t -> t.id().equals(c.id()))) {
        notice(c, new DeviceNotice(entry.n(), entry.hash()), summary);
      }
    }
    // 3. A new self epoch without K (§15.6): a fresh secret, sealed to each remaining device's X25519 device key
    // in a SELF_ROTATE written in the epoch it ends; this device writes in the new one from now on.
    rotateSelfChannel(self, entry);
    // 4. A new epoch of every direct chat, from a secret K cannot derive (§3.1): written in the one the friend reads.
    rotatePairs(entry);
    Map<Integer, String> names = new OwnDevice(me, state).load().names();
    return new DeviceInfo(number, shortId(Conversation.deviceFingerprint(me.card(), device.keys().signingKey())),
        Optional.ofNullable(names.get(number)), false, true, device.since());
  }

  @Override
  public List<PublicCard> notYetRekeyed() throws LocalStateException {
    List<PublicCard> out = new ArrayList<>();
    for (PublicCard card : contacts.cards()) {
      if (engine.pairs().waiting(card)) {
        out.add(card);
      }
    }
    for (Group g : groups.list()) { // members who are no friend, whose key went to them in the group (§3.1)
      for (PublicCard card : g.status() == Group.Status.ACTIVE ? g.current().members() : List.<PublicCard>of()) {
        if (!card.equals(me.card()) && !out.contains(card) && engine.pairs().waiting(card)) {
          out.add(card);
        }
      }
    }
    return out;
  }

  @Override
  public boolean missesSelfEpochs() throws LocalStateException {
    Optional<DeviceList> kept = engine.devices().kept(me.card());
    return me.deviceNumber() == 0 && kept.isPresent() && !kept.get().revoked().isEmpty()
        && kept.get().devices().stream().anyMatch(d -> d.number() != 0) && SelfChannel.laterEpochs(me, state).isEmpty();
  }

  @Override
  public void requireNotRevoked() throws DeviceException, LocalStateException {
    if (me.deviceNumber() == 0) {
      return;
    }
    Optional<DeviceList> kept = engine.devices().kept(me.card());
    if (kept.isPresent() && kept.get().revoked().stream().anyMatch(d -> d.number() == me.deviceNumber())) {
      throw new DeviceException(DeviceException.Reason.REVOKED, "This device (device " + me.deviceNumber()
          + ") was revoked on your first device: nobody shows what it writes. Link it again there to use it.");
    }
  }

  /**
   * Starts a new self epoch: a fresh random secret {@code T'} (derived from nothing a revoked device holds),
   * {@code SELF_ROTATE} in {@code current} with {@code T'} sealed to each device {@code entry} names that is not
   * revoked and not this one, then {@code T'} kept here as the epoch this device writes in.
   */
  private void rotateSelfChannel(Conversation current, DeviceList entry) throws LocalStateException, KvException {
    byte[] t = new byte[32];
    random.nextBytes(t);
    Map<Integer, byte[]> keys = new LinkedHashMap<>();
    for (DeviceList.Device d : entry.devices()) {
      if (!d.revoked() && d.number() != me.deviceNumber()) {
        keys.put(d.number(), d.keys().encryptionKey());
      }
    }
    try {
      SelfChannel.write(engine, me, current, SelfChannel.ROTATE, SelfChannel.rotateBody(me, t, keys,
          org.reschat.core.internal.crypto.Hpke.standard()), "started a new self epoch");
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("A self epoch's rotation is always a valid message", e);
    }
    SelfChannel.keepEpochs(me, state, List.of(t));
    Arrays.fill(t, (byte) 0);
  }

  /**
   * Starts the next epoch of every direct chat (protocol §3.1): a fresh random secret per friend, kept here as not
   * yet taken, and a {@code PAIR_ROTATE} sealing it to the friend and to each device {@code entry} names that is not
   * revoked and not this one, written in the conversation this client writes in now (the friend reads it there).
   * A member of a group who is not a friend has no direct chat to carry it: the same rotation (one secret per
   * member) goes to them in the current epoch of each active group the two are in. A store that cannot take it now
   * keeps it queued, as any message.
   */
  private void rotatePairs(DeviceList entry) throws LocalStateException {
    Map<Integer, byte[]> keys = new LinkedHashMap<>();
    for (DeviceList.Device d : entry.devices()) {
      if (!d.revoked() && d.number() != me.deviceNumber()) {
        keys.put(d.number(), d.keys().encryptionKey());
      }
    }
    List<PublicCard> friends = contacts.cards();
    for (PublicCard card : friends) {
      writePairRotation(engine.currentWith(card), nextPairEpoch(card, keys), "for this chat");
    }
    Map<PublicCard, byte[]> carried = new LinkedHashMap<>();
    for (Group g : groups.list()) {
      if (g.status() != Group.Status.ACTIVE || !g.confirmed() || !g.current().isMember(me.card())) {
        continue; // a group read-only here (no admin vouched for it) is written nothing, and is never rekeyed
      }
      for (PublicCard member : g.current().members()) {
        if (!member.equals(me.card()) && !friends.contains(member)) {
          if (!carried.containsKey(member)) {
            carried.put(member, nextPairEpoch(member, keys));
          }
          writePairRotation(Group.conversation(me, g.current()), carried.get(member), "for "
              + org.reschat.core.FeedWarning.shortName(member) + ", who has no chat with you");
        }
      }
    }
  }

  /** A fresh random secret of the pair with {@code card}, kept as not yet taken; the {@code PAIR_ROTATE} body for it. */
  private byte[] nextPairEpoch(PublicCard card, Map<Integer, byte[]> deviceKeys) throws LocalStateException {
    byte[] p = new byte[32];
    random.nextBytes(p);
    try {
      engine.pairs().keep(card, p, false);
      return org.reschat.core.internal.conversation.PairRotate.body(me, card, p, deviceKeys,
          org.reschat.core.internal.crypto.Hpke.standard());
    } finally {
      Arrays.fill(p, (byte) 0);
    }
  }

  /** Writes a {@code PAIR_ROTATE} in {@code where}, its summary saying whose key it is ({@code forWhom}). */
  private void writePairRotation(Conversation where, byte[] body, String forWhom) throws LocalStateException {
    try {
      engine.send(where, org.reschat.core.internal.conversation.PairRotate.TYPE,
          ("started a new key " + forWhom + " (a device was revoked)").getBytes(StandardCharsets.UTF_8), body);
    } catch (KvException e) {
      // the store could not be read to start the feed: the member keeps the old key until the next revocation
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("A pair epoch's rotation is always a valid message", e);
    }
  }

  private static DeviceException noSuchDevice(int number) {
    return new DeviceException(DeviceException.Reason.NO_SUCH_DEVICE, "There is no linked device " + number
        + " to revoke (see 'reschat device list'; device 0 holds the identity and is never revoked).");
  }

  /** Writes one notice into {@code c}; a store that cannot be read to start its feed leaves it to the list. */
  private void notice(Conversation c, DeviceNotice notice, String summary) throws LocalStateException {
    try {
      engine.send(c, MessageText.DEVICES, summary.getBytes(StandardCharsets.UTF_8), notice.encode());
    } catch (KvException e) {
      // readers learn of the list within 10 minutes; the cut is kept here and written with the next notice
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("A device notice is always a valid message", e);
    }
  }

  private void requireDeviceZero(String what) throws DeviceException {
    if (!me.holdsIdentityKey()) {
      throw new DeviceException(DeviceException.Reason.NOT_DEVICE_ZERO, "Only your first device (device 0, which holds"
          + " your identity's signing key) can " + what + "; this is device " + me.deviceNumber() + ".");
    }
  }

  /** Every group's sealed state, by id. */
  private Map<String, String> groupStates() throws LocalStateException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String id : state.groupIds()) {
      state.group(id).ifPresent(s -> out.put(id, s));
    }
    return out;
  }

  /**
   * How far this person has read every feed of every conversation this client follows; for this device's own
   * feed, its end, so the new device does not deliver what this one sent as news.
   */
  private List<LinkBundle.Mark> readPositions() throws LocalStateException {
    List<LinkBundle.Mark> out = new ArrayList<>();
    for (Conversation plain : followedConversations()) {
      Conversation c = engine.withDevices(plain);
      for (FeedId feed : c.feeds()) {
        LocalState.Position p = c.isMember() && c.isMine(feed) ? engine.ownTail(c) : state.delivered(feed);
        if (!p.equals(LocalState.Position.START)) {
          out.add(new LinkBundle.Mark(feed, p.page(), p.slot()));
        }
      }
    }
    return out;
  }

  /**
   * Writes a {@code LINKED_DEVICES} notice of {@code entry} into every direct chat and every group this person is
   * in (its current epoch). A conversation the store cannot take now keeps it queued, as any message.
   */
  void notices(DeviceList entry, String summary) throws LocalStateException {
    byte[] body = new DeviceNotice(entry.n(), entry.hash()).encode();
    byte[] ext = summary.getBytes(StandardCharsets.UTF_8);
    List<Conversation> targets = new ArrayList<>();
    for (PublicCard card : contacts.cards()) {
      targets.add(engine.currentWith(card));
    }
    for (Group g : groups.list()) {
      if (g.status() == Group.Status.ACTIVE && g.confirmed() && g.current().isMember(me.card())) {
        targets.add(Group.conversation(me, g.current()));
      }
    }
    targets.add(SelfChannel.current(me, state)); // the other devices read the new one at once (§15.6)
    for (Conversation c : targets) {
      try {
        engine.send(c, MessageText.DEVICES, ext, body);
      } catch (KvException e) {
        // the store could not be read to start this conversation's feed: it learns of the list within 10 minutes
      } catch (InvalidMessageException e) {
        throw new IllegalStateException("A device notice is always a valid message", e);
      }
    }
  }
}
