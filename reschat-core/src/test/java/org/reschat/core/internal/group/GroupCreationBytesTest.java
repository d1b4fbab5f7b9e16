package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * Issue 20: creating a group writes O(N) bytes, not O(N²). Counted on a recording store (characters
 * written by {@code put}), never timed.
 */
class GroupCreationBytesTest {
  private final RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
  private final TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(TestIdentities.named("alice"));

  @AfterEach
  void close() {
    clients.close();
  }

  /** Characters written to the ledger by creating a group of {@code n} (the founder and n − 1 others). */
  private long bytesToCreate(int n) throws Exception {
    List<PublicCard> people = new ArrayList<>(); // new to alice: each invitation starts a 1:1 conversation
    for (int i = 0; i < n - 1; i++) {
      people.add(TestIdentities.named("member " + i + " of " + n).card());
    }
    store.takeCalls();
    TestClients.groups(alice).create("g" + n, people);
    List<RecordingKvStore.Call> puts = store.takeCalls().stream().filter(c -> c.wrote()).toList();
    if (System.getenv("GROUP_BYTES_DEBUG") != null) {
      System.out.println(n + ": " + puts.stream().map(c -> c.valueLength()).toList());
    }
    return puts.stream().mapToLong(RecordingKvStore.Call::valueLength).sum();
  }

  @Test
  void creatingAGroupWritesBytesLinearInItsMembers() throws Exception {
    Map<Integer, Long> bytes = new LinkedHashMap<>();
    for (int n : List.of(10, 25, 50)) {
      bytes.put(n, bytesToCreate(n));
    }
    System.out.println("GroupCreationBytesTest: bytes written to create a group of n: " + bytes);
    // Linear: 50 members cost at most 5 × (10 members) + 20 %; quadratic growth would be about 25 ×.
    assertThat(bytes.get(50)).as("a group of 50 against 5 × a group of 10 (" + bytes + ")")
        .isLessThanOrEqualTo((long) (bytes.get(10) * 50 / 10 * 1.2));
    assertThat(bytes.get(50) / 50).as("ledger characters per member, a group of 50").isLessThan(1_500);
  }
}
