package org.reschat.kv;

import java.util.List;

/**
 * A store that keeps every version of every key, like a ledger. {@link #get} returns the newest version.
 * ResilientDB keeps versions too, but its HTTP service has no history route, so only the embedded and
 * in-memory stores implement this.
 */
public interface VersionedKvStore extends KvStore {

  /** Every version of {@code key}, oldest first; empty when the key was never written. */
  List<KvVersion> history(String key) throws KvException;
}
