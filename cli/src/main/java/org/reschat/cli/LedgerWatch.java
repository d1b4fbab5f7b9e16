package org.reschat.cli;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStore;
import org.reschat.kv.PutIfUnchanged;

/**
 * The switch that turns the store's change hints off: {@code -Dreschat.push=off} gives plain polling, for
 * comparison and troubleshooting. The chat engine then reads at every poll interval.
 */
public final class LedgerWatch {
  static final String SWITCH = "reschat.push";

  private LedgerWatch() {}

  /** {@code store} as the chat client should see it: without change hints when the switch says so. */
  static KvStore applySwitch(KvStore store) {
    if (!"off".equals(System.getProperty(SWITCH))) {
      return store;
    }
    return new ForwardingKvStore(store) {
      @Override
      public Map<String, KvRead> getAll(Collection<String> keys) throws KvException {
        return delegate().getAll(keys); // reads are untouched: only the hints go
      }

      @Override
      public PutIfUnchanged putIfUnchanged(String key, Optional<String> expected, String value) throws KvException {
        return delegate().putIfUnchanged(key, expected, value); // and writes too
      }

      @Override
      public Optional<ChangeNotifier> changes() {
        return Optional.empty();
      }
    };
  }
}
