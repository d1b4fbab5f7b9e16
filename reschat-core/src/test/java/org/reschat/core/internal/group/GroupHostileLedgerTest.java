package org.reschat.core.internal.group;

import org.reschat.core.testing.TestClients;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.Page;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.PageFixtures;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * The hostile-ledger attacks of protocol v2 against a group's conversation: a group epoch is read by the
 * same feed rules as a 1:1 chat, and every attack is named, bounded and reported with the member whose
 * feed it concerns.
 */
class GroupHostileLedgerTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final MemoryKvStore store = new MemoryKvStore();
  private final List<ChatClient> clients = new ArrayList<>();
  private ChatClient alice;
  private Group group;
  private Conversation asAlice;

  private ChatClient client(Identity id) {
    ChatClient cl = ChatClient.builder().identity(id).store(store).localState(new InMemoryLocalState()).build();
    clients.add(cl);
    return cl;
  }

  @BeforeEach
  void fortyFiveMessagesFromAlice() throws Exception {
    alice = client(a);
    group = TestClients.groups(alice).create("g", List.of(b.card(), c.card()));
    for (int i = 0; i < 45; i++) {
      TestClients.groups(alice).send(group, "m" + i);
    }
    asAlice = Group.conversation(a, group.current());
  }

  @AfterEach
  void close() {
    clients.forEach(ChatClient::close);
  }

  /** Bob reading the group's epoch: a client that holds nothing yet (a new device), or the given one. */
  private History read(ChatClient reader, Identity who) throws Exception {
    return TestClients.conversations(reader).history(Group.conversation(who, group.current()), HistoryRequest.all());
  }

  private String aliceKey(long n) {
    return asAlice.pageKey(asAlice.myFeed(), n);
  }

  private static List<String> texts(History h) {
    return h.messages().stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text)
        .collect(Collectors.toList());
  }

  private static List<Kind> kinds(History h) {
    return h.warnings().stream().map(FeedWarning::kind).collect(Collectors.toList());
  }

  @Test
  void garbageOverAMembersPageIsNamedWithTheMemberAndTheRestShows() throws Exception {
    store.put(aliceKey(2), "garbage");
    History h = read(client(b), b);
    assertThat(kinds(h)).containsExactly(Kind.CORRUPT);
    assertThat(h.warnings().get(0).writer()).isEqualTo(a.card());
    assertThat(texts(h)).hasSize(25).endsWith("m44");
  }

  @Test
  void aRolledBackPageIsReportedToAMemberWhoSawMore() throws Exception {
    ChatClient bob = client(b);
    assertThat(texts(read(bob, b))).hasSize(45);
    store.put(aliceKey(3), store.history(aliceKey(3)).get(1).value());
    History h = read(bob, b);
    assertThat(kinds(h)).containsExactly(Kind.ROLLBACK);
    assertThat(texts(h)).hasSize(45);
  }

  @Test
  void aMemberWhoRewritesWhatOthersReadIsCaught() throws Exception {
    ChatClient bob = client(b);
    assertThat(texts(read(bob, b))).hasSize(45);
    List<String> rewritten = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      rewritten.add(i == 41 ? "something else" : "m" + i);
    }
    for (Page p : PageFixtures.pages(asAlice, rewritten, 1_700_000_000_000L)) {
      store.put(aliceKey(p.number()), PageFixtures.seal(asAlice, p));
    }
    History h = read(bob, b);
    assertThat(kinds(h)).contains(Kind.EQUIVOCATION);
    assertThat(texts(h)).contains("m41").doesNotContain("something else");
  }

  @Test
  void junkAtEveryPowerOfTwoOfAMembersFeedStaysBounded() throws Exception {
    for (long n = 4; n <= Conversation.MAX_PAGE_NUMBER && n > 0; n *= 2) {
      store.put(aliceKey(n), "x");
    }
    for (long n = 5; n < 2_000; n++) {
      store.put(aliceKey(n), "junk");
    }
    RecordingKvStore counting = new RecordingKvStore(store);
    try (ChatClient fresh = ChatClient.builder().identity(b).store(counting).inMemoryState().build()) {
      History h = TestClients.conversations(fresh).history(Group.conversation(b, group.current()), HistoryRequest.newest(2));
      assertThat(texts(h)).hasSize(25).endsWith("m44");
      assertThat(h.warnings()).hasSize(1);
      assertThat(counting.takeCalls().size()).isLessThanOrEqualTo(60); // three feeds' tail searches
    }
  }

  @Test
  void aFrozenMemberFeedIsReportedAsWithheldThroughAnotherMembersPage() throws Exception {
    ChatClient bob = client(b);
    read(bob, b);
    Conversation asBob = Group.conversation(b, group.current());
    FeedId bobs = asBob.myFeed();
    for (String t : List.of("b0", "b1", "b2")) {
      TestClients.conversations(bob).send(asBob, Message.TEXT, new byte[0], t.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    TestClients.groups(alice).update(group);
    TestClients.groups(alice).send(group, "alice saw b2"); // Alice's page now records Bob's feed at three messages
    String bobsKey = asBob.pageKey(bobs, 1);
    store.put(bobsKey, store.history(bobsKey).get(0).value()); // Bob's page frozen at one message
    History h = read(client(c), c);
    assertThat(h.warnings()).anySatisfy(w -> {
      assertThat(w.kind()).isEqualTo(Kind.WITHHELD);
      assertThat(w.writer()).isEqualTo(b.card());
    });
  }
}
