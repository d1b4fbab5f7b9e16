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
 * A reader of an open record page (protocol §4.8) reads from its local state only the records it has not kept itself:
 * each live receive read every record kept of the page again (up to twenty local reads, a file each on a profile) to
 * go on from them. Counted, not timed; a second client on the same state still reads what the first one kept.
 */
class KeptRecordsReadOnceTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L));
  private final InMemoryLocalState bobsState = new InMemoryLocalState();
  private final AtomicInteger keptRecordReads = new AtomicInteger();
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = clients.client(b, RecordsChatSteps.countingKeptRecordReads(bobsState, keptRecordReads));

  @AfterEach
  void close() {
    clients.close();
  }


  @Test
  void aLiveReceiveReadsFromTheLocalStateOnlyTheRecordsItDidNotKeepItself() throws Exception {
    ChatId toBob = ChatId.direct(b.card());
    ChatId toAlice = ChatId.direct(a.card());
    RecordsChatSteps.aliceFillsHerFirstPage(alice, bob); // her page 2 begins as records
    int before = keptRecordReads.get();
    for (int i = 0; i < 15; i++) {
      alice.send(toBob, "record " + i);
      assertThat(bob.update(toAlice).received()).extracting(Message::text).containsExactly("record " + i);
    }
    // At most one look past those kept per receive (what another process of the profile may have kept since): 9 here.
    // Before, each receive read every record kept of the open page again: 37 here.
    assertThat(keptRecordReads.get() - before).as("kept records read from Bob's state by 15 receives")
        .isLessThanOrEqualTo(15);

    // Another client of Bob's profile (another process) keeps nothing in memory: it reads what the first one kept.
    try (ChatClient secondBob = clients.client(b, bobsState)) {
      alice.send(toBob, "to the second");
      assertThat(secondBob.update(toAlice).received()).extracting(Message::text).containsExactly("to the second");
    }
    alice.send(toBob, "back to the first");
    assertThat(bob.update(toAlice).received()).extracting(Message::text).containsExactly("back to the first");
  }
}
