package org.reschat.kv.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A ledger of one kind for a test run on several: {@code "memory"}, {@code "sqlite"} (the embedded ledger, a file in
 * the test's directory) or {@code "etcd"} (a real three-member cluster; the test is skipped where etcd is not
 * installed). Closing it closes the store and stops what it started.
 */
public final class TestLedger implements AutoCloseable {
  private final KvStore store;
  private final EtcdCluster cluster;

  private TestLedger(KvStore store, EtcdCluster cluster) {
    this.store = store;
    this.cluster = cluster;
  }

  public static TestLedger open(String kind, Path dir) throws Exception {
    switch (kind) {
      case "memory":
        return new TestLedger(new MemoryKvStore(), null);
      case "sqlite":
        return new TestLedger(EmbeddedStore.open(dir.resolve("ledger.db")), null);
      case "etcd":
        assumeTrue(EtcdCluster.installed(), EtcdCluster.NOT_INSTALLED);
        EtcdCluster cluster = EtcdCluster.start(3);
        try {
          return new TestLedger(KvStores.open(cluster.storeSpec()), cluster);
        } catch (Exception | Error e) {
          cluster.close();
          throw e;
        }
      default:
        throw new IllegalArgumentException("no test ledger of kind " + kind);
    }
  }

  public KvStore store() {
    return store;
  }

  @Override
  public void close() {
    try {
      store.close();
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }
}
