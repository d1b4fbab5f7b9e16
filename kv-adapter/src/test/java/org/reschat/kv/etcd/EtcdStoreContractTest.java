package org.reschat.kv.etcd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.testing.EtcdCluster;
import org.reschat.kv.testing.KvStoreContract;

/** The shared store contract, on a real three-member etcd cluster (skipped when etcd is not installed). */
@org.junit.jupiter.api.Tag("slow") // real etcd processes: left out by mvn -Pfast
class EtcdStoreContractTest extends KvStoreContract {
  private static EtcdCluster cluster;

  @BeforeAll
  static void startCluster() {
    assumeTrue(EtcdCluster.installed(), EtcdCluster.NOT_INSTALLED);
    cluster = EtcdCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected boolean storeCorrupt(String key) {
    cluster.rawPut(key, new byte[] {(byte) 0xff, (byte) 0xfe}); // not UTF-8
    return true;
  }

  @Override
  protected KvStore newStore() throws Exception {
    cluster.deleteAllKeys();
    return KvStores.open(cluster.storeSpec());
  }
}
