package org.reschat.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
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

    try (KvStore store = KvStores.open("embedded:" + dir.resolve("ledger.db"));
        ChatClient alice = ChatClient.builder().identity(aliceKeys).store(store).build();
        ChatClient bob = ChatClient.builder().identity(bobKeys).store(store).build()) {
      SendResult sent = alice.send(bobCard, "Hi Bob, this is on a ledger.");
      assertThat(sent.confirmed()).isTrue();

      Update update = bob.update(aliceCard);
      for (Message m : update.received()) {
        assertThat(m.text()).isEqualTo("Hi Bob, this is on a ledger.");
        assertThat(m.sender()).isEqualTo(aliceCard);
      }
      assertThat(update.received()).hasSize(1);

      bob.send(aliceCard, "Hi Alice!");
      assertThat(alice.history(bobCard, HistoryRequest.newest(HistoryRequest.DEFAULT_PAGES)).messages())
          .extracting(Message::text).containsExactly("Hi Bob, this is on a ledger.", "Hi Alice!");
    }
  }
}
