package org.reschat.core.feed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.identity.Identity;
import org.reschat.core.page.PageCodec;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

class SmokeTest {
  @Test
  void twoPeopleTalk() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).build();
        ChatClient bob = ChatClient.builder().identity(b).store(store).build()) {
      String text = "x".repeat(100);
      for (int i = 0; i < 25; i++) {
        assertThat(alice.send(b.card(), i + text.substring(String.valueOf(i).length())).confirmed()).isTrue();
      }
      bob.send(a.card(), "hello alice");
      History h = bob.history(a.card(), HistoryRequest.all());
      assertThat(h.messages()).hasSize(26);
      assertThat(h.warnings()).isEmpty();
      String page1 = store.get(alice.conversationWith(b.card()).myFeed().key(1)).orElseThrow();
      System.out.println("full page bytes: " + PageCodec.utf8Length(page1));
      assertThat(bob.update(a.card()).received()).hasSize(25);
      assertThat(bob.update(a.card()).received()).isEmpty();
    }
  }
}
