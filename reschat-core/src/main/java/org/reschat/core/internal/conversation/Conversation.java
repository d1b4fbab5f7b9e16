package org.reschat.core.internal.conversation;

import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.spi.FeedId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.kv.KvKeys;

/**
 * A set of member feeds sharing one conversation secret, seen by one of its members. Every name and key
 * the conversation uses is derived from the secret, so the ledger shows only random-looking keys and
 * sealed values: nothing there links a value to a card, a feed or another value.
 *
 * <p>Two people share a secret from X25519 of their keys and HKDF over both cards (fixed membership);
 * groups (a later version) hand out random secrets. Reading, verifying and merging work the same for any
 * number of members: a 1:1 conversation is the case of two.
 *
 * <pre>
 * members        the cards, in unsigned byte order; a member's index is its place in this list
 * pair secret    HKDF(X25519(own, other), salt = SHA-256("reschat/v2 pair" ‖ lo ‖ hi), "reschat/v2 conversation secret", 32)
 * page key(W, n) "rc2." ‖ b64u(HKDF(secret, "", "reschat/v2 page key" ‖ fingerprint(W) ‖ u64(n), 16))
 * id             b64u(HKDF(secret, "", "reschat/v2 conversation id", 16))    local names only, never on the ledger
 * writer tag(W)  b64u(HKDF(secret, "", "reschat/v2 writer tag" ‖ fingerprint(W), 8))   local names, message ids
 * epoch tag      HKDF(secret, "", "reschat/v2 epoch tag", 8)        field 0 of every slot: which secret seals it
 * </pre>
 *
 * <p>Linked devices (protocol §15.3): besides its identity feed (written by device 0, the identity key), a member
 * has one feed per linked device its device list certifies, whose writer is the device: {@code W} above is then
 * the device's fingerprint, {@code SHA-256("reschat/v3 device\0" ‖ card bytes ‖ device Ed25519 key)}, and its
 * pages are signed by the device's key. Members, indices and secrets do not change. A conversation seen from a
 * linked device has that device's feed as its own; {@link #withDevices} adds the others' devices.
 * Immutable and thread-safe.
 */
public final class Conversation {
  /** Largest page number a feed may use; keys above it are never read. */
  public static final long MAX_PAGE_NUMBER = (1L << 31) - 1;
  public static final String KEY_PREFIX = "rc2.";

  private static final byte[] PAIR_SALT = utf8("reschat/v2 pair");
  private static final byte[] SECRET_LABEL = utf8("reschat/v2 conversation secret");
  private static final byte[] PAGE_KEY_LABEL = utf8("reschat/v2 page key");
  private static final byte[] RECORD_KEY_LABEL = utf8("reschat/v5 record key");
  private static final byte[] ID_LABEL = utf8("reschat/v2 conversation id");
  private static final byte[] TAG_LABEL = utf8("reschat/v2 writer tag");
  private static final byte[] EPOCH_LABEL = utf8("reschat/v2 epoch tag");
  private static final byte[] ENVELOPE_LABEL = utf8("reschat/v2 envelope");
  private static final byte[] MESSAGE_LABEL = utf8("reschat/v3 message");
  private static final byte[] SENDER_LABEL = utf8("reschat/v3 sender copy");
  private static final byte[] LEGACY_MESSAGE_LABEL = utf8("reschat/v2 message");
  private static final byte[] LEGACY_SENDER_LABEL = utf8("reschat/v2 sender copy");
  private static final byte[] WRAP_LABEL = utf8("reschat/v2 secret wrap");
  private static final byte[] TAG_KEY_LABEL = utf8("reschat/v4 sender tag");
  private static final byte[] NO_SALT = new byte[0];

  private final Identity me;
  private final byte[] secret;
  /** HKDF-Extract of the secret with the empty salt: the same for every name derived below, so kept. */
  private final byte[] namePrk;
  private final List<PublicCard> members;
  private final int myIndex;
  private final String id;
  private final byte[] idBytes;
  private final byte[] epochTag;
  /** Every feed's writer: the members' identity feeds by index, then their devices' feeds. */
  private final List<Writer> writers;
  private final java.util.Map<String, Writer> byTag;
  /** This member's own feed's writer: its identity feed, or on a linked device that device's; null for a reader. */
  private final Writer mine;
  /** {@link #feeds()}: listed once per set of writers, shared by the copies under another tail rule. */
  private final List<FeedId> feeds;
  private final OneTimeKeyAead envelopes;
  private final OneTimeKeyAead messages;
  private final OneTimeKeyAead senderCopies;
  private final OneTimeKeyAead legacyMessages;
  private final OneTimeKeyAead legacySenderCopies;
  /** The key of this identity's sender tags here (protocol §4.7): only this identity's devices derive it. */
  private final byte[] senderTagKey;
  /** How open tails are authenticated here, as this client sees it: every version signed unless the engine says so. */
  private final TailRule tails;
  /** Page and record keys derived here, shared by every copy of this conversation (more devices, another rule). */
  private final LedgerKeys keys;

