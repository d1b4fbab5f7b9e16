package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.QueuedRecords;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A send on an open record page (protocol §4.8) appends its record to the outbox value it queued before without
 * splitting that value into its records again, nor the new one to publish it (issue 24): each send split both,
 * copying and looking up every record before its own. Counted, not timed; another client of the same profile,
 * which queued nothing itself, still goes on after the records queued, and the reader gets every message.
 */
class SendSplitsNoQueuedValueTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L));
  private final InMemoryLocalState alicesState = new InMemoryLocalState();
  private final ChatClient alice = clients.client(a, alicesState);
  private final ChatClient bob = clients.client(b);

  @AfterEach
  void close() {
    clients.close();
  }

  @Test
  void aSendSplitsNoValueItQueuedItself() throws Exception {
    ChatId toBob = ChatId.direct(b.card());
    ChatId toAlice = ChatId.direct(a.card());
    RecordsChatSteps.exchangeNotices(alice, bob); // both read version 5
    for (int i = 0; i < 12; i++) { // Alice's page 1 holds her notice; page 2 begins as records
      alice.send(toBob, "filling " + i);
    }
    alice.send(toBob, "first record");
    long before = QueuedRecords.splits();
    for (int i = 0; i < 15; i++) {
      alice.send(toBob, "record " + i);
    }
    // Before: two per send on the open page (the value queued before, and the new one to publish it): 17 here.
    assertThat(QueuedRecords.splits() - before).as("queued values split by 15 sends on an open page").isZero();
    assertThat(bob.update(toAlice).received()).extracting(Message::text).hasSize(12 + 1 + 15);

    // Another client of Alice's profile keeps nothing in memory: it splits what is queued, and goes on after it.
    try (ChatClient secondAlice = clients.client(a, alicesState)) {
      secondAlice.send(toBob, "from the second");
    }
    alice.send(toBob, "back to the first");
    assertThat(bob.update(toAlice).received()).extracting(Message::text)
        .containsExactly("from the second", "back to the first");
  }
}
