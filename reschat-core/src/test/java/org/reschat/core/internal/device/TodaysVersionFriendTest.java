package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.Update;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A friend on today's version (protocol §15.9), who reads no device list: stood in for by a client whose store
 * hides every value of Alice's list, so it knows device 0 only, as today's version does. It keeps chatting with
 * Alice's first device both ways with no warning; what her linked device writes it does not see; the notice is a
 * message of a type it can name ("LINKED_DEVICES"), which today's version shows as one it cannot show. (This
 * version, unlike today's, also reads the notice and so says the hidden list is withheld: the one warning.)
 */
class TodaysVersionFriendTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  /** The store as Bob's client sees it: Alice's device list is nowhere. */
  private final Set<String> hidden = new HashSet<>();
  private final TestClients oldClients = new TestClients(new ForwardingKvStore(store) {
    @Override
    public Optional<String> get(String key) throws KvException {
      return hidden.contains(key) ? Optional.empty() : super.get(key);
    }
  }, clock);

  TodaysVersionFriendTest() {
    for (int n = 1; n <= 64; n++) {
      hidden.add(DeviceLog.key(alice.card(), n));
    }
  }

  @AfterEach
  void close() {
    clients.close();
    oldClients.close();
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(Message::text).toList();
  }

  @Test
  void aFriendWhoReadsNoDeviceListKeepsChattingWithTheFirstDeviceWithoutAWarning() throws Exception {
    List<PublicCard> bobOnly = List.of(bob.card());
    List<PublicCard> aliceOnly = List.of(alice.card());
    ChatClient phone = clients.client(alice, new InMemoryLocalState(), () -> bobOnly);
    ChatClient b = oldClients.client(bob, new InMemoryLocalState(), () -> aliceOnly);
    ChatId toBob = ChatId.direct(bob.card());
    ChatId toAlice = ChatId.direct(alice.card());
    phone.send(toBob, "before the link");
    b.update(toAlice);

    TestClients.Linked linked = clients.link(phone, "laptop");
    ChatClient laptop = clients.client(linked.identity(), linked.state(), () -> bobOnly);

    phone.send(toBob, "from the phone");
    laptop.send(toBob, "from the laptop");
    Update atBob = b.update(toAlice);
    // This version reads the notice and says the list is withheld (the stand-in hides it); today's version reads
    // no notices. Nothing else is wrong: device 0's pages pass every check of a feed, as before the link.
    assertThat(atBob.warnings()).allMatch(w -> w.detail().contains("list of devices"));
    assertThat(texts(atBob.received())).contains("from the phone").doesNotContain("from the laptop");
    assertThat(atBob.received()).anyMatch(m -> m.type().equals("LINKED_DEVICES"));
    assertThat(b.devices().of(alice.card())).hasSize(1); // device 0 only, as today's version knows her

    b.send(toAlice, "still here");
    Update atPhone = phone.update(toBob);
    assertThat(atPhone.warnings()).isEmpty();
    assertThat(texts(atPhone.received().stream().filter(m -> m.direction() == Message.Direction.RECEIVED).toList()))
        .containsExactly("still here"); // and the laptop's message, as sent by this person
    assertThat(texts(laptop.update(toBob).received())).contains("still here");
    assertThat(b.history(toAlice, HistoryRequest.all()).messages()).noneMatch(m -> m.text().equals("from the laptop"));
  }
}
