package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * The batched receive pass (every chat's next keys in one read, {@link NextKeys}) opens the pages it holds through
 * the engine's opened pages: after each change it found, it asked each feed's newest page again for the keys to
 * remember, and opened it anew each time (an envelope decryption of up to 10 KB a feed). Counted, not timed.
 */
class BatchedPassOpensHeldPagesOnceTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = clients.client(b, new InMemoryLocalState(), () -> List.of(a.card()));

  @AfterEach
  void close() {
    clients.close();
  }

  private List<String> pass(ChatClient client) throws Exception {
    List<String> texts = new ArrayList<>();
    client.receiver().receive(Receiver.Scope.everything(), e -> {
      if (e instanceof org.reschat.core.Event.MessageReceived m) {
        texts.add(m.message().text());
      }
    });
    return texts;
  }

  @Test
  void livePassesOpenNoPageHeldTwice() throws Exception {
    ChatId toBob = ChatId.direct(b.card());
    ChatId toAlice = ChatId.direct(a.card());
    RecordsChatSteps.exchangeNotices(alice, bob); // both read version 5
    pass(bob);
    long before = FeedReader.localOpens();
    for (int i = 0; i < 25; i++) { // the rest of page 1 whole, then records, a page closed by them among them
      alice.send(toBob, "m" + i);
      assertThat(pass(bob)).containsExactly("m" + i);
    }
    // Each page held was opened when kept (read or written), never again: before, each pass opened one again (25).
    assertThat(FeedReader.localOpens() - before).as("held pages opened again by 25 live passes").isZero();
  }
}
