package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.identity.Identity;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * Issue 24's promise for groups, counted in bytes written to the ledger (never timed): in a group of three, a page of
 * twenty 100-character messages written as signed records and closed costs at most 1,000 bytes a message, where
 * rewriting the tail page at each send (a member whose client does not read records) costs every version of it. The
 * figures are printed for protocol §4.9.
 */
class GroupRecordBytesTest {
  private static final String HUNDRED = "x".repeat(100);

  /** Bytes Alice writes for her page 2's twenty messages, in a group of three where Carol shows records or not. */
  private static long page2Bytes(boolean carolReadsRecords) throws Exception {
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    Identity c = TestIdentities.named("carol");
    RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
    try (TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L))) {
      ChatClient alice = clients.client(a);
      ChatClient bob = clients.client(b);
      ChatClient carol = clients.client(c);
      TestClients.groups(carol).showsRecords(carolReadsRecords);
      Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
      bob.update(ChatId.direct(a.card()));
      carol.update(ChatId.direct(a.card()));
      for (ChatClient m : List.of(bob, carol, alice)) {
        Groups groups = TestClients.groups(m);
        groups.update(groups.find(g.id()).orElseThrow());
      }
      Groups groups = TestClients.groups(alice);
      for (int i = 0; i < 19; i++) { // page 1: her notice and 19 messages
        groups.send(groups.find(g.id()).orElseThrow(), HUNDRED);
      }
      store.takeCalls();
      for (int i = 0; i < 20; i++) {
        groups.send(groups.find(g.id()).orElseThrow(), HUNDRED);
      }
      List<RecordingKvStore.Call> calls = store.takeCalls();
      List<RecordingKvStore.Call> writes = calls.stream().filter(RecordingKvStore.Call::wrote).toList();
      System.out.printf("group of 3, %s: %d writes, the first %d bytes%n", carolReadsRecords ? "records" : "pages",
          writes.size(), writes.get(0).valueLength());
      // One write a message either way; with records, the closing page once more (its twentieth message).
      assertThat(writes).hasSize(carolReadsRecords ? 21 : 20);
      assertThat(calls).as("a send reads nothing, and no write is refused").hasSameSizeAs(writes);
      return writes.stream().mapToLong(RecordingKvStore.Call::valueLength).sum();
    }
  }

  @Test
  void twentyGroupMessagesAsSignedRecordsCostAtMostAThousandBytesEach() throws Exception {
    long records = page2Bytes(true);
    long rewrites = page2Bytes(false);
    System.out.printf("group of 3, ledger bytes per 20 messages: records and closing page %d (%d a message);"
        + " tail rewrites %d (%d a message)%n", records, records / 20, rewrites, rewrites / 20);
    assertThat(records / 20).isLessThanOrEqualTo(1_000);
    assertThat(records).isLessThan(rewrites / 4);
  }
}
