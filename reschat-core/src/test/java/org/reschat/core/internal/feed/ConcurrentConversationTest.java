package org.reschat.core.internal.feed;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.memory.MemoryKvStore;

/** Two people sending at the same time never lose a message, and see the same conversation. */
class ConcurrentConversationTest {
  private static final int EACH = 200;

  @Test
  void twoHundredEachAtOnceThroughTheMemoryStore() throws Exception {
    exchange(new MemoryKvStore());
  }

  @Test
  void twoHundredEachAtOnceThroughTheEmbeddedStore(@TempDir Path dir) throws Exception {
    try (KvStore store = KvStores.open("embedded:" + dir.resolve("ledger.db"))) {
      exchange(store);
    }
  }

  private void exchange(KvStore store) throws Exception {
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(new InMemoryLocalState()).build();
        ChatClient bob = ChatClient.builder().identity(b).store(store).localState(new InMemoryLocalState()).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> runs = new ArrayList<>();
      runs.add(pool.submit(() -> sendAll(alice, b, "a", start)));
      runs.add(pool.submit(() -> sendAll(bob, a, "b", start)));
      start.countDown();
      for (Future<?> f : runs) {
        f.get(5, TimeUnit.MINUTES);
      }
      pool.shutdown();

      List<Message> seenByAlice = alice.history(ChatId.direct(b.card()), HistoryRequest.all()).messages();
      List<Message> seenByBob = bob.history(ChatId.direct(a.card()), HistoryRequest.all()).messages();
      assertThat(seenByAlice).hasSize(2 * EACH);
      assertThat(ids(seenByAlice)).isEqualTo(ids(seenByBob));
      assertThat(seenByAlice).allMatch(m -> m.status() == Message.Status.CONFIRMED);
      for (String who : List.of("a", "b")) {
        List<String> own = seenByBob.stream().map(Message::text).filter(t -> t.startsWith(who)).collect(Collectors.toList());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
          expected.add(who + i);
        }
        assertThat(own).isEqualTo(expected);
      }
    }
  }

  private static Void sendAll(ChatClient from, Identity to, String prefix, CountDownLatch start) throws Exception {
    start.await();
    for (int i = 0; i < EACH; i++) {
      assertThat(from.send(ChatId.direct(to.card()), prefix + i).confirmed()).isTrue();
    }
    return null;
  }

  private static List<String> ids(List<Message> messages) {
    return messages.stream().map(Message::id).collect(Collectors.toList());
  }
}
