package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A copy of a device that holds nothing of a chat (the keys restored alone, protocol §4.8) learns that its friend
 * reads version 5 from the pages it reads, in the same call that follows the friend's open records: its first
 * history and its first receive show every message, the newest written as records too.
 */
class FreshCopyReadsRecordsTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = clients.client(b);
  private final ChatId toBob = ChatId.direct(b.card());
  private final ChatId toAlice = ChatId.direct(a.card());

  @AfterEach
  void close() {
    clients.close();
  }

  /** What Alice sent, the last three written as records on her page 2 (page 1 holds her notice and 18 more). */
  private List<String> aliceWritesRecords() throws Exception {
    RecordsChatSteps.exchangeNotices(alice, bob); // both read version 5
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      alice.send(toBob, "message " + i);
      sent.add("message " + i);
    }
    return sent;
  }

  private static List<String> texts(List<Message> messages, String sender) {
    return messages.stream().filter(m -> m.text().startsWith(sender)).map(Message::text).toList();
  }

  @Test
  void itsFirstHistoryShowsTheOpenRecordsToo() throws Exception {
    List<String> sent = aliceWritesRecords();
    ChatClient copy = clients.client(b);
    assertThat(texts(copy.history(toAlice, HistoryRequest.all()).messages(), "message")).isEqualTo(sent);
  }

  @Test
  void itsFirstReceiveShowsTheOpenRecordsToo() throws Exception {
    List<String> sent = aliceWritesRecords();
    ChatClient copy = clients.client(b);
    assertThat(texts(copy.update(toAlice).received(), "message")).isEqualTo(sent);
    assertThat(copy.update(toAlice).received()).isEmpty();
  }
}
