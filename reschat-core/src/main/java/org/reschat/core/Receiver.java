package org.reschat.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.reschat.kv.KvException;

/**
 * Receives for every chat of a profile at once: direct chats with its {@linkplain
 * org.reschat.core.spi.Contacts contacts}, its groups, message requests, join requests to groups it
 * administers, and followed public channels. What is new arrives as {@link Event}s.
 *
 * <h2>Order</h2>
 * Within one pass: first what this identity's other devices changed ({@link Event.FromOtherDevice}, protocol
 * §15.6; in every pass that is not limited to the keys a notification named, whatever its scope, and only
 * while the identity has linked devices); then direct chats in contact order (each chat's messages oldest first, then its warnings, then
 * the state of own queued messages); then groups, those joined in this pass included (invitations arrive in
 * direct chats), each followed by its join requests; then followed channels; then message requests.
 *
 * <h2>Once</h2>
 * A chat's messages are delivered once: how far they were delivered is kept in the local state, and moves
 * only after the listener has returned for that chat's events. A crash inside the listener delivers those
 * messages again after a restart (never loses them); {@link Message#id()} is stable for telling them apart.
 *
 * <h2>Reads</h2>
 * A pass reads only the keys each chat's feeds write next, all chats in one batch ({@link
 * org.reschat.kv.KvStore#getAll}), and runs the full verified read only for chats whose keys show something
 * new. {@link #follow} re-reads only the chats whose keys a change notification names (when the store names
 * keys), and everything at the interval otherwise.
 *
 * <h2>Threads</h2>
 * {@link #receive} runs on the caller's thread, and passes of one client never overlap (a second caller
 * waits). {@link #follow} calls its listener on a thread of its own, one event at a time. A listener must
 * not throw; if it does, the event's chat is not marked delivered and the exception propagates (from
 * {@code receive}) or stops the following (reported as {@link Subscription#failure()}).
 */
public interface Receiver {

  /** Gets each event, in the order above. */
  @FunctionalInterface
  interface Listener {
    void onEvent(Event event);
  }

  /** Which chats a pass covers. */
  final class Scope {
    private static final Scope EVERYTHING = new Scope(null);
    private final ChatId only;

    private Scope(ChatId only) {
      this.only = only;
    }

    /** Every chat, message requests and followed channels. */
    public static Scope everything() {
      return EVERYTHING;
    }

    /** One chat (and, for a group this person administers, its join requests); nothing else is marked delivered. */
    public static Scope only(ChatId chat) {
      return new Scope(Objects.requireNonNull(chat, "chat"));
    }

    public Optional<ChatId> chat() {
      return Optional.ofNullable(only);
    }

    public boolean covers(ChatId chat) {
      return only == null || only.equals(chat);
    }

    public boolean everythingElse() {
      return only == null;
    }
  }

  /**
   * What one pass found, for a caller's exit status.
   *
   * @param messages messages delivered
   * @param security whether any warning was a security problem
   * @param stillQueued own messages still queued after the pass
   * @param storeReads keys read from the store in the pass
   */
  record Summary(int messages, boolean security, int stillQueued, int storeReads) {}

  /**
   * One pass over {@code scope}, delivering to {@code listener} before returning.
   *
   * @throws KvException when the store cannot be read (chats delivered before that stay delivered)
   */
  Summary receive(Scope scope, Listener listener) throws KvException, LocalStateException;

  /**
   * Receives on a thread of its own until the subscription is closed: a pass at once, then whenever the
   * store hints at a change, and at least every {@code interval}. A store that cannot be read is reported
   * as {@link Event.StoreUnreachable} and read again later; any other failure stops the following.
   */
  default Subscription follow(Scope scope, Duration interval, Listener listener) {
    return follow(scope, interval, DEFAULT_PUSH_FALLBACK.compareTo(interval) > 0 ? DEFAULT_PUSH_FALLBACK : interval,
        listener);
  }

  /**
   * As {@link #follow(Scope, Duration, Listener)}, choosing how long to wait between full passes while the
   * store is pushing notifications ({@code whilePushing}); notifications may be lost, so there is always one.
   */
  Subscription follow(Scope scope, Duration interval, Duration whilePushing, Listener listener);

  /** How long a following waits for a notification before reading everything anyway, by default. */
  Duration DEFAULT_PUSH_FALLBACK = Duration.ofSeconds(30);

  /** A running {@link #follow}. */
  interface Subscription extends AutoCloseable {
    /** Passes completed so far. */
    long passes();

    /** Why the following stopped on its own, if it did. */
    Optional<Exception> failure();

    /** Stops the following and waits for its thread; no event is delivered after this returns. Idempotent. */
    @Override
    void close();
  }
}
