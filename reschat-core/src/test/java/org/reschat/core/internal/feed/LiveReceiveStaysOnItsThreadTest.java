package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A live receive of a direct chat reads the store on the caller's thread: its first reads (this device's page and
 * the friend's next one) went to the engine's loader pool as two jobs, and a hand-off of a job that small costs more
 * CPU in wake-ups than the job itself (issue 24, live receive). Now read together, in one request to the store.
 * Counted, not timed: the threads that read, and the requests.
 */
class LiveReceiveStaysOnItsThreadTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Set<String> readers = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean watching;
  private final TestClients clients = new TestClients(watched(new MemoryKvStore()), TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = clients.client(b);

  @AfterEach
  void close() {
    clients.close();
  }

  /** {@code store}, noting which threads read it and how many read requests it got while {@link #watching}. */
  private KvStore watched(KvStore store) {
    return (KvStore) Proxy.newProxyInstance(KvStore.class.getClassLoader(), new Class<?>[] {KvStore.class},
        (proxy, method, args) -> {
          if (watching && (method.getName().equals("get") || method.getName().equals("getAll"))) {
            readers.add(Thread.currentThread().getName());
            requests.incrementAndGet();
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void liveReceivesReadTheStoreOnTheCallersThreadOnly() throws Exception {
    ChatId toBob = ChatId.direct(b.card());
    ChatId toAlice = ChatId.direct(a.card());
    RecordsChatSteps.exchangeNotices(alice, bob); // both read version 5: Alice's page 1 whole, then records
    int receives = 25; // page 1 filled, then records, a page closed by them among them
    for (int i = 0; i < receives; i++) {
      alice.send(toBob, "m" + i);
      watching = true;
      assertThat(bob.update(toAlice).received()).extracting(Message::text).containsExactly("m" + i);
      watching = false;
    }
    assertThat(readers).as("threads that read the store for Bob's live receives")
        .containsExactly(Thread.currentThread().getName());
    // Per receive one request: the first reads together with the friend's next record and the one after it (§4.8);
    // before, the records took two more (38 requests here, then 28). At the page boundary, the receive that fills her
    // page 1 reads page 2's key with its record keys after the first batch; the first record of page 2 is in the first
    // batch (28 before: the page key alone, then again with the record keys; 26 now).
    assertThat(requests.get()).as("read requests of %d live receives", receives).isLessThanOrEqualTo(receives + 1);
  }
}
