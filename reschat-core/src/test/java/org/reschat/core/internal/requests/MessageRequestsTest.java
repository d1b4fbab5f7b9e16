package org.reschat.core.internal.requests;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.Message;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.MessageRequest;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/** Messages from someone who is not a friend yet reach you as a request, and nothing a stranger posts does harm. */
class MessageRequestsTest {
  private static final Instant NOV = Instant.parse("2026-11-23T10:00:00Z");
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final MemoryKvStore memory = new MemoryKvStore();
  private final RecordingKvStore store = new RecordingKvStore(memory);
  private final SettableClock clock = new SettableClock(NOV);
  private final TestClients clients = new TestClients(store, clock);
  private final ChatClient alice = client(a);
  private final ChatClient bob = client(b);

  private ChatClient client(Identity id) {
    return clients.client(id);
  }

  @AfterEach
  void close() {
    clients.close();
  }

  /**
   * A later call of {@code sender}'s, once the request it queued is due: requests are not posted by the send
   * that queues them (see MessageRequestsTimingTest).
   */
  private void later(ChatClient sender, PublicCard to) throws Exception {
    clock.advance(MessageRequests.MAX_DELAY.plusMinutes(1));
    sender.update(ChatId.direct(to));
  }

  private static List<String> texts(MessageRequest r) {
    return r.messages().stream().map(Message::text).toList();
  }

