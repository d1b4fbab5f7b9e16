package org.reschat.core.internal.group;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.Conversation;

/**
 * The conversation of each epoch one client reads and writes, built once: a conversation derives its names and a
 * writer tag per member by HKDF and decodes every member's verifying key (for a group of 50, more than a send's
 * own signature), and a group's send and receive asked for it again at every call. A conversation is a function
 * of the identity (one per client), the epoch's secret and its members, so it is kept under exactly those two;
 * it is immutable. Bounded: the {@link #MAX_KEPT} used last.
 */
final class EpochConversations {
  static final int MAX_KEPT = 64;

  /**
   * An epoch's secret and members. Hashed by the secret alone (a group's members are 50 cards to hash at every
   * lookup); a kept group hands out the same member list each time, which equals itself at once.
   */
  private record Key(ByteBuffer secret, List<PublicCard> members) {
    @Override
    public int hashCode() {
      return secret.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && secret.equals(k.secret) && (members == k.members || members.equals(k.members));
    }
  }

  /** Conversations built since start, in this process: a count for tests, never a limit. */
  private static final AtomicLong BUILT = new AtomicLong();

  private final Identity me;
  private final Map<Key, Conversation> kept = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Conversation> eldest) {
      return size() > MAX_KEPT;
    }
  };

  EpochConversations(Identity me) {
    this.me = me;
  }

  /** {@link Group#conversation}{@code (me, e)}, the one kept when this client built it before. */
  Conversation of(Epoch e) {
    Key key = new Key(ByteBuffer.wrap(e.secret()), e.members());
    synchronized (kept) {
      Conversation c = kept.get(key);
      if (c != null) {
        return c;
      }
    }
    BUILT.incrementAndGet();
    Conversation c = Group.conversation(me, e);
    synchronized (kept) {
      kept.put(key, c);
    }
    return c;
  }

  /** How many conversations were built (not found kept) in this process. */
  static long built() {
    return BUILT.get();
  }
}
