package org.reschat.kv.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvVersion;
import org.reschat.kv.testing.KvStoreContract;

class MemoryKvStoreTest extends KvStoreContract {
  @Override
  protected KvStore newStore() {
    return new MemoryKvStore();
  }

  @Test
  void keepsEveryVersionInWriteOrder() throws KvException {
    MemoryKvStore memory = (MemoryKvStore) store;
    memory.put("k", "one");
    memory.put("other", "x");
    memory.put("k", "two");
    assertThat(memory.history("k")).extracting(KvVersion::value).containsExactly("one", "two");
    assertThat(memory.history("k").get(0).sequence()).isLessThan(memory.history("k").get(1).sequence());
    assertThat(memory.history("none")).isEmpty();
  }
}
