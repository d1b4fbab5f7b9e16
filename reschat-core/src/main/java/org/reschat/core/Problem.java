package org.reschat.core;

import java.util.Objects;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRejectedException;
import org.reschat.kv.KvStorageException;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.KvUnconfirmedException;

/**
 * Why a call could not use the store as it wanted: a kind a program can act on, and one sentence for
 * people. What a {@link SendResult}, {@link Update} or {@link History} carries instead of failing, because
 * nothing was lost (a message queued, a verified copy shown). Immutable.
 *
 * @param kind what happened
 * @param sentence one sentence saying so, without ledger keys
 */
public record Problem(Kind kind, String sentence) {

  /** What happened. */
  public enum Kind {
    /** No endpoint or file could serve the call: try again later. */
    UNAVAILABLE,
    /** The store did not answer in time: try again later. */
    TIMEOUT,
    /** A write was accepted but never became visible in time: it is sent again. */
    UNCONFIRMED,
    /** The store refused the request (malformed, or full): it will not succeed as it is. */
    REJECTED,
    /** The local ledger file failed (disk full, read-only, not a ledger). */
    STORAGE,
    /** The store holds something that is not a value where a page was expected. */
    CORRUPT,
    /** The profile is opened read-only, so nothing is published from it. */
    READ_ONLY,
    /** Another device of this identity changed its feed in a way that contradicts this one: nothing more is published from here. */
    FORKED
  }

  public Problem {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(sentence, "sentence");
  }

  /** The problem a store failure is. */
  public static Problem of(KvException e) {
    Kind kind = e instanceof KvTimeoutException ? Kind.TIMEOUT
        : e instanceof KvUnconfirmedException ? Kind.UNCONFIRMED
        : e instanceof KvRejectedException ? Kind.REJECTED
        : e instanceof KvStorageException ? Kind.STORAGE
        : e instanceof KvCorruptValueException ? Kind.CORRUPT
        : e instanceof KvUnavailableException ? Kind.UNAVAILABLE : Kind.UNAVAILABLE;
    return new Problem(kind, e.getMessage());
  }

  @Override
  public String toString() {
    return sentence;
  }
}
