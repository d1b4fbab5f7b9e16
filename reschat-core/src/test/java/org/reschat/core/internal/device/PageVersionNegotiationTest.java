package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.conversation.ReadsRecord;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageCodec;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Protocol §4.7, "When a writer uses version 4": a writer seals version 4 only once every device of both people it
 * knows has written {@code PAIR_READS}; a device that has not (a friend who only reads from a copy, a device just
 * linked) never gets a page of version 4. The notices are never shown, and what was learnt survives a restart.
 */
class PageVersionNegotiationTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final InMemoryLocalState aliceState = new InMemoryLocalState();
  private final InMemoryLocalState bobState = new InMemoryLocalState();

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, org.reschat.core.spi.LocalState state, PublicCard friend) {
    return clients.client(id, state, () -> List.of(friend));
  }

  /** The newest version of {@code owner}'s identity feed's newest page in epoch 0 of the chat with {@code friend}. */
  private Page tail(Identity owner, PublicCard friend) throws Exception {
    Conversation c = Conversation.pair(owner, friend);
    long n = 1;
    while (store.get(c.pageKey(c.myFeed(), n + 1)).isPresent()) {
      n++;
    }
    String key = c.pageKey(c.myFeed(), n);
    return PageCodec.parse(Envelope.open(c, key, store.get(key).orElseThrow()));
  }

  private long notices(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(ReadsRecord.TYPE)).count();
  }

  @Test
  void aFriendWhoHasNotShownItReadsVersion4GetsVersion3() throws Exception {
    ChatClient a = client(alice, aliceState, bob.card());
    ChatClient bobsCopy = client(bob, TestClients.readOnly(bobState), alice.card()); // reads, writes nothing
    a.send(ChatId.direct(bob.card()), "one");
    bobsCopy.update(ChatId.direct(alice.card()));
    a.update(ChatId.direct(bob.card()));
    a.send(ChatId.direct(bob.card()), "two");
    assertThat(tail(alice, bob.card()).version()).isEqualTo(3);
    assertThat(tail(alice, bob.card()).isTagged()).isFalse();
  }

  @Test
  void onceBothShowedItTailsAreTaggedTheNoticesAreNeverShownAndARestartKeepsIt() throws Exception {
    ChatClient a = client(alice, aliceState, bob.card());
    ChatClient b = client(bob, bobState, alice.card());
    a.send(ChatId.direct(bob.card()), "one");
    b.update(ChatId.direct(alice.card()));
    a.update(ChatId.direct(bob.card()));
    a.send(ChatId.direct(bob.card()), "two");
    assertThat(tail(alice, bob.card()).isTagged()).isTrue();
    assertThat(notices(a.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages())).isZero();
    assertThat(notices(b.history(ChatId.direct(alice.card()), HistoryRequest.all()).messages())).isZero();
    int slots = tail(alice, bob.card()).slots().size();

    ChatClient again = client(alice, aliceState, bob.card()); // a restart: the same profile, a new process
    again.update(ChatId.direct(bob.card()));
    assertThat(tail(alice, bob.card()).slots()).hasSize(slots); // no second notice
    again.send(ChatId.direct(bob.card()), "three");
    assertThat(tail(alice, bob.card()).isTagged()).isTrue();
    assertThat(b.update(ChatId.direct(alice.card())).received()).extracting(Message::text).containsExactly("two", "three");
  }

  @Test
  void aDeviceJustLinkedGetsVersion3UntilItHasShownItReadsVersion4() throws Exception {
    ChatClient a = client(alice, aliceState, bob.card());
    ChatClient b = client(bob, bobState, alice.card());
    a.send(ChatId.direct(bob.card()), "one");
    b.update(ChatId.direct(alice.card()));
    a.update(ChatId.direct(bob.card()));
    TestClients.Linked laptop = clients.link(b, "laptop");
    a.update(ChatId.direct(bob.card())); // Alice reads Bob's notice of the new device, and his list
    a.send(ChatId.direct(bob.card()), "two");
    assertThat(tail(alice, bob.card()).version()).as("the laptop has not shown it reads version 4").isEqualTo(3);
    ChatClient bobsLaptop = client(laptop.identity(), laptop.state(), alice.card());
    bobsLaptop.update(ChatId.direct(alice.card()));
    a.update(ChatId.direct(bob.card()));
    a.send(ChatId.direct(bob.card()), "three");
    assertThat(tail(alice, bob.card()).isTagged()).isTrue();
    assertThat(bobsLaptop.update(ChatId.direct(alice.card())).received()).extracting(Message::text).contains("three");
  }

  @Test
  void aFriendWhoNamesVersion5MidPageGetsThatPageWholeAndNoRecordOfIt() throws Exception {
    ChatClient a = client(alice, aliceState, bob.card());
    ChatClient b = client(bob, bobState, alice.card());
    a.send(ChatId.direct(bob.card()), "one");
    b.update(ChatId.direct(alice.card()));
    // Bob's feed shows a client that reads records (version 5): his notice, as such a client would write it.
    var engine = (org.reschat.core.internal.feed.ConversationEngine) TestClients.conversations(b);
    engine.send(engine.currentWith(alice.card()), ReadsRecord.TYPE, "reads pages of version 5".getBytes(StandardCharsets.UTF_8),
        "{\"v\":1,\"pages\":[2,3,4,5]}".getBytes(StandardCharsets.UTF_8));
    assertThat(notices(a.update(ChatId.direct(bob.card())).received())).isZero();
    a.send(ChatId.direct(bob.card()), "two");

    Conversation ab = Conversation.pair(alice, bob.card());
    String learnt = aliceState.deviceRecord("reads-" + HexFormat.of().formatHex(Base64Url.decode(ab.id()).orElseThrow()))
        .orElseThrow();
    FeedId bobs = ab.feed(ab.indexOf(bob.card()));
    assertThat(learnt.substring(learnt.indexOf("\"records\":"))).as("Bob's feed is noted as reading records")
        .contains(bobs.writer());
    // Whether or not this client reads records (TailRule.RECORDS_READ_HERE), page 1 was begun whole: it stays whole.
    assertThat(tail(alice, bob.card()).isTagged()).as("page 1 grows whole: a tagged page").isTrue();
    for (int i = 0; i < 20; i++) {
      assertThat(store.get(ab.recordKey(ab.myFeed(), 1, i))).isEmpty();
    }
    assertThat(b.update(ChatId.direct(alice.card())).received()).extracting(Message::text).containsExactly("two");
  }

  @Test
  void twoCopiesOfDeviceZeroSendingInTurnAdoptEachOthersTaggedTails() throws Exception {
    InMemoryLocalState twinState = new InMemoryLocalState();
    ChatClient a = client(alice, aliceState, bob.card());
    ChatClient twin = client(alice, twinState, bob.card()); // a restored backup's live twin: the same feed
    ChatClient b = client(bob, bobState, alice.card());
    a.send(ChatId.direct(bob.card()), "one");
    b.update(ChatId.direct(alice.card()));
    a.update(ChatId.direct(bob.card()));
    twin.update(ChatId.direct(bob.card()));
    for (int i = 0; i < 6; i++) {
      (i % 2 == 0 ? a : twin).send(ChatId.direct(bob.card()), "turn " + i);
      assertThat(tail(alice, bob.card()).isTagged()).isTrue(); // each adopts the other's tagged page by its tag
    }
    org.reschat.core.History h = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(h.messages()).extracting(Message::text).containsSubsequence("turn 0", "turn 1", "turn 2", "turn 3",
        "turn 4", "turn 5");
    assertThat(h.warnings()).isEmpty();
    assertThat(a.history(ChatId.direct(bob.card()), HistoryRequest.all()).warnings()).isEmpty();
  }

  @Test
  void aChatViewNeverShowsItsOwnNoticeAsAMessageFromElsewhere() throws Exception {
    ChatClient a = client(alice, aliceState, bob.card());
    ChatClient b = client(bob, bobState, alice.card());
    List<org.reschat.core.Event> events = new java.util.ArrayList<>();
    org.reschat.core.Receiver.Scope view = org.reschat.core.Receiver.Scope.only(ChatId.direct(bob.card()));
    a.receiver().receive(view, events::add); // the view opens: nothing yet
    b.send(ChatId.direct(alice.card()), "hello");
    a.receiver().receive(view, events::add); // Bob wrote: this pass writes Alice's notice (§4.7), and shows Bob's message
    a.receiver().receive(view, events::add);
    assertThat(tail(alice, bob.card()).slots()).extracting(org.reschat.core.internal.page.Slot::type)
        .containsExactly(ReadsRecord.TYPE);
    assertThat(events).filteredOn(e -> e instanceof org.reschat.core.Event.MessageReceived)
        .extracting(e -> ((org.reschat.core.Event.MessageReceived) e).message().type())
        .containsExactly(Message.TEXT);
  }
}
