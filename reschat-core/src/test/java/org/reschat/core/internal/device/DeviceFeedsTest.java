package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.PageFixtures;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * One feed per device (protocol §15.3): two devices of one person sending at the same moment never write the
 * same page, and every reader (the other device, a friend, a group) merges them into one timeline, the same
 * order for everyone, with no fork and no warning.
 */
class DeviceFeedsTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity laptop = DeviceFixtures.linked(alice, 1, "alice laptop");
  private final Identity bob = TestIdentities.named("bob");
  private final Identity carol = TestIdentities.named("carol");

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, org.reschat.core.identity.PublicCard... friends) {
    List<org.reschat.core.identity.PublicCard> cards = List.of(friends);
    return clients.client(id, new InMemoryLocalState(), () -> cards);
  }

  /** Each client sends {@code count} messages at once, from threads released together. */
  private static void sendAtOnce(ChatId chat, int count, ChatClient... senders) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(senders.length);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int s = 0; s < senders.length; s++) {
        ChatClient sender = senders[s];
        String name = "device " + s;
        done.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < count; i++) {
            assertThat(sender.send(chat, name + " message " + i).confirmed()).isTrue();
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<String> ids(History h) {
    return h.messages().stream().map(Message::id).toList();
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(Message::text).toList();
  }

  @Test
  void twoDevicesEachSendTwentyAtOnceAndTheOtherDeviceAndAFriendSeeAllFortyOnceInOneOrder() throws Exception {
    DeviceFixtures.publishList(store, alice, "alice laptop");
    ChatClient phone = client(alice, bob.card());
    ChatClient lap = client(laptop, bob.card());
    ChatClient b = client(bob, alice.card());
    ChatId toBob = ChatId.direct(bob.card());

    sendAtOnce(toBob, 20, phone, lap);

    History atBob = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    History atPhone = phone.history(toBob, HistoryRequest.all());
    History atLaptop = lap.history(toBob, HistoryRequest.all());
    for (History h : List.of(atBob, atPhone, atLaptop)) {
      assertThat(h.warnings()).isEmpty();
      assertThat(h.messages()).hasSize(40);
      assertThat(new HashSet<>(ids(h))).hasSize(40);
      assertThat(new HashSet<>(texts(h.messages()))).hasSize(40);
      assertThat(h.messages()).allSatisfy(m -> assertThat(m.sender()).isEqualTo(alice.card()));
    }
    assertThat(ids(atPhone)).isEqualTo(ids(atBob)); // one order for everyone
    assertThat(ids(atLaptop)).isEqualTo(ids(atBob));
    assertThat(atBob.messages()).allSatisfy(m -> assertThat(m.direction()).isEqualTo(Message.Direction.RECEIVED));
    assertThat(atPhone.messages()).allSatisfy(m -> assertThat(m.direction()).isEqualTo(Message.Direction.SENT));
    assertThat(atLaptop.messages()).allSatisfy(m -> assertThat(m.direction()).isEqualTo(Message.Direction.SENT));
    // Each device's own messages stay in the order it sent them.
    for (String device : List.of("device 0", "device 1")) {
      List<String> own = texts(atBob.messages()).stream().filter(t -> t.startsWith(device)).toList();
      assertThat(own).isEqualTo(java.util.stream.IntStream.range(0, 20).mapToObj(i -> device + " message " + i).toList());
    }
    // Two feeds of Alice's, and no fork: every version of every page of each extends the one before.
    List<DeviceList.Device> linked = new DeviceLog(store).read(alice.card(), java.util.Optional.empty()).newest()
        .orElseThrow().linked();
    Conversation ab = Conversation.pair(alice, bob.card()).withDevices(java.util.Map.of(alice.card(), linked));
    List<FeedId> alices = ab.feeds().stream().filter(f -> ab.writerOf(f).equals(alice.card())).toList();
    assertThat(alices).hasSize(2);
    for (FeedId feed : alices) {
      List<Page> versions = new ArrayList<>();
      for (org.reschat.kv.KvVersion v : store.history(ab.pageKey(feed, 1))) {
        versions.add(org.reschat.core.internal.page.PageVerifier.openAndVerify(ab, feed, 1, ab.pageKey(feed, 1), v.value()));
      }
      assertThat(versions).hasSize(20); // one write per message
      for (int i = 1; i < versions.size(); i++) {
        assertThat(versions.get(i - 1).isPrefixOf(versions.get(i))).isTrue();
      }
    }
  }

  @Test
  void theReceiverDeliversEachDevicesMessagesOnceToTheFriendAndToTheOtherDevice() throws Exception {
    DeviceFixtures.publishList(store, alice, "alice laptop");
    ChatClient phone = client(alice, bob.card());
    ChatClient lap = client(laptop, bob.card());
    ChatClient b = client(bob, alice.card());
    sendAtOnce(ChatId.direct(bob.card()), 20, phone, lap);
    b.send(ChatId.direct(alice.card()), "hello both");

    List<Message> atBob = received(b);
    assertThat(atBob).hasSize(40);
    assertThat(received(b)).isEmpty(); // once
    List<Message> atLaptop = received(lap);
    assertThat(texts(atLaptop)).hasSize(21).contains("hello both").doesNotContain("device 1 message 0");
    assertThat(atLaptop.stream().filter(m -> m.text().startsWith("device 0"))).hasSize(20)
        .allSatisfy(m -> assertThat(m.direction()).isEqualTo(Message.Direction.SENT));
    assertThat(received(lap)).isEmpty();
  }

  private static List<Message> received(ChatClient c) throws Exception {
    List<Message> out = new ArrayList<>();
    List<FeedWarning> warnings = new ArrayList<>();
    c.receiver().receive(Receiver.Scope.everything(), e -> {
      if (e instanceof Event.MessageReceived m) {
        out.add(m.message());
      } else if (e instanceof Event.Warning w) {
        warnings.add(w.warning());
      }
    });
    assertThat(warnings).isEmpty();
    return out;
  }

  @Test
  void inAGroupEveryMemberAndBothDevicesSeeAllFortyInOneOrder() throws Exception {
    DeviceFixtures.publishList(store, alice, "alice laptop");
    ChatClient phone = client(alice, bob.card(), carol.card());
    ChatClient b = client(bob, alice.card());
    ChatClient c = client(carol, alice.card());
    ChatId.Group group = phone.groups().create("trip", List.of(bob.card(), carol.card()));
    b.update(ChatId.direct(alice.card())); // the invitations
    c.update(ChatId.direct(alice.card()));
    InMemoryLocalState laptopState = new InMemoryLocalState();
    // What linking hands the new device: the group's state, sealed under the self seed both devices hold.
    org.reschat.core.spi.LocalState phoneState = ((org.reschat.core.internal.feed.LedgerChatClient) phone).engine().state();
    laptopState.saveGroup(group.id(), phoneState.group(group.id()).orElseThrow());
    ChatClient lap = clients.client(laptop, laptopState, () -> List.of(bob.card(), carol.card()));

    sendAtOnce(group, 20, phone, lap);
    b.send(group, "bob was here");

    List<History> all = new ArrayList<>();
    for (ChatClient reader : List.of(b, c, phone, lap)) {
      all.add(reader.history(group, HistoryRequest.all()));
    }
    for (History h : all) {
      assertThat(h.warnings()).isEmpty();
      assertThat(h.messages()).hasSize(41);
      assertThat(new HashSet<>(ids(h))).hasSize(41);
      assertThat(ids(h)).isEqualTo(ids(all.get(0)));
    }
    assertThat(all.get(2).messages().stream().filter(m -> m.sender().equals(alice.card())))
        .allSatisfy(m -> assertThat(m.direction()).isEqualTo(Message.Direction.SENT));
  }

  @Test
  void aDeviceLinkedAfterAFriendReadTheListIsReadWithinTenMinutes() throws Exception {
    ChatClient phone = client(alice, bob.card());
    ChatClient b = client(bob, alice.card());
    phone.send(ChatId.direct(bob.card()), "before");
    assertThat(received(b)).hasSize(1); // Bob reads Alice's list: she has none (device 0 only)
    DeviceFixtures.publishList(store, alice, "alice laptop");
    ChatClient lap = client(laptop, bob.card());
    lap.send(ChatId.direct(bob.card()), "from the laptop");
    assertThat(received(b)).isEmpty(); // not read again yet (a notice, protocol §15.4, will say so at once)
    clock.advance(Duration.ofMinutes(10));
    assertThat(texts(received(b))).containsExactly("from the laptop");
  }

  @Test
  void aPageSomeoneElseWritesIntoALinkedDevicesFeedIsAForgery() throws Exception {
    DeviceFixtures.publishList(store, alice, "alice laptop");
    ChatClient lap = client(laptop, bob.card());
    ChatClient b = client(bob, alice.card());
    for (int i = 0; i < 3; i++) {
      lap.send(ChatId.direct(bob.card()), "laptop " + i);
    }
    assertThat(b.history(ChatId.direct(alice.card()), HistoryRequest.all()).messages()).hasSize(3);
    // Bob holds the conversation secret, so he can seal a page at the laptop's key for page 2; he cannot sign
    // as the laptop. Alice's identity key cannot either: the laptop's feed verifies under the laptop's key alone.
    Conversation ba = Conversation.pair(bob, alice.card());
    Conversation seen = ba.withDevices(java.util.Map.of(alice.card(),
        List.of(new DeviceList.Device(1, DeviceFixtures.publicKeys("alice laptop"), 1, 0))));
    FeedId laptopFeed = seen.feeds().stream().filter(f -> seen.deviceOf(f) == 1).findFirst().orElseThrow();
    String next = seen.pageKey(laptopFeed, 2);
    store.put(next, Envelope.seal(ba, next, PageFixtures.pages(ba, 3).get(0)));
    History h = client(bob, alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(h.warnings()).extracting(FeedWarning::kind).containsExactly(FeedWarning.Kind.FORGED);
    assertThat(texts(h.messages())).containsExactly("laptop 0", "laptop 1", "laptop 2");
    // A page signed with Alice's identity key (her identity feed's) does not verify in the laptop's feed either.
    Page alices = PageFixtures.pages(Conversation.pair(alice, bob.card()), 3).get(0);
    store.put(next, Envelope.seal(ba, next, alices));
    h = client(bob, alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(h.warnings()).extracting(FeedWarning::kind).containsExactly(FeedWarning.Kind.FORGED);
    assertThat(texts(h.messages())).containsExactly("laptop 0", "laptop 1", "laptop 2");
  }

  @Test
  void aLinkedDeviceNeverSignsForTheIdentity() throws Exception {
    DeviceFixtures.publishList(store, alice, "alice laptop");
    ChatClient lap = client(laptop, bob.card());
    assertThat(laptop.deviceNumber()).isEqualTo(1);
    assertThat(alice.deviceNumber()).isZero();
    // Refused before anything is signed or written, as a group error naming the first device.
    assertThatThrownBy(() -> lap.groups().create("trip", List.of(bob.card())))
        .isInstanceOf(org.reschat.core.GroupException.class).hasMessageContaining("first device");
  }
}
