package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A ledger key (a page's or a slot record's, protocol §4.8) is derived once per client and kept: a live receive asked
 * for the record it polls three times (the batched pass, the poll that finds it, the poll of the next one), and at a
 * page boundary for twenty record keys twice, each time an HKDF expansion. Counted, not timed.
 */
class LedgerKeysDerivedOnceTest {
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
  void sendsAndLiveReceivesOfRecordsDeriveEachKeyOncePerClient() throws Exception {
    ChatId toBob = ChatId.direct(b.card());
    ChatId toAlice = ChatId.direct(a.card());
    RecordsChatSteps.aliceFillsHerFirstPage(alice, bob); // her page 2 begins as records
    long before = Conversation.keysDerived();
    for (int i = 0; i < 30; i++) { // the rest of page 2 as records, page 2 closed, ten records of page 3
      alice.send(toBob, "record " + i);
      assertThat(bob.update(toAlice).received()).extracting(Message::text).containsExactly("record " + i);
    }
    // Each client derives a key it uses once: Alice the record she writes (and her next page's key once), Bob the
    // record after those he holds (and, past a closed page, the next page's twenty record keys and its key, once).
    // Before, Bob derived each record key about three times and the keys of a page boundary twice, Alice her page key
    // at every send: 278 here.
    assertThat(Conversation.keysDerived() - before).as("keys derived by 30 sends and their receives")
        .isLessThanOrEqualTo(30 + 30 + 21 + 4);
  }
}
