package org.reschat.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.kv.memory.MemoryKvStore;

class CountingKvStoreTest {
  @Test
  void aBatchIsCountedOnceAndItsKeysApart() throws Exception {
    CountingKvStore counting = new CountingKvStore(new MemoryKvStore());
    counting.put("a", "1");
    counting.get("a");
    counting.getAll(List.of("a", "b", "c", "a"));
    counting.getAll(List.of("d"));
    CountingKvStore.Counts counts = counting.counts();
    assertThat(counts.reads()).isEqualTo(1);
    assertThat(counts.batches()).isEqualTo(2);
    assertThat(counts.batchKeys()).isEqualTo(4);
    assertThat(counts.readRequests()).as("the get and the two batches").isEqualTo(3);
    assertThat(counts.writes()).isEqualTo(1);
  }
}
