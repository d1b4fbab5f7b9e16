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

    // A clock that moves a millisecond per reading, so Bob's reply is never stamped in the same
    // millisecond as Alice's message (equal times are ordered by writer tag, not by who spoke first).
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis());
    java.time.Clock clock = new java.time.Clock() {
      @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
      @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public java.time.Instant instant() { return java.time.Instant.ofEpochMilli(now.incrementAndGet()); }
    };
    try (KvStore store = KvStores.open("embedded:" + dir.resolve("ledger.db"));
        ChatClient alice = ChatClient.builder().identity(aliceKeys).store(store).clock(clock).build();
        ChatClient bob = ChatClient.builder().identity(bobKeys).store(store).clock(clock).build()) {
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
