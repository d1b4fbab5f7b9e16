package org.reschat.core.conversation;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Hkdf;
import org.reschat.core.crypto.Sha;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.page.PageLimits;

/**
 * What two people share: ids both compute from the X25519 shared secret of their keys, so the names on
 * the ledger are opaque. Whoever reads the ledger sees random-looking keys, not which two cards talk.
 *
 * <p>Derivation (all HKDF-SHA256, domain-separated):
 * <pre>
 * lo, hi   = the two cards' 64 key bytes, in unsigned byte order
 * salt     = SHA-256("reschat/v1 conversation" ‖ lo ‖ hi)
 * id       = HKDF(ikm = X25519 shared secret, salt, info = "reschat/v1 conversation id", 16 bytes)
 * tag(W)   = HKDF(ikm, salt, info = "reschat/v1 writer tag" ‖ W's 64 key bytes, 8 bytes)
 * </pre>
 * Immutable.
 */
public final class Conversation {
  private static final byte[] SALT_LABEL = utf8("reschat/v1 conversation");
  private static final byte[] ID_LABEL = utf8("reschat/v1 conversation id");
  private static final byte[] TAG_LABEL = utf8("reschat/v1 writer tag");

  private final String id;
  private final PublicCard me;
  private final PublicCard them;
  private final String myTag;
  private final String theirTag;

  private Conversation(String id, PublicCard me, PublicCard them, String myTag, String theirTag) {
    this.id = id;
    this.me = me;
    this.them = them;
    this.myTag = myTag;
    this.theirTag = theirTag;
  }

  /** The conversation between {@code me} and the holder of {@code them}; both sides derive the same ids. */
  public static Conversation between(Identity me, PublicCard them) {
    PublicCard mine = me.card();
    if (mine.equals(them)) {
      throw new IllegalArgumentException("A conversation needs two different people");
    }
    byte[] a = mine.bytes();
    byte[] b = them.bytes();
    boolean mineFirst = Arrays.compareUnsigned(a, b) < 0;
    byte[] salt = Sha.sha256(SALT_LABEL, mineFirst ? a : b, mineFirst ? b : a);
    byte[] shared = me.rawSharedSecretWith(them);
    try {
      String id = Base64Url.encode(Hkdf.sha256(shared, salt, ID_LABEL, PageLimits.CONVERSATION_BYTES));
      String myTag = Base64Url.encode(Hkdf.sha256(shared, salt, concat(TAG_LABEL, a), PageLimits.TAG_BYTES));
      String theirTag = Base64Url.encode(Hkdf.sha256(shared, salt, concat(TAG_LABEL, b), PageLimits.TAG_BYTES));
      return new Conversation(id, mine, them, myTag, theirTag);
    } finally {
      Arrays.fill(shared, (byte) 0);
    }
  }

  public String id() {
    return id;
  }

  public PublicCard me() {
    return me;
  }

  public PublicCard them() {
    return them;
  }

  public String myTag() {
    return myTag;
  }

  public String theirTag() {
    return theirTag;
  }

  public FeedId myFeed() {
    return new FeedId(id, myTag);
  }

  public FeedId theirFeed() {
    return new FeedId(id, theirTag);
  }

  /** The card of the feed's writer. */
  public PublicCard writerOf(FeedId feed) {
    checkMine(feed);
    return feed.writer().equals(myTag) ? me : them;
  }

  /** The tag of the other party in {@code feed}: the receiver of its messages. */
  public String receiverTagOf(FeedId feed) {
    checkMine(feed);
    return feed.writer().equals(myTag) ? theirTag : myTag;
  }

  private void checkMine(FeedId feed) {
    if (!feed.conversation().equals(id) || !(feed.writer().equals(myTag) || feed.writer().equals(theirTag))) {
      throw new IllegalArgumentException("Feed " + feed + " is not part of conversation " + id);
    }
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
    return "Conversation[" + id + "]";
  }
}
