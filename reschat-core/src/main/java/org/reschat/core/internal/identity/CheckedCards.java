package org.reschat.core.internal.identity;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.reschat.core.InvalidCardException;

/**
 * The key pairs that passed a card's checks ({@code PublicCard.of}: a full Ed25519 point validation and an
 * X25519 agreement, about 0.2 ms together), so a card read again (a group's state names every member and is
 * read at every send and receive) is not checked again. The checks are a function of the 64 key bytes alone,
 * so a pair that passed once always passes; only passes are kept, both keys together (a good signing key with
 * a weak encryption key is another pair, checked on its own), and at most {@link #MAX_KEPT} of them, the least
 * recently used going first.
 */
public final class CheckedCards {
  static final int MAX_KEPT = 1024;

  /** The checks of a card's keys, which throw when a key is refused. */
  public interface Check {
    void run() throws InvalidCardException;
  }

  /** Checks run since start: a count for tests (how often a path checks a card's keys), never a limit. */
  private static final AtomicLong CHECKS = new AtomicLong();
  private static final Map<ByteBuffer, Boolean> PASSED = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
      return size() > MAX_KEPT;
    }
  };

  private CheckedCards() {}

  /** Runs {@code check} unless these two keys passed it before; keeps them once they pass. */
  public static void checkOnce(byte[] signingKey, byte[] encryptionKey, Check check) throws InvalidCardException {
    ByteBuffer pair = ByteBuffer.allocate(signingKey.length + encryptionKey.length).put(signingKey).put(encryptionKey)
        .flip();
    synchronized (PASSED) {
      if (PASSED.get(pair) != null) {
        return;
      }
    }
    CHECKS.incrementAndGet();
    check.run(); // outside the lock: two threads may check one new card at once, never a card already kept
    synchronized (PASSED) {
      PASSED.put(pair, Boolean.TRUE);
    }
  }

  /** How many times the checks ran in this process. */
  public static long checks() {
    return CHECKS.get();
  }
}
