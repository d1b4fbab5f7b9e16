package org.reschat.core.internal.requests;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.spi.LocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * The once-per-contact request check runs after every send (issue 24): once the record shows a contact
 * queued or introduced, a send no longer locks, reads or parses the record for them, until a queued
 * request may be due. Counted calls to the local state, never time.
 */
class IntroduceCostTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  /** An in-memory state that counts the calls made to it, by name ("lock:requests" for that lock). */
  private LocalState counting(LocalState real) {
    return (LocalState) Proxy.newProxyInstance(LocalState.class.getClassLoader(), new Class<?>[] {LocalState.class},
        (proxy, method, args) -> {
          String name = method.getName() + (method.getName().equals("lock") ? ":" + args[0] : "");
          calls.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private int count(String name) {
    AtomicInteger n = calls.get(name);
    return n == null ? 0 : n.get();
  }

  @Test
  void aContactAlreadyQueuedCostsASendNoLookAtTheRecordUntilTheRequestIsDue() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(counting(new InMemoryLocalState()))
        .clock(clock).build()) {
      alice.send(ChatId.direct(b.card()), "first"); // Bob has not written: a request is queued
      assertThat(count("saveRequests")).isEqualTo(1);
      calls.clear();
      for (int i = 0; i < 20; i++) {
        clock.advance(Duration.ofSeconds(10));
        alice.send(ChatId.direct(b.card()), "more " + i);
      }
      assertThat(count("lock:requests")).as("the record's lock").isZero();
      assertThat(count("requests")).as("reads of the record").isZero();
      assertThat(count("saveRequests")).isZero();
      clock.advance(MessageRequests.MAX_DELAY); // now it is due: the next send posts it
      alice.send(ChatId.direct(b.card()), "later");
      assertThat(count("saveRequests")).as("posted, and recorded as such").isEqualTo(1);
      calls.clear();
      alice.send(ChatId.direct(b.card()), "after that");
      assertThat(count("requests") + count("lock:requests") + count("saveRequests")).isZero();
    }
  }

  @Test
  void aContactWhoWroteFirstCostsASendNothingAfterTheFirstLook() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    try (ChatClient bob = ChatClient.builder().identity(b).store(store).localState(new InMemoryLocalState())
            .clock(clock).build();
        ChatClient alice = ChatClient.builder().identity(a).store(store).localState(counting(new InMemoryLocalState()))
            .clock(clock).build()) {
      bob.send(ChatId.direct(a.card()), "hello");
      alice.update(ChatId.direct(b.card()));
      alice.send(ChatId.direct(b.card()), "first");
      int before = count("newestPage");
      alice.send(ChatId.direct(b.card()), "second");
      int perSend = count("newestPage") - before;
      before = count("newestPage");
      alice.send(ChatId.direct(b.card()), "third");
      assertThat(count("newestPage") - before).isEqualTo(perSend);
      assertThat(count("requests") + count("lock:requests") + count("saveRequests")).isZero();
    }
  }
}
