package org.reschat.core.internal.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.Message;
import org.reschat.core.Receiver;
import org.reschat.core.internal.group.Group;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.Contacts;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.Changed;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * The one receiver: order, delivery once (also across a restart and a failing listener), invitations and
 * the groups they open in one pass, and reads that follow what changed. Reads are counted, never timed.
 */
class ReceiverTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final MemoryKvStore memory = new MemoryKvStore();
  private final CountingStore alicesStore = new CountingStore(memory);
  private final RecordingKvStore othersStore = new RecordingKvStore(memory);
  private final TestClients others = new TestClients(othersStore, TestClients.ticking(1_800_000_000_000L));
  private final TestClients alices = new TestClients(alicesStore, TestClients.ticking(1_800_000_000_000L));
  private final InMemoryLocalState alicesState = new InMemoryLocalState();
  private final List<PublicCard> friends = new CopyOnWriteArrayList<>(List.of(b.card(), c.card()));
  private final Contacts contacts = () -> List.copyOf(friends);
  private final ChatClient bob = others.client(b);
  private final ChatClient carol = others.client(c);

  @AfterEach
  void close() {
    others.close();
    alices.close();
  }

  private ChatClient alice() {
    return alices.client(a, alicesState, contacts);
  }

  private static List<String> texts(List<Event> events) {
    List<String> out = new ArrayList<>();
    for (Event e : events) {
      if (e instanceof Event.MessageReceived) {
        Message m = ((Event.MessageReceived) e).message();
        out.add(m.type().equals("TEXT") ? m.text() : m.type());
      }
    }
    return out;
  }

  private static List<Event> receive(ChatClient client) throws Exception {
    List<Event> events = new ArrayList<>();
    client.receiver().receive(Receiver.Scope.everything(), events::add);
    return events;
  }

  @Test
  void aPassDeliversDirectChatsInContactOrderEachOldestFirstAndNeverTwice() throws Exception {
    ChatClient alice = alice();
    carol.send(ChatId.direct(a.card()), "c1");
    bob.send(ChatId.direct(a.card()), "b1");
    bob.send(ChatId.direct(a.card()), "b2");
    List<Event> first = receive(alice);
    assertThat(texts(first)).containsExactly("b1", "b2", "c1");
    assertThat(first).filteredOn(e -> e instanceof Event.MessageReceived)
        .extracting(e -> e.chat().orElseThrow())
        .containsExactly(ChatId.direct(b.card()), ChatId.direct(b.card()), ChatId.direct(c.card()));
    assertThat(texts(receive(alice))).isEmpty();
    bob.send(ChatId.direct(a.card()), "b3");
    assertThat(texts(receive(alice))).containsExactly("b3");
  }

  @Test
  void aRestartOnTheSameStateDeliversNothingTwice() throws Exception {
    bob.send(ChatId.direct(a.card()), "before");
    assertThat(texts(receive(alice()))).containsExactly("before");
    ChatClient restarted = alice(); // a new process: same state, nothing in memory
    assertThat(texts(receive(restarted))).isEmpty();
    bob.send(ChatId.direct(a.card()), "after");
    assertThat(texts(receive(restarted))).containsExactly("after");
  }

  @Test
  void aListenerThatFailsLeavesThatChatUndeliveredAndLosesNothing() throws Exception {
    ChatClient alice = alice();
    bob.send(ChatId.direct(a.card()), "from bob");
    carol.send(ChatId.direct(a.card()), "from carol");
    List<String> seen = new ArrayList<>();
    assertThatThrownBy(() -> alice.receiver().receive(Receiver.Scope.everything(), e -> {
      if (e instanceof Event.MessageReceived) {
        String text = ((Event.MessageReceived) e).message().text();
        if (text.equals("from carol")) {
          throw new IllegalStateException("the screen went away");
        }
        seen.add(text);
      }
    })).hasMessageContaining("the screen went away");
    assertThat(seen).containsExactly("from bob");
    assertThat(texts(receive(alice))).containsExactly("from carol"); // again, and only what was not delivered
  }

  /**
   * Two processes of one profile (a chat view, and a send from another terminal): the pass reads its batch,
   * then the other process writes this person's next page before the pass takes the conversation's lock.
   * What the pass read before must not pass for a page gone from the store (nor be "republished" over it).
   */
  @Test
  void aValueThePassReadBeforeAnotherProcessOfTheProfileMovedOnIsNotTakenForTampering() throws Exception {
    bob.send(ChatId.direct(a.card()), "hi alice");
    ChatClient[] other = new ChatClient[1];
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    org.reschat.kv.KvStore racing = new org.reschat.kv.ForwardingKvStore(memory) {
      @Override
      public java.util.Map<String, org.reschat.kv.KvRead> getAll(java.util.Collection<String> keys)
          throws org.reschat.kv.KvException {
        java.util.Map<String, org.reschat.kv.KvRead> got = delegate().getAll(keys);
        if (once.compareAndSet(false, true)) {
          try {
            other[0].send(ChatId.direct(b.card()), "from my other terminal"); // after the batch, before the lock
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        return got;
      }
    };
    try (TestClients view = new TestClients(racing, TestClients.ticking(1_800_000_100_000L))) {
      ChatClient alice = view.client(a, alicesState, contacts);
      other[0] = alices.client(a, alicesState, contacts); // the same profile, another process
      List<Event> events = new ArrayList<>();
      alice.receiver().receive(Receiver.Scope.only(ChatId.direct(b.card())), events::add);
      assertThat(once).isTrue();
      assertThat(events).noneMatch(e -> e instanceof Event.Warning);
      assertThat(texts(events)).contains("hi alice", "from my other terminal");
      assertThat(alicesState.queuedConversations()).as("nothing republished").isEmpty();
    }
  }

  @Test
  void everyKindOfChatRefusesTheSameBadTextsTheSameWay() throws Exception {
    Group trip = TestClients.groups(bob).create("trip", List.of(a.card()));
    for (ChatId chat : List.of(ChatId.direct(a.card()), ChatId.group(trip.id()))) {
      for (String bad : List.of("", "   ", "lone \uD800 surrogate", "x".repeat(16 * 1024 + 1))) {
        assertThatThrownBy(() -> bob.send(chat, bad)).as(chat + " " + bad.length())
            .isInstanceOf(org.reschat.core.InvalidMessageException.class);
      }
      assertThatThrownBy(() -> bob.send(chat, "GROUP_ROTATE", new byte[0], new byte[1])).as(chat.toString())
          .isInstanceOf(org.reschat.core.InvalidMessageException.class).hasMessageContaining("Group operations");
    }
    assertThat(bob.history(ChatId.group(trip.id()), org.reschat.core.HistoryRequest.newest(2)).messages()).isEmpty();
  }

  @Test
  void aListenerThatFailsOnAGroupMessageLeavesTheGroupUndelivered() throws Exception {
    ChatClient alice = alice();
    Group trip = TestClients.groups(bob).create("trip", List.of(a.card()));
    receive(alice); // the invitation: Alice is in the group now
    bob.send(ChatId.group(trip.id()), "to the group");
    assertThatThrownBy(() -> alice.receiver().receive(Receiver.Scope.everything(), e -> {
      if (e instanceof Event.MessageReceived && e.chat().orElseThrow() instanceof ChatId.Group) {
        throw new IllegalStateException("the screen went away");
      }
    })).hasMessageContaining("the screen went away");
    assertThat(texts(receive(alice))).containsExactly("to the group");
    assertThat(texts(receive(alice))).isEmpty();
  }

  @Test
  void anInvitationAndTheGroupItOpensArriveInOnePassInThatOrder() throws Exception {
    ChatClient alice = alice();
    Group trip = TestClients.groups(bob).create("trip", List.of(a.card(), c.card()));
    bob.send(ChatId.group(trip.id()), "to the group");
    List<Event> events = receive(alice);
    int invitation = indexOf(events, e -> e instanceof Event.MessageReceived
        && ((Event.MessageReceived) e).message().type().equals("GROUP_INVITE"));
    int joined = indexOf(events, e -> e instanceof Event.GroupJoined);
    int groupMessage = indexOf(events, e -> e instanceof Event.MessageReceived
        && e.chat().orElseThrow().equals(ChatId.group(trip.id())));
    assertThat(invitation).isNotNegative();
    assertThat(joined).isGreaterThan(invitation);
    assertThat(groupMessage).isGreaterThan(joined);
    assertThat(((Event.GroupJoined) events.get(joined)).name()).isEqualTo("trip");
    assertThat(texts(receive(alice))).isEmpty();
  }

  @Test
  void aScopedPassMarksNothingElseDelivered() throws Exception {
    ChatClient alice = alice();
    bob.send(ChatId.direct(a.card()), "for the open chat");
    carol.send(ChatId.direct(a.card()), "for later");
    List<Event> scoped = new ArrayList<>();
    alice.receiver().receive(Receiver.Scope.only(ChatId.direct(b.card())), scoped::add);
    assertThat(texts(scoped)).containsExactly("for the open chat");
    assertThat(texts(receive(alice))).containsExactly("for later");
  }

  @Test
  void anIdleReceiveIsOneBatchOfAtMostTwoKeysPerChatAlsoInANewProcess() throws Exception {
    List<ChatClient> crowd = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Identity f = TestIdentities.named("friend" + i);
      ChatClient client = others.client(f);
      crowd.add(client);
      friends.add(f.card());
      client.send(ChatId.direct(a.card()), "hello " + i);
    }
    ChatClient alice = alice();
    assertThat(texts(receive(alice))).hasSize(30);
    alicesStore.reset();
    Receiver.Summary idle = alice.receiver().receive(Receiver.Scope.everything(), e -> { });
    assertThat(idle.messages()).isZero();
    assertThat(alicesStore.roundTrips()).isEqualTo(1);
    assertThat(alicesStore.batchedKeys.get()).isBetween(friends.size(), 2 * friends.size());

    alicesStore.reset();
    ChatClient restarted = alice(); // nothing remembered: the batch is compared with the local state
    restarted.receiver().receive(Receiver.Scope.everything(), e -> { });
    assertThat(alicesStore.roundTrips()).isEqualTo(1);

    crowd.get(17).send(ChatId.direct(a.card()), "news");
    alicesStore.reset();
    assertThat(texts(receive(restarted))).containsExactly("news");
    assertThat(alicesStore.roundTrips()).as("the batch, then what the changed chat reads").isLessThanOrEqualTo(1 + 3);
  }

  @Test
  void followingReadsOnlyTheChatsANotificationNamesAndNothingForAnUnrelatedWrite() throws Exception {
    ChatClient alice = alice();
    bob.send(ChatId.direct(a.card()), "first");
    List<Event> events = new CopyOnWriteArrayList<>();
    try (Receiver.Subscription s = alice.receiver().follow(Receiver.Scope.everything(), Duration.ofHours(1), events::add)) {
      waitFor(() -> texts(events).contains("first"));
      waitFor(() -> s.passes() >= 1);
      alicesStore.reset();
      long before = s.passes();
      alicesStore.announce(Changed.keys(Set.of("rc2.AAAAAAAAAAAAAAAAAAAAAA"))); // someone else's write
      waitFor(() -> s.passes() > before);
      assertThat(alicesStore.keysRead()).isZero();

      othersStore.takeCalls();
      carol.send(ChatId.direct(a.card()), "from carol");
      Set<String> written = othersStore.takeCalls().stream().filter(x -> x.wrote())
          .map(RecordingKvStore.Call::key).collect(java.util.stream.Collectors.toSet()); // her page, and her request
      alicesStore.reset();
      alicesStore.announce(Changed.keys(written));
      waitFor(() -> texts(events).contains("from carol"));
      // and one write: Alice's notice that she reads version 4, at her first read of a chat Carol wrote in (§4.7)
      assertThat(alicesStore.roundTrips()).isLessThanOrEqualTo(4);
    }
    int after = events.size();
    bob.send(ChatId.direct(a.card()), "after close");
    alicesStore.announce(Changed.unknown());
    assertThat(events).hasSize(after);
  }

  @Test
  void aNotificationThatNamesNoKeysReadsEverythingOnce() throws Exception {
    ChatClient alice = alice();
    List<Event> events = new CopyOnWriteArrayList<>();
    try (Receiver.Subscription s = alice.receiver().follow(Receiver.Scope.everything(), Duration.ofHours(1), events::add)) {
      waitFor(() -> s.passes() >= 1);
      bob.send(ChatId.direct(a.card()), "pushed");
      alicesStore.announce(Changed.unknown());
      waitFor(() -> texts(events).contains("pushed"));
    }
  }

  private static int indexOf(List<Event> events, java.util.function.Predicate<Event> p) {
    for (int i = 0; i < events.size(); i++) {
      if (p.test(events.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Waits for a condition with a wide deadline: never a measure of speed. */
  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the condition was not met within 60 s");
      }
      Thread.sleep(10);
    }
  }
}