  private static final byte[] DEVICE_LABEL = utf8("reschat/v3 device\0");

  /**
   * One feed's writer: whose feed it is, the fingerprint its keys and tag derive from, the key its pages verify
   * under, and for a revoked device where its feed stops counting (protocol §15.7; null otherwise).
   */
  private record Writer(int member, int device, byte[] fingerprint, String tag,
      org.reschat.core.internal.crypto.VerifyingKey signingKey, org.reschat.core.spi.LocalState.Position end) {}

  private Conversation(Identity me, byte[] secret, List<PublicCard> members) {
    this.me = me;
    this.secret = secret.clone();
    this.namePrk = Hkdf.extract(this.secret, NO_SALT);
    List<PublicCard> sorted = new ArrayList<>(members);
    sorted.sort((x, y) -> Arrays.compareUnsigned(x.bytes(), y.bytes()));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).equals(sorted.get(i - 1))) {
        throw new IllegalArgumentException("A conversation lists each member once");
      }
    }
    this.members = Collections.unmodifiableList(sorted);
    this.myIndex = sorted.indexOf(me.card());
    this.idBytes = derive(ID_LABEL, 16);
    this.id = Base64Url.encode(idBytes);
    this.epochTag = derive(EPOCH_LABEL, 8);
    List<Writer> w = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      w.add(writer(i, 0, sorted.get(i).fingerprint(), sorted.get(i).signingKey()));
    }
    int device = Secrets.of(me).deviceNumber();
    if (myIndex >= 0 && device > 0) {
      byte[] key = Secrets.of(me).pageSigningKey();
      w.add(writer(myIndex, device, deviceFingerprint(me.card(), key), key));
    }
    this.writers = List.copyOf(w);
    this.byTag = index(writers);
    this.mine = myIndex < 0 ? null : writers.get(device > 0 ? writers.size() - 1 : myIndex);
    this.feeds = feedsOf(writers, mine);
    this.envelopes = new OneTimeKeyAead(this.secret, ENVELOPE_LABEL);
    this.messages = OneTimeKeyAead.committing(this.secret, MESSAGE_LABEL);
    this.senderCopies = new OneTimeKeyAead(Secrets.of(me).selfSecret(concat(SENDER_LABEL, idBytes)), SENDER_LABEL);
    // Slots of version 2: not committing, and the sender's copy under the secret from before the self seed.
    this.legacyMessages = new OneTimeKeyAead(this.secret, LEGACY_MESSAGE_LABEL);
    this.legacySenderCopies = new OneTimeKeyAead(Secrets.of(me).legacySelfSecret(concat(LEGACY_SENDER_LABEL, idBytes)),
        LEGACY_SENDER_LABEL);
    this.senderTagKey = Secrets.of(me).selfSecret(concat(TAG_KEY_LABEL, idBytes));
    this.tails = TailRule.SIGNED;
    this.keys = new LedgerKeys();
  }

  /** This conversation with more writers, or another tail rule: the same secret, members and keys. */
  private Conversation(Conversation base, List<Writer> writers, TailRule tails) {
    this.me = base.me;
    this.secret = base.secret;
    this.namePrk = base.namePrk;
    this.members = base.members;
    this.myIndex = base.myIndex;
    this.id = base.id;
    this.idBytes = base.idBytes;
    this.epochTag = base.epochTag;
    this.writers = List.copyOf(writers);
    this.byTag = this.writers.equals(base.writers) ? base.byTag : index(this.writers); // another rule: the same feeds
    this.mine = base.mine;
    this.feeds = this.writers.equals(base.writers) ? base.feeds : feedsOf(this.writers, mine);
    this.envelopes = base.envelopes;
    this.messages = base.messages;
    this.senderCopies = base.senderCopies;
    this.legacyMessages = base.legacyMessages;
    this.legacySenderCopies = base.legacySenderCopies;
    this.senderTagKey = base.senderTagKey;
    this.tails = tails;
    this.keys = base.keys;
  }

  private Writer writer(int member, int device, byte[] fingerprint, byte[] signingKey) {
    return new Writer(member, device, fingerprint, Base64Url.encode(derive(concat(TAG_LABEL, fingerprint), 8)),
        new org.reschat.core.internal.crypto.VerifyingKey(signingKey), null);
  }

  private static java.util.Map<String, Writer> index(List<Writer> writers) {
    java.util.Map<String, Writer> out = new java.util.HashMap<>();
    for (Writer w : writers) {
      out.put(w.tag(), w);
    }
    return java.util.Map.copyOf(out);
  }

  /** A linked device's fingerprint (protocol §15.3): what its feeds' keys, tag and signatures derive from. */
  public static byte[] deviceFingerprint(PublicCard card, byte[] deviceSigningKey) {
    return Sha.sha256(DEVICE_LABEL, card.bytes(), deviceSigningKey);
  }

  /**
   * This conversation with a feed for every linked device that {@code devices} names for a member (device lists
   * as this client verified them, by member card; device 0 is the identity feed, always there). Devices of
   * people who are not members are ignored.
   */
  public Conversation withDevices(java.util.Map<PublicCard, List<org.reschat.core.internal.device.DeviceList.Device>> devices) {
    return withDevices(devices, java.util.Map.of());
  }

  /**
   * {@link #withDevices(java.util.Map)}, where a revoked device among {@code devices} has a feed only when
   * {@code cuts} (by the device's fingerprint in hex) says where it stops counting here: the first message that
   * does not count (protocol §15.7). A revoked device without a cut here has no feed: none of it counts.
   */
  public Conversation withDevices(java.util.Map<PublicCard, List<org.reschat.core.internal.device.DeviceList.Device>> devices,
      java.util.Map<String, org.reschat.core.spi.LocalState.Position> cuts) {
    List<Writer> all = new ArrayList<>(writers.subList(0, members.size()));
    List<Writer> extra = new ArrayList<>();
    if (mine != null && mine.device() > 0) {
      extra.add(mine);
    }
    for (int i = 0; i < members.size(); i++) {
      for (org.reschat.core.internal.device.DeviceList.Device d : devices.getOrDefault(members.get(i), List.of())) {
        if (d.number() < 1 || (i == myIndex && mine != null && d.number() == mine.device())) {
          continue;
        }
        byte[] key = d.keys().signingKey();
        byte[] fp = deviceFingerprint(members.get(i), key);
        org.reschat.core.spi.LocalState.Position end = d.revoked() ? cuts.get(java.util.HexFormat.of().formatHex(fp)) : null;
        if (d.revoked() && end == null) {
          continue;
        }
        Writer w = writer(i, d.number(), fp, key);
        extra.add(end == null ? w : new Writer(w.member(), w.device(), w.fingerprint(), w.tag(), w.signingKey(), end));
      }
    }
    extra.sort((x, y) -> x.member() != y.member() ? Integer.compare(x.member(), y.member()) : Integer.compare(x.device(), y.device()));
    all.addAll(extra);
    if (sameFeeds(all, writers)) {
      return this;
    }
    return new Conversation(this, all, tails);
  }

  /** Whether two lists of writers name the same feeds (tags) with the same ends, in order. */
  private static boolean sameFeeds(List<Writer> a, List<Writer> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).tag().equals(b.get(i).tag()) || !java.util.Objects.equals(a.get(i).end(), b.get(i).end())) {
        return false;
      }
    }
    return true;
  }

  /** How open tails are authenticated here (protocol §4.7): {@link TailRule#SIGNED} unless {@link #withTails} said. */
  public TailRule tails() {
    return tails;
  }

  /** This conversation under {@code rule}: what the engine decides for a direct chat's epoch. */
  public Conversation withTails(TailRule rule) {
    return rule.equals(tails) ? this : new Conversation(this, writers, rule);
  }

  /** The key of this identity's sender tags in this conversation (protocol §4.7), from its self seed. */
  public byte[] senderTagKey() {
    return senderTagKey.clone();
  }

  /** The conversation between {@code me} and the holder of {@code them}; both sides derive the same secret. */
  public static Conversation pair(Identity me, PublicCard them) {
    PublicCard mine = me.card();
    if (mine.equals(them)) {
      throw new IllegalArgumentException("A conversation needs two different people");
    }
    byte[] a = mine.bytes();
    byte[] b = them.bytes();
    boolean mineFirst = Arrays.compareUnsigned(a, b) < 0;
    byte[] salt = Sha.sha256(PAIR_SALT, mineFirst ? a : b, mineFirst ? b : a);
    byte[] shared = Secrets.of(me).rawSharedSecretWith(them);
    byte[] secret = Hkdf.sha256(shared, salt, SECRET_LABEL, 32);
    try {
      return new Conversation(me, secret, List.of(mine, them));
    } finally {
      Arrays.fill(shared, (byte) 0);
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** A conversation whose secret was handed out (a group's); {@code me} must be among {@code members}. */
  public static Conversation of(Identity me, byte[] secret, List<PublicCard> members) {
    Conversation c = observe(me, secret, members);
    if (c.myIndex < 0) {
      throw new IllegalArgumentException("The identity is not a member of the conversation");
    }
    return c;
  }

  /**
   * A conversation {@code me} may read but never wrote in (a group epoch from before they joined, handed
   * over with the group's history): it has no own feed.
   */
  public static Conversation observe(Identity me, byte[] secret, List<PublicCard> members) {
    if (secret.length != 32) {
      throw new IllegalArgumentException("A conversation secret is 32 bytes");
    }
    return new Conversation(me, secret, members);
  }

  /** Whether {@code me} is a member (has an own feed), not only a reader. */
  public boolean isMember() {
    return myIndex >= 0;
  }

  /** The local name of this conversation (never written to the ledger). */
  public String id() {
    return id;
  }

  /** The 16 bytes {@link #id()} encodes; part of what every signature and seal binds. */
  public byte[] idBytes() {
    return idBytes.clone();
  }

  public Identity identity() {
    return me;
  }

  /** The members, in index order. */
  public List<PublicCard> members() {
    return members;
  }

  public int myIndex() {
    return myIndex;
  }

  public PublicCard me() {
    return me.card();
  }

  /** Field 0 of every slot: names the secret the receivers' copy is sealed under. */
  public byte[] epochTag() {
    return epochTag.clone();
  }

  /** The other member of a two-person conversation. */
  public PublicCard them() {
    if (members.size() != 2) {
      throw new IllegalStateException("Not a conversation of two");
    }
    return members.get(1 - myIndex);
  }

  public int indexOf(PublicCard card) {
    return members.indexOf(card);
  }

  /** The identity feed of a member: the one device 0 writes. */
  public FeedId feed(int member) {
    return feedOf(writers.get(member));
  }

  private FeedId feedOf(Writer w) {
    return new FeedId(id, w.tag(), w.member());
  }

  /** This member's own feed: its identity feed, or on a linked device that device's feed. */
  public FeedId myFeed() {
    if (mine == null) {
      throw new IllegalStateException("Not a member of this conversation, only a reader");
    }
    return feedOf(mine);
  }

  /** The feeds of every writer, own first (when a member): each member's identity feed, then its devices'. */
  public List<FeedId> feeds() {
    return feeds;
  }

  /**
   * {@link #feeds()} of {@code writers}: every operation of a group walks them, and matching each member against
   * every writer cost n² steps a call (2,500 at 50 members, twice a receive; issue 24). A stable sort by member
   * keeps each member's writers in their order: the identity feed, then its devices'.
   */
  private List<FeedId> feedsOf(List<Writer> writers, Writer mine) {
    List<Writer> others = new ArrayList<>(writers);
    others.removeIf(w -> w == mine);
    others.sort(java.util.Comparator.comparingInt(Writer::member));
    List<FeedId> out = new ArrayList<>();
    if (mine != null) {
      out.add(feedOf(mine));
    }
    for (Writer w : others) {
      out.add(feedOf(w));
    }
    return List.copyOf(out);
  }

  /** The member whose feed {@code feed} is (on any of their devices): who its messages are from. */
  public PublicCard writerOf(FeedId feed) {
    return members.get(check(feed).member());
  }

  public byte[] fingerprintOf(FeedId feed) {
    return check(feed).fingerprint().clone();
  }

  /** Whether {@code feed} is this device's own feed. */
  public boolean isMine(FeedId feed) {
    return check(feed) == mine;
  }

  /** Whether {@code feed} is another device's feed of this same member (what this person sent from elsewhere). */
  public boolean isSibling(FeedId feed) {
    Writer w = check(feed);
    return w != mine && w.member() == myIndex;
  }

  /** Whether {@code feed} is a member's identity feed (device 0's), the feed heads name (protocol §15.3). */
  public boolean isIdentityFeed(FeedId feed) {
    return check(feed).device() == 0;
  }

  /**
   * Where {@code feed} stops counting, for a revoked device's feed (protocol §15.7): the first message that does
   * not count. Empty for every other feed.
   */
  public java.util.Optional<org.reschat.core.spi.LocalState.Position> endOf(FeedId feed) {
    return java.util.Optional.ofNullable(check(feed).end());
  }

  /** The device that writes {@code feed}: 0 for an identity feed. */
  public int deviceOf(FeedId feed) {
    return check(feed).device();
  }

  /** Whether {@code signature} is {@code feed}'s writer's Ed25519 signature of {@code message}. */
  public boolean verify(FeedId feed, byte[] message, byte[] signature) {
    return check(feed).signingKey().verify(message, signature); // the point decoded once per writer
  }

  /** The ledger key of page {@code number} of {@code feed}. */
  public String pageKey(FeedId feed, long number) {
    if (number < 1 || number > MAX_PAGE_NUMBER) {
      throw new IllegalArgumentException("Page numbers run from 1 to " + MAX_PAGE_NUMBER + ", not " + number);
    }
    Writer w = check(feed);
    return keys.get(w.tag(), number, LedgerKeys.PAGE_KEY, () -> ledgerKey(ByteBuffer.allocate(PAGE_KEY_LABEL.length + 32 + 8)
        .put(PAGE_KEY_LABEL).put(w.fingerprint()).putLong(number).array()));
  }

  /**
   * The ledger key of record {@code index} (0-based) of page {@code number} of {@code feed} (protocol §4.8): its
   * own label, so a record key is unlinkable to the page's key and to every other record's, as page keys are.
   */
  public String recordKey(FeedId feed, long number, int index) {
    if (number < 1 || number > MAX_PAGE_NUMBER || index < 0 || index >= PageLimits.SLOTS_PER_PAGE) {
      throw new IllegalArgumentException("Records are numbered page 1 to " + MAX_PAGE_NUMBER + ", index 0 to "
          + (PageLimits.SLOTS_PER_PAGE - 1) + ", not " + number + "/" + index);
    }
    Writer w = check(feed);
    return keys.get(w.tag(), number, index, () -> ledgerKey(ByteBuffer.allocate(RECORD_KEY_LABEL.length + 32 + 8 + 1)
        .put(RECORD_KEY_LABEL).put(w.fingerprint()).putLong(number).put((byte) index).array()));
  }

  private String ledgerKey(byte[] info) {
    return KvKeys.requireValid(KEY_PREFIX + Base64Url.encode(derive(info, 16)));
  }

  /** Page and record keys derived in this process so far (tests count what a path derives; never a limit). */
  public static long keysDerived() {
    return LedgerKeys.derived();
  }

  /**
   * Seals secrets for the members of this conversation only (a group epoch's secret handed to one
   * member, under the secret of the pair): never the same key as pages or messages.
   */
  public OneTimeKeyAead secretWraps() {
    return new OneTimeKeyAead(secret, WRAP_LABEL);
  }

  /** Seals whole pages on the ledger. */
  public OneTimeKeyAead envelopes() {
    return envelopes;
  }

  /** Seals the receivers' copy of each message (field 5), committed to its one-time key. */
  public OneTimeKeyAead messages() {
    return messages;
  }

  /**
   * Seals the sender's copy (field 4): the one-time key, under a secret only this member derives from its
   * self seed, keyed with field 5's salt.
   */
  public OneTimeKeyAead senderCopies() {
    return senderCopies;
  }

  /** Opens the receivers' copy of a slot of version 2 (not committing). */
  public OneTimeKeyAead legacyMessages() {
    return legacyMessages;
  }

  /** Opens the sender's copy of a slot of version 2 (under the self secret from before the self seed). */
  public OneTimeKeyAead legacySenderCopies() {
    return legacySenderCopies;
  }

  private Writer check(FeedId feed) {
    Writer w = feed.conversation().equals(id) ? byTag.get(feed.writer()) : null;
    if (w == null || w.member() != feed.member()) {
      throw new IllegalArgumentException("Feed " + feed + " is not part of conversation " + id);
    }
    return w;
  }

  /** HKDF(secret, "", info, length), its extract step done once per conversation (a page key is asked for often). */
  private byte[] derive(byte[] info, int length) {
    return Hkdf.expand(namePrk, info, length);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public String toString() {
    return "Conversation[" + id + ", " + members.size() + " members]";
  }
}
