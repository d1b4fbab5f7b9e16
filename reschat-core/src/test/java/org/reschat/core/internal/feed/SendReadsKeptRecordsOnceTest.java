package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.spi.LocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A send on an open record page (protocol §4.8) reads from its local state only the records its client did not keep
 * itself: each send counted the records kept of its page again (up to twenty local reads, a file each on a profile).
 * Counted, not timed; a second client on the same state (another process of the profile) still goes on after what
 * the first one kept.
 */
class SendReadsKeptRecordsOnceTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L));
  private final InMemoryLocalState alicesState = new InMemoryLocalState();
  private final AtomicInteger keptRecordReads = new AtomicInteger();
  private final ChatClient alice = clients.client(a, RecordsChatSteps.countingKeptRecordReads(alicesState, keptRecordReads));
  private final ChatClient bob = clients.client(b);

  @AfterEach
  void close() {
    clients.close();
  }


  @Test
  void aSendReadsFromTheLocalStateOnlyTheRecordsItDidNotKeepItself() throws Exception {
    ChatId toBob = ChatId.direct(b.card());
    ChatId toAlice = ChatId.direct(a.card());
    RecordsChatSteps.exchangeNotices(alice, bob); // both read version 5
    for (int i = 0; i < 12; i++) { // Alice's page 1 holds her notice; page 2 begins as records
      alice.send(toBob, "filling " + i);
    }
    int before = keptRecordReads.get();
    for (int i = 0; i < 15; i++) {
      alice.send(toBob, "record " + i);
    }
    int reads = keptRecordReads.get() - before;
    // At most a look at the next place and one past it per send: 16 here. Before, each send counted every record
    // kept of its page again: 44 here.
    assertThat(reads).as("kept records read from Alice's state by 15 sends").isLessThanOrEqualTo(2 * 15);
    assertThat(bob.update(toAlice).received()).extracting(Message::text).hasSize(15 + 12);

    // Another client of Alice's profile (another process) keeps nothing in memory: it goes on after what she kept.
    try (ChatClient secondAlice = clients.client(a, alicesState)) {
      secondAlice.send(toBob, "from the second");
    }
    alice.send(toBob, "back to the first");
    assertThat(bob.update(toAlice).received()).extracting(Message::text)
        .containsExactly("from the second", "back to the first");
  }
}
