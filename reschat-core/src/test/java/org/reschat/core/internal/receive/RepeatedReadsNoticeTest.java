package org.reschat.core.internal.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.ReadsRecord;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A hostile friend who writes {@code PAIR_READS} again and again (protocol §4.7, §4.8) cannot make each of the
 * victim's receives read the chat twice: a direct chat reads again only where a notice completed who reads records,
 * as a group's epoch and the self channel do; that one still brings the open records in the same receive. Counted
 * with the keys Bob's client asks of the ledger, not timed.
 */
class RepeatedReadsNoticeTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final CountingStore bobsStore = new CountingStore(store);
  private final TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
  private final TestClients bobsClients = new TestClients(bobsStore, TestClients.ticking(1_800_000_000_000L));
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final ChatId toBob = ChatId.direct(b.card());
  private final ChatId toAlice = ChatId.direct(a.card());
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = bobsClients.client(b);

  @AfterEach
  void close() {
    bobsClients.close();
    clients.close();
  }

  /** Alice's notice once more, as her client writes it: one message in her feed, never shown. */
  private void aliceRepeatsHerNotice() throws Exception {
    ConversationEngine engine = (ConversationEngine) TestClients.conversations(alice);
    byte[][] notice = ReadsRecord.notice();
    engine.send(engine.currentWith(b.card()), ReadsRecord.TYPE, notice[0], notice[1]);
  }

  /** The keys Bob's client reads in one receive of the chat; what it shows is passed to {@code shown}. */
  private int keysOfAReceive(List<Message> shown) throws Exception {
    bobsStore.reset();
    shown.addAll(bob.update(toAlice).received());
    return bobsStore.keysRead();
  }

  @Test
  void aFriendsRepeatedNoticesCostAReceiveNoMoreThanTheirTextsDo() throws Exception {
    bob.send(toAlice, "hi"); // Bob writes first, then each reads the other's notice: both follow records
    alice.update(toBob);
    bob.update(toAlice);
    alice.update(toBob);
    bob.update(toAlice);
    int ofTexts = 0;
    int ofNotices = 0;
    List<Message> shown = new ArrayList<>();
    for (int i = 0; i < 10; i++) { // alternating, so page boundaries fall on both alike
      alice.send(toBob, "text " + i);
      ofTexts += keysOfAReceive(shown);
      aliceRepeatsHerNotice();
      ofNotices += keysOfAReceive(shown);
    }
    assertThat(shown).extracting(Message::text).containsExactly(
        IntStream.range(0, 10).mapToObj(i -> "text " + i).toArray(String[]::new));
    // Before, each receive that read a notice read the chat once more: about twice a text's keys.
    assertThat(ofNotices).as("keys read by 10 receives of a repeated notice, against %d for 10 texts", ofTexts)
        .isLessThanOrEqualTo(ofTexts);
  }

  @Test
  void theNoticeThatCompletesWhoReadsRecordsStillBringsTheOpenRecordsInTheSameReceive() throws Exception {
    alice.send(toBob, "one");
    bob.update(toAlice); // Bob's notice: Alice wrote
    alice.update(toBob); // Alice's notice: both have shown version 5 in her view, so she writes records
    List<String> sent = new ArrayList<>(List.of("one"));
    for (int i = 0; i < 21; i++) { // page 1 (begun whole) stays whole; the last ones are records of her page 2
      alice.send(toBob, "message " + i);
      sent.add("message " + i);
    }
    // Bob learns of Alice's notice only now, from her page 1: the same receive reads her open records too.
    assertThat(bob.update(toAlice).received()).extracting(Message::text).containsExactlyElementsOf(sent.subList(1, 22));
    assertThat(bob.update(toAlice).received()).isEmpty();
  }
}
