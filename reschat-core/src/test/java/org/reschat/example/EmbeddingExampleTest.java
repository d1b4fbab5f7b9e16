package org.reschat.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.Receiver;
import org.reschat.core.SendResult;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;

/** The README's embedding example, using nothing but the public API (this package is outside the core). */
class EmbeddingExampleTest {
  @Test
  void readmeExample(@TempDir Path dir) throws Exception {
    Identity aliceKeys = Identity.generate(new SecureRandom());
    Identity bobKeys = Identity.generate(new SecureRandom());
    PublicCard bobCard = PublicCard.parse(bobKeys.card().toString()); // what Bob pastes to Alice
    PublicCard aliceCard = PublicCard.parse(aliceKeys.card().toString());
    List<String> bobSaw = new ArrayList<>();

    // README: Embedding
    try (KvStore store = KvStores.open("embedded:" + dir.resolve("ledger.db"));
        ChatClient alice = ChatClient.builder().identity(aliceKeys).store(store).inMemoryState()
            .contacts(() -> List.of(bobCard)).build();
        ChatClient bob = ChatClient.builder().identity(bobKeys).store(store).inMemoryState()
            .contacts(() -> List.of(aliceCard)).build()) {
      SendResult sent = alice.send(ChatId.direct(bobCard), "Hi Bob, this is on a ledger.");
      assertThat(sent.confirmed()).isTrue();

      bob.receiver().receive(Receiver.Scope.everything(), event -> {
        if (event instanceof Event.MessageReceived received) {
          bobSaw.add(received.message().text());
        }
      });
      bob.send(ChatId.direct(aliceCard), "Hi Alice!");

      assertThat(alice.history(ChatId.direct(bobCard), HistoryRequest.newest(2)).messages())
          .extracting(Message::text).containsExactly("Hi Bob, this is on a ledger.", "Hi Alice!");
    }
    // end
    assertThat(bobSaw).containsExactly("Hi Bob, this is on a ledger.");
  }
}
