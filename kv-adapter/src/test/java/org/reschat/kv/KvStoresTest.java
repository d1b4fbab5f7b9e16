package org.reschat.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.resilientdb.ResilientDbStore;

class KvStoresTest {
  @TempDir Path dir;

  @Test
  void opensEachKindOfStore() throws KvException {
    try (KvStore s = KvStores.open("memory:")) {
      assertThat(s).isInstanceOf(MemoryKvStore.class);
    }
    try (KvStore s = KvStores.open("embedded:" + dir.resolve("l.db"))) {
      assertThat(s).isInstanceOf(EmbeddedStore.class);
      assertThat(s.describe()).contains(dir.resolve("l.db").toString());
    }
    try (KvStore s = KvStores.open("resilientdb:http://127.0.0.1:18000, http://127.0.0.2:18000/")) {
      assertThat(s).isInstanceOf(ResilientDbStore.class);
      assertThat(s.describe()).isEqualTo("ResilientDB at http://127.0.0.1:18000/, http://127.0.0.2:18000/");
      assertThat(s.maxConcurrentReads()).isEqualTo(2);
    }
    try (KvStore s = KvStores.open("etcd:http://127.0.0.1:2379,http://127.0.0.2:2379")) {
      assertThat(s).isInstanceOf(org.reschat.kv.etcd.EtcdStore.class);
      assertThat(s.describe()).isEqualTo("etcd at http://127.0.0.1:2379/, http://127.0.0.2:2379/");
      assertThat(s.changes()).isPresent();
    }
  }

  /**
   * Whose writes are local transactions (see {@link KvStore#writesAreLocalTransactions}): the embedded ledger's and
   * memory's; not a network store's, where a write that timed out may land later; not a decorator's unless it says so.
   */
  @Test
  void onlyTheLocalStoresSayTheirWritesAreLocalTransactions() throws KvException {
    try (KvStore memory = KvStores.open("memory:"); KvStore embedded = KvStores.open("embedded:" + dir.resolve("l.db"));
        KvStore resilientDb = KvStores.open("resilientdb:http://127.0.0.1:18000");
        KvStore etcd = KvStores.open("etcd:http://127.0.0.1:2379")) {
      assertThat(memory.writesAreLocalTransactions()).isTrue();
      assertThat(embedded.writesAreLocalTransactions()).isTrue();
      assertThat(resilientDb.writesAreLocalTransactions()).isFalse();
      assertThat(etcd.writesAreLocalTransactions()).isFalse();
      assertThat(new ForwardingKvStore(memory) {}.writesAreLocalTransactions()).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "sqlite:/tmp/x", "embeded:/tmp/x", "embedded:", "memory:x",
      "resilientdb:", "resilientdb:localhost:18000", "resilientdb:ftp://x", "resilientdb:http://a:1,http://a:1",
      "resilientdb:http://a:1?x=1", "/tmp/ledger.db", "etcd:", "etcd:127.0.0.1:2379"})
  void badSpecsListTheValidForms(String spec) {
    assertThatThrownBy(() -> KvStores.open(spec)).isInstanceOf(InvalidStoreSpecException.class)
        .hasMessageContaining("embedded:PATH").hasMessageContaining("resilientdb:http://HOST:18000")
        .hasMessageContaining("etcd:http://HOST:2379").hasMessageContaining("memory:");
  }

  @Test
  void optionsRejectNonsense() {
    assertThatThrownBy(() -> StoreOptions.builder().maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreOptions.builder().readTimeout(java.time.Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readTimeout");
  }
}
