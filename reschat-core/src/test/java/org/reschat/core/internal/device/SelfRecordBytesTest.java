package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * Issue 24's promise for the self channel (protocol §15.6), counted in bytes the ledger is sent (never timed): a
 * receive pass that delivers a friend's message on a phone with a linked laptop tells the laptop how far it read
 * ({@code SELF_READ}); once both devices have shown they read slot records (protocol §15.6, "In records"), twenty
 * such changes cost the phone at most 1,000 bytes each: 17,912 in all, where rewriting the tail page cost 76,812. The
 * figure is printed for the protocol and the README.
 */
class SelfRecordBytesTest {
  private final MemoryKvStore memory = new MemoryKvStore();
  /** The phone's writes only: the friend and the laptop write through {@link #memory} itself. */
  private final RecordingKvStore phoneStore = new RecordingKvStore(memory);
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients shared = new TestClients(memory, clock);
  private final TestClients phones = new TestClients(phoneStore, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");

  @AfterEach
  void close() {
    phones.close();
    shared.close();
  }

  @Test
  void twentyReadPositionsToldCostAtMostAThousandLedgerBytesEach() throws Exception {
    ChatClient phone = phones.client(alice, new InMemoryLocalState(), () -> List.of(bob.card()));
    TestClients.Linked linked = phones.link(phone, "laptop");
    ChatClient laptop = shared.client(linked.identity(), linked.state(), () -> List.of(bob.card()));
    ChatClient friend = shared.client(bob, new InMemoryLocalState(), () -> List.of(alice.card()));
    ChatId toAlice = ChatId.direct(alice.card());
    friend.send(toAlice, "hi");
    receive(phone);
    receive(laptop);
    receive(friend);
    for (int i = 0; i < 20; i++) { // the phone's first page of the self channel, begun whole, fills (§4.8)
      deliverOne(friend, phone);
      receive(laptop);
    }
    phoneStore.takeCalls();
    long bytes = 0;
    int writes = 0;
    for (int i = 0; i < 20; i++) {
      friend.send(toAlice, "message " + i);
      clock.advance(java.time.Duration.ofSeconds(1));
      phoneStore.takeCalls();
      assertThat(receive(phone)).isEqualTo(1);
      for (RecordingKvStore.Call c : phoneStore.takeCalls()) {
        if (c.wrote()) {
          bytes += c.valueLength();
          writes++;
        }
      }
    }
    System.out.printf("self channel, 20 SELF_READ changes on a two-device identity: %d writes, %d bytes (%d a"
        + " change)%n", writes, bytes, bytes / 20);
    assertThat(writes).as("one record a change, and the page whole once when it closes").isEqualTo(21);
    assertThat(bytes / 20).isLessThanOrEqualTo(1_000);
  }

  private void deliverOne(ChatClient friend, ChatClient phone) throws Exception {
    friend.send(ChatId.direct(alice.card()), "filling");
    clock.advance(java.time.Duration.ofSeconds(1));
    assertThat(receive(phone)).isEqualTo(1);
  }

  private static int receive(ChatClient client) throws Exception {
    return client.receiver().receive(Receiver.Scope.everything(), e -> { }).messages();
  }
}
