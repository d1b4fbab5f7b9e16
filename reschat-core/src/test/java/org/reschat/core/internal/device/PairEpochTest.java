package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.PairRotate;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.internal.feed.LedgerChatClient;
import org.reschat.core.internal.page.MessageText;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A direct chat's epochs (protocol §3.1) as every reader sees them after Alice revokes her tablet: her laptop
 * (still linked) takes the new epoch from the {@code PAIR_ROTATE} sealed to its device key, writes and reads there;
 * Bob's history is one chat across both epochs, on his profile and on a fresh one; a friend on today's version,
 * who cannot open the new epoch, keeps chatting in the old one, and Alice's client keeps writing there for him.
 */
class PairEpochTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final ChatId toBob = ChatId.direct(bob.card());
  private final ChatId toAlice = ChatId.direct(alice.card());
  private ChatClient phone;
  private ChatClient laptop;
  private Identity tablet;
  private ChatClient b;

  /** Alice's friends as her phone's client sees them (a test may add one). */
  private final List<PublicCard> phoneFriends = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<PublicCard> bobFriends = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void aliceHasALaptopAndATabletLinked() throws Exception {
    phoneFriends.add(bob.card());
    phone = clients.client(alice, new InMemoryLocalState(), () -> List.copyOf(phoneFriends));
    bobFriends.add(alice.card());
    b = clients.client(bob, new InMemoryLocalState(), () -> List.copyOf(bobFriends));
    phone.send(toBob, "before");
    b.update(toAlice);
    laptop = client(link("laptop").identity(), lastState, bob.card());
    tablet = link("tablet").identity();
  }

  private InMemoryLocalState lastState;

  private TestClients.Linked link(String name) throws Exception {
    TestClients.Linked linked = clients.link(phone, name);
    lastState = linked.state();
    return linked;
  }

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, InMemoryLocalState state, PublicCard... friends) {
    List<PublicCard> cards = List.of(friends);
    return clients.client(id, state, () -> cards);
  }

  private static void receiveAll(ChatClient client) throws Exception {
    client.receiver().receive(Receiver.Scope.everything(), e -> { });
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text).toList();
  }

  private static ConversationEngine engine(ChatClient c) {
    return ((LedgerChatClient) c).engine();
  }

  @Test
  void theRemainingDeviceTakesTheNewEpochAndEveryReaderSeesOneChat() throws Exception {
    phone.devices().revoke(2);
    receiveAll(b);
    receiveAll(phone);
    receiveAll(laptop);
    clock.advance(java.time.Duration.ofSeconds(1));
    laptop.send(toBob, "from the laptop, after");
    clock.advance(java.time.Duration.ofSeconds(1));
    phone.send(toBob, "from the phone, after");
    clock.advance(java.time.Duration.ofSeconds(1));
    b.send(toAlice, "from bob, after");
    // one epoch more on every side, the same one, and each writes there
    String next = engine(phone).currentWith(bob.card()).id();
    assertThat(engine(phone).conversationsWith(bob.card())).hasSize(2);
    assertThat(next).isNotEqualTo(engine(phone).conversationWith(bob.card()).id());
    assertThat(engine(laptop).currentWith(bob.card()).id()).isEqualTo(next);
    assertThat(engine(b).currentWith(alice.card()).id()).isEqualTo(next);
    List<String> all = List.of("before", "from the laptop, after", "from the phone, after", "from bob, after");
    assertThat(texts(b.history(toAlice, HistoryRequest.all()).messages())).containsExactlyElementsOf(all);
    assertThat(texts(phone.history(toBob, HistoryRequest.all()).messages())).containsExactlyElementsOf(all);
    assertThat(texts(laptop.history(toBob, HistoryRequest.all()).messages())).containsExactlyElementsOf(all);
    // a fresh profile of Bob reads both epochs, and so does a receive pass of it
    assertThat(texts(client(bob, new InMemoryLocalState(), alice.card()).history(toAlice, HistoryRequest.all())
        .messages())).containsExactlyElementsOf(all);
    // the tablet: its profile, or a fresh one, reads only the first epoch
    ChatClient thief = client(tablet, new InMemoryLocalState(), bob.card());
    receiveAll(thief);
    assertThat(texts(thief.history(toBob, HistoryRequest.all()).messages())).containsExactly("before");
    assertThat(engine(thief).conversationsWith(bob.card())).hasSize(1);
  }

  @Test
  void aFriendOnTodaysVersionKeepsChattingInTheOldEpoch() throws Exception {
    // Today's version reads and writes the pair conversation of §3 only: its engine, used directly, is that.
    ConversationEngine oldBob = engine(b);
    Conversation withAlice = oldBob.conversationWith(alice.card());
    phone.devices().revoke(2);
    phone.send(toBob, "after, to a friend who has not updated");
    List<Message> atOldBob = oldBob.update(withAlice).received();
    assertThat(atOldBob).extracting(Message::type).contains(PairRotate.TYPE); // shown as a type it cannot show
    assertThat(texts(atOldBob)).containsExactly("after, to a friend who has not updated");
    oldBob.send(withAlice, MessageText.TEXT, new byte[0], MessageText.encode("still on the old version"));
    assertThat(texts(phone.update(toBob).received())).containsExactly("still on the old version");
    assertThat(engine(phone).pairs().waiting(bob.card())).isTrue();
    assertThat(engine(phone).currentWith(bob.card()).id()).isEqualTo(withAlice.id()); // still written where he reads
    phone.send(toBob, "and again");
    assertThat(texts(oldBob.update(withAlice).received())).containsExactly("and again");
  }

  @Test
  void aDeviceLinkedAfterTheRevocationGetsTheNewEpochsInItsBundle() throws Exception {
    phone.devices().revoke(2);
    receiveAll(b);
    receiveAll(phone);
    clock.advance(java.time.Duration.ofSeconds(1));
    b.send(toAlice, "in the new epoch");
    ChatClient desktop = client(link("desktop").identity(), lastState, bob.card());
    assertThat(engine(desktop).currentWith(bob.card()).id()).isEqualTo(engine(phone).currentWith(bob.card()).id());
    assertThat(texts(desktop.history(toBob, HistoryRequest.all()).messages())).containsExactly("before", "in the new epoch");
    clock.advance(java.time.Duration.ofSeconds(1));
    desktop.send(toBob, "from the desktop");
    assertThat(texts(b.update(toAlice).received())).containsExactly("from the desktop");
  }

  @Test
  void aGroupMemberWhoNeverTakesTheNewKeyStillFollowsTheGroupsLaterEpochs() throws Exception {
    // Dave, Alice's friend, reads only the group, never his direct chat with Alice after the revocation: as today's
    // version, he holds epoch 0 of it alone, and Alice's client, which has not seen him take the new key, wraps to
    // him there.
    Identity dave = TestIdentities.named("dave");
    phoneFriends.add(dave.card());
    ChatClient d = client(dave, new InMemoryLocalState(), alice.card());
    ChatId.Group club = phone.groups().create("club", List.of(bob.card(), dave.card()));
    d.update(toAlice);
    b.update(toAlice);
    phone.devices().revoke(2);
    receiveAll(b);
    receiveAll(phone);
    phone.groups().setAdmin(club, dave.card(), true); // a new epoch, wrapped to each member
    phone.send(club, "after, in the club");
    assertThat(texts(d.update(club).received())).containsExactly("after, in the club");
    assertThat(engine(d).conversationsWith(alice.card())).hasSize(1);
    assertThat(texts(b.update(club).received())).containsExactly("after, in the club");
  }

  @Test
  void aGroupMemberWhoIsNoFriendOnTodaysVersionReadsOnAndTheGroupIsNotRotated() throws Exception {
    // Dave is Bob's friend, not Alice's: the new key of his pair with Alice comes to him in the group. A client of
    // today's version reads the group with the engine alone (nothing takes a PAIR_ROTATE): it reads on, and never
    // acknowledges, so Alice's client never rotates the group (protocol §15.7 says so).
    Identity dave = TestIdentities.named("dave");
    ChatClient d = client(dave, new InMemoryLocalState(), bob.card());
    bobFriends.add(dave.card());
    ChatId.Group club = b.groups().create("club", List.of(alice.card(), dave.card()));
    phone.update(toBob);
    d.update(ChatId.direct(bob.card()));
    org.reschat.core.internal.group.Group atDave = ((LedgerChatClient) d).groupEngine().find(club.id()).orElseThrow();
    Conversation epoch0 = org.reschat.core.internal.group.Group.conversation(dave, atDave.current());
    phone.devices().revoke(2);
    List<Message> read = engine(d).history(epoch0, HistoryRequest.all()).messages(); // today's reader
    assertThat(read).extracting(Message::type).contains(PairRotate.TYPE);
    assertThat(read).filteredOn(m -> m.type().equals(PairRotate.TYPE))
        .extracting(Message::text).singleElement().asString() // shown as a notice, with its summary
        .contains("started a new key for").contains("who has no chat with you");
    receiveAll(b);
    receiveAll(phone);
    assertThat(((LedgerChatClient) phone).groupEngine().find(club.id()).orElseThrow().epochs()).hasSize(1);
    phone.send(club, "after, in the club");
    assertThat(texts(engine(d).history(epoch0, HistoryRequest.all()).messages())).containsExactly("after, in the club");
    assertThat(engine(d).conversationsWith(alice.card())).hasSize(1);
  }

  @Test
  void theRemainingDeviceTakesAKeyCarriedInAGroupAndFollowsTheGroupsNewEpoch() throws Exception {
    Identity dave = TestIdentities.named("dave"); // Bob's friend, not Alice's
    ChatClient d = client(dave, new InMemoryLocalState(), bob.card());
    bobFriends.add(dave.card());
    ChatId.Group club = b.groups().create("club", List.of(alice.card(), dave.card()));
    phone.update(toBob);
    laptop.update(toBob);
    d.update(ChatId.direct(bob.card()));
    phone.devices().revoke(2);
    for (int pass = 0; pass < 3; pass++) {
      for (ChatClient each : List.of(b, d, phone, laptop)) {
        receiveAll(each);
      }
    }
    // Dave took it in the group, the phone saw him take it and rotated the group; the laptop opened its own seal.
    assertThat(engine(d).conversationsWith(alice.card())).hasSize(2);
    String taken = engine(phone).currentWith(dave.card()).id();
    assertThat(engine(d).currentWith(alice.card()).id()).isEqualTo(taken);
    assertThat(engine(laptop).conversationsWith(dave.card())).extracting(Conversation::id).contains(taken);
    org.reschat.core.internal.group.Group atPhone = ((LedgerChatClient) phone).groupEngine().find(club.id()).orElseThrow();
    assertThat(atPhone.epochs()).hasSize(2);
    clock.advance(java.time.Duration.ofSeconds(1));
    d.send(club, "dave, in the new epoch");
    receiveAll(laptop);
    assertThat(((LedgerChatClient) laptop).groupEngine().find(club.id()).orElseThrow().current().id())
        .isEqualTo(atPhone.current().id());
    assertThat(texts(laptop.history(club, HistoryRequest.all()).messages())).contains("dave, in the new epoch");
  }

  @Test
  void anAcknowledgementInAGroupTheStoreFailedIsWrittenAtTheNextReceivePassAndOnce() throws Exception {
    acknowledgementTheStoreFailedIsWrittenBy((d, club) -> receiveAll(d)); // the group is quiet: read for what is owed
  }

  @Test
  void anAcknowledgementInAGroupTheStoreFailedIsWrittenAtTheNextHistoryReadAndOnce() throws Exception {
    acknowledgementTheStoreFailedIsWrittenBy((d, club) -> d.history(club, HistoryRequest.all()));
  }

  /** A read of Dave's that comes after the one at which the store failed. */
  private interface NextRead {
    void by(ChatClient d, ChatId.Group club) throws Exception;
  }

  private void acknowledgementTheStoreFailedIsWrittenBy(NextRead next) throws Exception {
    // Dave (Bob's friend, not Alice's) reads through a store that fails at the read that starts his feed in the
    // group's epoch when he writes PAIR_TAKEN there after taking the key Alice's device 0 carried: the second read of
    // that key in his read of the group (the first is the read of the epoch's feeds), and the third (the same pass
    // writing what it owes, at its end), so the acknowledgement is still owed after that read.
    Identity dave = TestIdentities.named("dave");
    java.util.concurrent.atomic.AtomicReference<String> first = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    TestClients davesStore = new TestClients(new org.reschat.kv.ForwardingKvStore(store) {
      @Override
      public java.util.Optional<String> get(String key) throws org.reschat.kv.KvException {
        if (key.equals(first.get()) && List.of(2, 3).contains(reads.incrementAndGet())) {
          throw new org.reschat.kv.KvUnavailableException("down for the test");
        }
        return super.get(key);
      }
    }, clock);
    try {
      ChatClient d = davesStore.client(dave, new InMemoryLocalState(), () -> List.of(bob.card()));
      bobFriends.add(dave.card());
      ChatId.Group club = b.groups().create("club", List.of(alice.card(), dave.card()));
      phone.update(toBob);
      d.update(ChatId.direct(bob.card()));
      Conversation epoch0 = org.reschat.core.internal.group.Group.conversation(dave,
          ((LedgerChatClient) d).groupEngine().find(club.id()).orElseThrow().current());
      first.set(epoch0.pageKey(epoch0.myFeed(), 1));
      phone.devices().revoke(2);
      d.update(club); // takes the key; the acknowledgement's write fails
      assertThat(reads.get()).isGreaterThanOrEqualTo(3);
      assertThat(engine(d).conversationsWith(alice.card())).hasSize(2);
      assertThat(engine(d).pending(epoch0)).isZero(); // nothing written, nothing queued: owed
      assertThat(engine(d).pairs().owes(alice.card())).isTrue();
      next.by(d, club);
      assertThat(engine(d).pairs().owes(alice.card())).isFalse(); // written (or queued) by that read
      for (int pass = 0; pass < 3; pass++) {
        for (ChatClient each : List.of(b, d, phone)) {
          receiveAll(each);
        }
      }
      org.reschat.core.internal.group.Group atPhone = ((LedgerChatClient) phone).groupEngine().find(club.id()).orElseThrow();
      assertThat(atPhone.epochs()).hasSize(2); // rotated: the revoked tablet reads nothing written from now on
      assertThat(engine(phone).currentWith(dave.card()).id()).isEqualTo(engine(d).currentWith(alice.card()).id());
      d.history(club, HistoryRequest.all()); // a history pass after it landed writes nothing more
      receiveAll(d);
      assertThat(engine(phone).history(org.reschat.core.internal.group.Group.conversation(alice, atPhone.epochs().get(0)),
          HistoryRequest.all()).messages()).filteredOn(m -> m.sender().equals(dave.card()))
          .filteredOn(m -> !m.type().equals(org.reschat.core.internal.conversation.ReadsRecord.TYPE)) // his notice (§4.9)
          .extracting(Message::type).containsExactly(PairRotate.TAKEN);
    } finally {
      davesStore.close();
    }
  }

  @Test
  void aDeviceTheFriendRevokedCannotOpenTheNewKeyOfTheirChat() throws Exception {
    // Bob links a laptop and revokes it: it holds Bob's identity secret, to which "friend" seals are made.
    Identity bobsLaptop = clients.link(b, "bob's laptop").identity();
    b.devices().revoke(1);
    // Alice revokes her tablet before reading Bob's new key: hers must not go where his revoked laptop reads.
    phone.devices().revoke(2);
    receiveAll(b);
    receiveAll(phone);
    clock.advance(java.time.Duration.ofSeconds(1));
    phone.send(toBob, "after both revocations");
    assertThat(texts(b.update(toAlice).received())).contains("after both revocations");
    ChatClient thief = client(bobsLaptop, new InMemoryLocalState(), alice.card());
    receiveAll(thief);
    assertThat(engine(thief).conversationsWith(alice.card())).hasSize(1);
    assertThat(texts(thief.history(toAlice, HistoryRequest.all()).messages())).doesNotContain("after both revocations");
  }
}
