package org.reschat.core.internal.page;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.spi.FeedId;

/**
 * The sender tag of an open tail page of version 4 (protocol §4.7): HMAC-SHA256 under a key only the writer's
 * identity derives (from its self seed, {@link Conversation#senderTagKey}) over a label, the conversation id, the
 * writer's fingerprint and the SHA-256 of the page up to the tag. The writer's own devices check it; the friend
 * cannot make it, nor check it: to the friend the envelope is the proof.
 */
public final class SenderTag {
  private static final byte[] LABEL = "reschat/v4 sender tag\0".getBytes(StandardCharsets.UTF_8);

  /** Tags computed in this process, made or checked: a count for tests (how often a path tags), never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong COMPUTED = new java.util.concurrent.atomic.AtomicLong();

  private SenderTag() {}

  /** How many tags this process computed so far. */
  public static long computed() {
    return COMPUTED.get();
  }

  /** The tag of {@code body} (the page up to and including its authenticator kind) written in {@code feed}. */
  static byte[] of(Conversation c, FeedId feed, byte[] body) {
    COMPUTED.incrementAndGet();
    return Hkdf.hmac(c.senderTagKey(), LABEL, c.idBytes(), c.fingerprintOf(feed), Sha.sha256(body));
  }

  /** Whether {@code tag} is this identity's tag of {@code body} in {@code feed}, compared in constant time. */
  static boolean verifies(Conversation c, FeedId feed, byte[] body, byte[] tag) {
    return MessageDigest.isEqual(of(c, feed, body), tag);
  }
}
