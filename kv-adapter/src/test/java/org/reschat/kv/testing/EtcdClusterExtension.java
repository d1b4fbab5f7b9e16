package org.reschat.kv.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real etcd cluster for one test class: started before its first test (the class is skipped where etcd is not
 * installed), emptied before each test, stopped after the last. Register it as a static field:
 * {@code @RegisterExtension static final EtcdClusterExtension etcd = new EtcdClusterExtension(3);}.
 */
public final class EtcdClusterExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  private final int members;
  private EtcdCluster cluster;

  public EtcdClusterExtension(int members) {
    this.members = members;
  }

  /** The running cluster (inside a test). */
  public EtcdCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException("the cluster starts before the class's first test");
    }
    return cluster;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    assumeTrue(EtcdCluster.installed(), EtcdCluster.NOT_INSTALLED);
    cluster = EtcdCluster.start(members);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    cluster().deleteAllKeys();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }
}
