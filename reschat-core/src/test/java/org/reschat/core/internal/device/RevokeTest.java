package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.DeviceException;
import org.reschat.core.DeviceInfo;
import org.reschat.core.Event;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Revoking a device (protocol §15.7): every reader (a friend who read it before, a fresh one, a group member,
 * the first device) shows what it wrote before the revocation and nothing it writes after, in every
 * conversation; it cannot certify itself again; and its own client refuses to send once it has read the news.
 */
class RevokeTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Identity carol = TestIdentities.named("carol");
  private ChatClient phone;
  private ChatClient laptop;
  private ChatClient b;
  private ChatClient c;
  private ChatId.Group trip;

  @BeforeEach
  void aliceLinkedHerLaptopAndItWrote() throws Exception {
    phone = client(alice, new InMemoryLocalState(), bob.card(), carol.card());
    b = client(bob, new InMemoryLocalState(), alice.card());
    c = client(carol, new InMemoryLocalState(), alice.card());
    trip = phone.groups().create("trip", List.of(bob.card(), carol.card()));
    b.update(ChatId.direct(alice.card()));
    c.update(ChatId.direct(alice.card()));
    TestClients.Linked linked = clients.link(phone, "laptop");
    laptop = client(linked.identity(), linked.state(), bob.card(), carol.card());
    for (int i = 0; i < 3; i++) {
      laptop.send(ChatId.direct(bob.card()), "before " + i);
      laptop.send(trip, "group before " + i);
    }
    assertThat(texts(received(b))).contains("before 0", "before 2", "group before 2"); // Bob has read it all
  }

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, InMemoryLocalState state, PublicCard... friends) {
    List<PublicCard> cards = List.of(friends);
    return clients.client(id, state, () -> cards);
  }

  private static List<Message> received(ChatClient client) throws Exception {
    List<Message> out = new ArrayList<>();
    client.receiver().receive(Receiver.Scope.everything(), e -> {
      if (e instanceof Event.MessageReceived m) {
        out.add(m.message());
      }
    });
    return out;
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text).toList();
  }

  @Test
  void aRevokedDeviceWritingOnIsIgnoredByEveryReaderInEveryConversation() throws Exception {
    DeviceInfo revoked = phone.devices().revoke(1);
    assertThat(revoked.revoked()).isTrue();
    // The laptop has not read the news yet and writes on (or a thief writes with it).
    for (int i = 0; i < 3; i++) {
      laptop.send(ChatId.direct(bob.card()), "after " + i);
      laptop.send(trip, "group after " + i);
    }
    // Bob, who read the laptop before: the notice is read before anything after the cut is delivered.
    List<Message> atBob = received(b);
    assertThat(atBob).extracting(Message::type).contains("LINKED_DEVICES");
    assertThat(texts(atBob)).noneMatch(t -> t.contains("after"));
    assertThat(texts(b.history(ChatId.direct(alice.card()), HistoryRequest.all()).messages()))
        .containsExactly("before 0", "before 1", "before 2");
    // A fresh reader, a group member, and the first device: the same.
    ChatClient freshBob = client(bob, new InMemoryLocalState(), alice.card());
    assertThat(texts(freshBob.history(ChatId.direct(alice.card()), HistoryRequest.all()).messages()))
        .containsExactly("before 0", "before 1", "before 2");
    assertThat(texts(c.history(trip, HistoryRequest.all()).messages()))
        .containsExactly("group before 0", "group before 1", "group before 2");
    assertThat(texts(received(c))).noneMatch(t -> t.contains("after"));
    assertThat(texts(phone.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()))
        .containsExactly("before 0", "before 1", "before 2");
    assertThat(texts(phone.history(trip, HistoryRequest.all()).messages()))
        .containsExactly("group before 0", "group before 1", "group before 2");
    assertThat(b.devices().of(alice.card())).extracting(DeviceInfo::number, DeviceInfo::revoked)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, false), org.assertj.core.groups.Tuple.tuple(1, true));
  }

  @Test
  void aRevokedDeviceCannotCertifyItselfAgainAndItsClientStopsSendingOnceItKnows() throws Exception {
    phone.devices().revoke(1);
    assertThatThrownBy(() -> laptop.devices().offer()).isInstanceOf(DeviceException.class);
    assertThatThrownBy(() -> laptop.devices().revoke(0)).isInstanceOf(DeviceException.class);
    assertThatThrownBy(() -> DeviceList.first(identityOf(laptop), DeviceFixtures.deviceZeroAgreement(alice), List.of()))
        .isInstanceOf(IllegalStateException.class);
    received(laptop); // it reads the phone's notice in its chats
    assertThatThrownBy(() -> laptop.send(ChatId.direct(bob.card()), "still here?"))
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.getMessage()).contains("revoked"));
    // It can still read this: Bob's client has not taken the chat's new key yet, so the phone still writes under the
    // pair secret the laptop derives (protocol §3.1; RevokedDeviceReadsTest shows what it cannot read once he has).
    phone.send(ChatId.direct(bob.card()), "after the revocation, from the phone");
    assertThat(texts(laptop.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()))
        .contains("after the revocation, from the phone");
  }

  private static Identity identityOf(ChatClient client) {
    return ((org.reschat.core.internal.feed.LedgerChatClient) client).identity();
  }

  @Test
  void onlyDeviceZeroRevokesAndOnlyALinkedDeviceIsRevoked() throws Exception {
    assertThatThrownBy(() -> phone.devices().revoke(0))
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.NO_SUCH_DEVICE));
    assertThatThrownBy(() -> phone.devices().revoke(7))
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.NO_SUCH_DEVICE));
    assertThatThrownBy(() -> laptop.devices().revoke(1))
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.NOT_DEVICE_ZERO));
    phone.devices().revoke(1);
    long notices = phone.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages().stream()
        .filter(m -> m.type().equals("LINKED_DEVICES")).count();
    // again: no second notice, only another self epoch (the retry of a rotation that failed)
    assertThat(phone.devices().revoke(1).revoked()).isTrue();
    assertThat(phone.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages().stream()
        .filter(m -> m.type().equals("LINKED_DEVICES")).count()).isEqualTo(notices);
    assertThat(new String(phone.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages().stream()
        .filter(m -> m.type().equals("LINKED_DEVICES")).reduce((x, y) -> y).orElseThrow().extension(), StandardCharsets.UTF_8))
        .isEqualTo("revoked a device (1 now)");
  }
  /**
   * The cut counts the records of an open page device 0 held (protocol §4.8, §15.7): cut at the newest page, the
   * laptop's messages written as records before the revocation were lost to a friend who had not read them yet.
   */
  @Test
  void whatTheRevokedDeviceWroteAsRecordsBeforeTheRevocationReachesAFriendWhoHadNotReadIt() throws Exception {
    for (int round = 0; round < 2; round++) { // each device of both writes its notice and reads the others'
      for (ChatClient each : List.of(laptop, phone, b)) {
        received(each);
      }
    }
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      sent.add("record " + i);
      laptop.send(ChatId.direct(bob.card()), sent.get(i));
    }
    org.reschat.core.internal.feed.ConversationEngine engine = ((org.reschat.core.internal.feed.LedgerChatClient) laptop)
        .engine();
    org.reschat.core.internal.conversation.Conversation chat = engine.withDevices(engine.currentWith(bob.card()));
    assertThat(store.get(chat.recordKey(chat.myFeed(), 2, 0))).as("the laptop's page 2 is records").isPresent();
    assertThat(texts(received(phone))).containsAll(sent); // device 0 read them all before it revokes
    phone.devices().revoke(1);
    // Bob reads the records and the notice with its cut in one pass. (A reader that has read the revocation before
    // the records holds tagged ones back, as §4.8 says of an epoch closed mid-page: nothing signed commits to them.)
    assertThat(texts(received(b))).containsAll(sent);
  }
}
