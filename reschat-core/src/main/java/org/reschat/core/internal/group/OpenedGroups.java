package org.reschat.core.internal.group;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.reschat.core.LocalStateException;

/**
 * The groups a client opened last, each with the sealed text it was opened from. A group's state is read at every
 * send and receive, and opening it (an AEAD over the whole state, then JSON naming every member by card) cost more
 * than the page path itself. A group is taken from here only when the text the local state holds now is, character
 * for character, the text it was opened from (same id: the id is the seal's associated data): opening is a
 * function of the two, so the result is the same. Whoever changes the state (this client, another process of the
 * profile, a restored backup) writes another text, freshly sealed, which is opened again; nothing here depends on
 * when or by whom a file was written. {@link Group} is immutable, so one instance serves every caller.
 * Bounded: the {@link #MAX_KEPT} used last, and no text over {@link #MAX_TEXT_CHARS} (opened every time).
 */
final class OpenedGroups {
  static final int MAX_KEPT = 32;
  static final int MAX_TEXT_CHARS = 1 << 20;

  /** How a text is opened when it is not kept: {@link GroupStore#open}'s decryption and parse. */
  interface Opener {
    Group open(String id, String sealed) throws LocalStateException;
  }

  private record Opened(String sealed, Group group) {}

  /** Texts opened since start, in this process: a count for tests (how often a path opens a state), never a limit. */
  private static final AtomicLong OPENS = new AtomicLong();

  private final Map<String, Opened> kept = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Opened> eldest) {
      return size() > MAX_KEPT;
    }
  };

  /** The group {@code sealed} holds under {@code id}: the one kept for this very text, or {@code opener}'s. */
  Group open(String id, String sealed, Opener opener) throws LocalStateException {
    synchronized (kept) {
      Opened o = kept.get(id);
      if (o != null && o.sealed().equals(sealed)) {
        return o.group();
      }
    }
    OPENS.incrementAndGet();
    Group g = opener.open(id, sealed); // a text that fails to open throws, and is tried again next time
    if (sealed.length() <= MAX_TEXT_CHARS) {
      synchronized (kept) {
        kept.put(id, new Opened(sealed, g));
      }
    }
    return g;
  }

  /** How many texts were opened (not found kept) in this process. */
  static long opens() {
    return OPENS.get();
  }
}