  @Test
  void aStrangersMessagesReachYouAsARequestWithTheirCard() throws Exception {
    bob.send(ChatId.direct(a.card()), "hi Alice, it is Bob from the conference");
    bob.send(ChatId.direct(a.card()), "second");
    later(bob, a.card());

    List<MessageRequest> requests = alice.requests().pending(Set.of());

    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).from()).isEqualTo(b.card());
    assertThat(texts(requests.get(0))).containsExactly("hi Alice, it is Bob from the conference", "second");
    assertThat(TestClients.requests(alice).arrived(Set.of())).as("announced once").isEmpty();
  }

  @Test
  void aRequestIsPostedOnceAndNotAtAllToSomeoneWhoWroteFirst() throws Exception {
    bob.send(ChatId.direct(a.card()), "one");
    later(bob, a.card());
    long inboxWrites = store.takeCalls().stream()
        .filter(x -> x.wrote() && x.key().equals(Inbox.board(a.card(), month()).key(1))).count();
    assertThat(inboxWrites).isEqualTo(1);
    bob.send(ChatId.direct(a.card()), "two");
    later(bob, a.card());
    assertThat(puts()).as("one page write per send, no second request").hasSize(1);

    alice.update(ChatId.direct(b.card())); // Alice reads Bob's feed (say she added him), then writes back
    alice.send(ChatId.direct(b.card()), "hello Bob");
    later(alice, b.card());
    assertThat(memory.get(Inbox.board(b.card(), month()).key(1))).as("Bob wrote first: no request to him").isEmpty();
  }

  @Test
  void friendsAndIgnoredPeopleAreNotRequestsAndAnAcceptedOneIsForgotten() throws Exception {
    bob.send(ChatId.direct(a.card()), "hi");
    later(bob, a.card());
    ChatClient carol = client(c);
    carol.send(ChatId.direct(a.card()), "hello from carol");
    later(carol, a.card());

    assertThat(alice.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(c.card(), b.card());
    assertThat(alice.requests().pending(Set.of(b.card()))).extracting(MessageRequest::from).containsExactly(c.card());
    alice.requests().ignore(c.card());
    assertThat(alice.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(b.card());

    clock.set(Instant.parse("2026-12-02T10:00:00Z")); // Carol asks again next month: still ignored
    ChatClient carolElsewhere = client(c);
    carolElsewhere.send(ChatId.direct(a.card()), "again");
    later(carolElsewhere, a.card());
    assertThat(alice.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(b.card());

    alice.requests().accepted(b.card());
    assertThat(alice.requests().pending(Set.of())).as("a friend removed later is not a request again").isEmpty();
  }

  @Test
  void aGroupInvitationFromSomeoneWhoIsNotAFriendArrivesAsARequestAndJoinsOnceAccepted() throws Exception {
    org.reschat.core.internal.group.Group g = TestClients.groups(alice).create("trip", List.of(b.card())); // Bob lacks Alice's card
    later(alice, b.card());

    List<MessageRequest> requests = bob.requests().pending(Set.of());
    assertThat(requests).extracting(MessageRequest::from).containsExactly(a.card());
    assertThat(requests.get(0).messages()).extracting(Message::type).containsExactly("GROUP_INVITE");

    bob.requests().accepted(a.card()); // and adds her as a friend, as 'requests accept' does
    bob.update(ChatId.direct(a.card()));
    assertThat(TestClients.groups(bob).find(g.id())).isPresent();
  }

  @Test
  void aCardPostedBySomeoneElseShowsNothing() throws Exception {
    // Mallory posts Carol's card to Alice's inbox: Carol never wrote to Alice, so there is nothing to show.
    Board inbox = Inbox.board(a.card(), month());
    inbox.post(memory, key -> Inbox.seal(a.card(), c.card(), key));

    assertThat(alice.requests().pending(Set.of())).isEmpty();
  }

  @Test
  void junkOnTheInboxIsSkippedAndCostsOneReadPerSlotOnce() throws Exception {
    Board inbox = Inbox.board(a.card(), month());
    memory.put(inbox.key(1), "not base64 at all!");
    memory.put(inbox.key(2), org.reschat.core.internal.board.Board.encode(new byte[70])); // the right frame, not a request
    memory.put(inbox.key(3), org.reschat.core.internal.board.Board.encode(
        Hpke.standard().seal(b.card().encryptionKey(), "reschat/v2 message request".getBytes(), inbox.key(3).getBytes(),
            c.card().bytes()))); // sealed to someone else
    memory.put(inbox.key(4), org.reschat.core.internal.board.Board.encode(
        Hpke.standard().seal(a.card().encryptionKey(), "reschat/v2 message request".getBytes(), inbox.key(4).getBytes(),
            new byte[64]))); // not a card
    bob.send(ChatId.direct(a.card()), "hi");
    later(bob, a.card());
    assertThat(memory.get(inbox.key(5))).as("Bob skipped the junk").isPresent();

    store.takeCalls();
    assertThat(alice.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(b.card());
    long inboxReads = store.takeCalls().stream().filter(x -> x.key().equals(inbox.key(1))).count();
    assertThat(inboxReads).isEqualTo(1);
    alice.requests().pending(Set.of());
    assertThat(store.takeCalls().stream().filter(x -> x.key().equals(inbox.key(1)))).as("read once, ever").isEmpty();
  }

  @Test
  void twoHundredFiftySixJunkValuesNoLongerCloseTheInbox() throws Exception {
    // Issue 19.5: 256 junk writes filled the month's board; Bob's send said "Sent" and Alice never heard.
    Board inbox = Inbox.board(a.card(), month());
    for (int i = 1; i <= 256; i++) {
      memory.put(inbox.key(i), "junk");
    }
    assertThat(bob.send(ChatId.direct(a.card()), "hi").confirmed()).isTrue();
    later(bob, a.card());

    assertThat(alice.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(b.card());
    assertThat(bob.requests().notPosted()).isEmpty();
  }

  @Test
  void aRequestFromLastMonthAndOneFromMonthsAgoAreBothFound() throws Exception {
    alice.requests().pending(Set.of()); // Alice checked in November
    clock.set(Instant.parse("2027-01-31T23:59:00Z"));
    bob.send(ChatId.direct(a.card()), "written in January");
    later(bob, a.card()); // posted an hour later, in February
    clock.set(Instant.parse("2027-04-01T00:01:00Z")); // and looks again in April

    assertThat(alice.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(b.card());
  }

  @Test
  void aFloodOfRequestsReadsAtMostTheNewestFeeds() throws Exception {
    Board inbox = Inbox.board(a.card(), month());
    for (int i = 0; i < 100; i++) {
      PublicCard stranger = Identity.generate(new java.security.SecureRandom()).card();
      inbox.post(memory, key -> Inbox.seal(a.card(), stranger, key));
    }
    bob.send(ChatId.direct(a.card()), "the real one, posted last");
    later(bob, a.card());

    assertThat(alice.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(b.card());
  }

  private List<RecordingKvStore.Call> puts() {
    return store.takeCalls().stream().filter(x -> x.wrote()).toList();
  }

  private YearMonth month() {
    return YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
  }
}
