package org.reschat.kv.resilientdb;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.reschat.kv.KvStore;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.testing.KvStoreContract;
import org.reschat.kv.testing.ResilientDbCluster;

/** The shared store contract, over HTTP to two emulated endpoints of one cluster. */
class ResilientDbStoreContractTest extends KvStoreContract {
  private ResilientDbCluster cluster;

  @Override
  protected KvStore newStore() {
    cluster = ResilientDbCluster.startWithBlockUpdates(2);
    cluster.nodes().forEach(n -> n.failOverlapping(true));
    return ResilientDbStore.builder()
        .endpoints(cluster.urls())
        // 8 threads share two endpoints that carry one request at a time: on a loaded machine a put can wait
        // seconds for its turn, so the confirm window is wide (racing writers wait it out: about 8 s in all).
        .options(StoreOptions.builder().readTimeout(Duration.ofSeconds(5)).confirmTimeout(Duration.ofSeconds(10)).build())
        .build();
  }

  @Override
  protected boolean storeCorrupt(String key) {
    cluster.rawPut(key, "garbage");
    return true;
  }

  @Override
  protected boolean watchNamesKeys() {
    return false; // the block hint names no key
  }

  @Override
  protected boolean racingWritersMayBeUnconfirmed() {
    return true;
  }

  @Override
  protected boolean comparesAtomically() {
    return false; // no conditional write over HTTP: a read, then a put
  }

  @AfterEach
  void stopCluster() {
    cluster.close();
  }
}
