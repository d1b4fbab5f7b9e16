package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A record kept here (protocol §4.8) is kept opened by the client that kept it, written or read: each operation on
 * an open record page goes over every record of it, and opening one is an envelope decryption and a parse, so a
 * page's twentieth message cost twenty openings on each side. Counted, not timed.
 */
class KeptRecordsOpenedOnceTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = clients.client(b);

  @AfterEach
  void close() {
    clients.close();
  }

  @Test
  void eachRecordKeptIsOpenedAtMostOnceBySendsAndLiveReceives() throws Exception {
    ChatId toBob = ChatId.direct(b.card());
    ChatId toAlice = ChatId.direct(a.card());
    RecordsChatSteps.aliceFillsHerFirstPage(alice, bob); // her page 2 begins as records
    long before = HeldRecords.opens();
    int records = 0;
    for (int i = 0; i < 15; i++) {
      alice.send(toBob, "record " + i);
      assertThat(bob.update(toAlice).received()).extracting(Message::text).containsExactly("record " + i);
      records++;
    }
    assertThat(records).isEqualTo(15);
    // Before: every operation opened each record of the open page again (hundreds over these 15 pairs); a record
    // kept is kept opened, whether this client wrote it or read it.
    assertThat(HeldRecords.opens() - before).as("kept records opened by 15 sends and their receives").isZero();
  }
}
