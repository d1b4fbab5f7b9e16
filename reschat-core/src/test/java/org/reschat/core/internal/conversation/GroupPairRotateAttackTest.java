package org.reschat.core.internal.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.FeedWarning;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.internal.feed.LedgerChatClient;
import org.reschat.core.internal.group.Group;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * {@code PAIR_ROTATE} carried in a group (protocol §3.1) for a member who is not a friend of its writer: Bob and
 * Dave are in Alice's group and not friends, and Bob, hostile, writes rotations there: from a linked device's feed,
 * bound to other cards, one made for a pair he is not in (Alice's for Dave, copied), a flood, and forged
 * acknowledgements. Each is refused as in a direct chat (one rule, {@link PairTaking}); a control in each case: the
 * same bytes done right are taken, once, and acknowledged in the group.
 */
class GroupPairRotateAttackTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Identity dave = TestIdentities.named("dave");
  private ChatClient a;
  private ChatClient b;
  private ChatClient d;
  private ChatId.Group club;
  private List<FeedWarning> warned = List.of();

  @BeforeEach
  void bobAndDaveAreInAlicesGroupAndNotFriends() throws Exception {
    a = client(alice, bob.card(), dave.card());
    b = client(bob, alice.card());
    d = client(dave, alice.card());
    club = a.groups().create("club", List.of(bob.card(), dave.card()));
    b.update(ChatId.direct(alice.card()));
    d.update(ChatId.direct(alice.card()));
    b.send(club, "hello");
    d.update(club);
  }

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, PublicCard... friends) {
    List<PublicCard> cards = List.of(friends);
    return clients.client(id, new InMemoryLocalState(), () -> cards);
  }

  private static ConversationEngine engine(ChatClient c) {
    return ((LedgerChatClient) c).engine();
  }

  /** The group's current epoch as {@code who}'s client {@code c} holds it. */
  private Conversation groupOf(ChatClient c, Identity who) throws Exception {
    Group g = ((LedgerChatClient) c).groupEngine().find(club.id()).orElseThrow();
    return Group.conversation(who, g.current());
  }

  /** {@code writer} ({@code who}) writes {@code body} as a {@code type} message in its feed of the group. */
  private void write(ChatClient writer, Identity who, String type, byte[] body) throws Exception {
    engine(writer).send(groupOf(writer, who), type, new byte[0], body);
  }

  /** Dave reads the group; how many epochs of his pair with Bob he holds afterwards. */
  private int epochsAtDave() throws Exception {
    warned = d.update(club).warnings();
    return engine(d).conversationsWith(bob.card()).size();
  }

  private void refusedNamingBob(int times) {
    assertThat(warned).filteredOn(w -> w.kind() == FeedWarning.Kind.NOT_APPLIED).hasSize(times).allSatisfy(w -> {
      assertThat(w.writer()).isEqualTo(bob.card());
      assertThat(w.detail()).contains("new key").contains("not applied");
    });
  }

  /** The {@code PAIR_TAKEN}s Dave wrote in the group. */
  private long acknowledgementsByDave() throws Exception {
    return engine(d).history(groupOf(d, dave), HistoryRequest.all()).messages().stream()
        .filter(m -> m.sender().equals(dave.card()) && m.type().equals(PairRotate.TAKEN)).count();
  }

  private static byte[] secret(int n) {
    byte[] s = new byte[32];
    s[0] = (byte) n;
    s[31] = 9;
    return s;
  }

  private byte[] valid(byte[] secret) {
    return PairRotate.body(bob, dave.card(), secret, Map.of(), Hpke.standard());
  }

  @Test
  void aValidOneFromDeviceZeroIsTakenOnceAndAcknowledgedInTheGroup() throws Exception {
    write(b, bob, PairRotate.TYPE, valid(secret(1)));
    assertThat(epochsAtDave()).isEqualTo(2);
    assertThat(warned).isEmpty();
    write(b, bob, PairRotate.TYPE, valid(secret(1))); // replayed
    assertThat(epochsAtDave()).isEqualTo(2);
    assertThat(acknowledgementsByDave()).isEqualTo(1);
    assertThat(engine(d).currentWith(bob.card()).id()).isEqualTo(engine(d).conversationsWith(bob.card()).get(1).id());
  }

  @Test
  void oneFromALinkedDevicesFeedIsRefused() throws Exception {
    TestClients.Linked joined = clients.link(b, "laptop");
    List<PublicCard> aliceOnly = List.of(alice.card());
    ChatClient laptop = clients.client(joined.identity(), joined.state(), () -> aliceOnly);
    laptop.send(club, "from bob's laptop");
    write(laptop, joined.identity(), PairRotate.TYPE, valid(secret(2)));
    assertThat(epochsAtDave()).isEqualTo(1);
    refusedNamingBob(1);
    assertThat(d.history(club, HistoryRequest.all()).messages()).extracting(Message::text).contains("from bob's laptop");
    assertThat(acknowledgementsByDave()).isZero();
    write(b, bob, PairRotate.TYPE, valid(secret(2))); // control: the same body from device 0
    assertThat(epochsAtDave()).isEqualTo(2);
  }

  @Test
  void oneForOtherCardsOrForAPairItsWriterIsNotInIsRefused() throws Exception {
    // Made for Bob and Alice; and Alice's real rotation for Dave, copied into Bob's feed: neither opens for Dave.
    write(b, bob, PairRotate.TYPE, PairRotate.body(bob, alice.card(), secret(3), Map.of(), Hpke.standard()));
    write(b, bob, PairRotate.TYPE, PairRotate.body(alice, dave.card(), secret(4), Map.of(), Hpke.standard()));
    assertThat(epochsAtDave()).isEqualTo(1);
    assertThat(engine(d).conversationsWith(alice.card())).hasSize(1);
    refusedNamingBob(2);
    assertThat(acknowledgementsByDave()).isZero();
    write(a, alice, PairRotate.TYPE, PairRotate.body(alice, dave.card(), secret(4), Map.of(), Hpke.standard()));
    d.update(club); // control: the same body in Alice's feed is Dave's new key with her
    assertThat(engine(d).conversationsWith(alice.card())).hasSize(2);
    assertThat(engine(d).conversationsWith(bob.card())).hasSize(1);
  }

  @Test
  void aFloodAddsAtMostTheLimitAndAcknowledgesEachTakenOnce() throws Exception {
    for (int n = 0; n < PairEpochs.MAX_LATER + 4; n++) {
      write(b, bob, PairRotate.TYPE, valid(secret(100 + n)));
    }
    assertThat(epochsAtDave()).isEqualTo(1 + PairEpochs.MAX_LATER);
    refusedNamingBob(4);
    assertThat(acknowledgementsByDave()).isEqualTo(PairEpochs.MAX_LATER);
    b.send(club, "still readable");
    assertThat(d.update(club).received()).extracting(Message::text).contains("still readable");
  }

  @Test
  void anAcknowledgementCountsOnlyFromTheMembersFirstDeviceAndOnlyForAnEpochWaiting() throws Exception {
    // Alice waits for Dave to take a new key of their pair; Bob, and Dave's linked device, write PAIR_TAKEN first.
    byte[] p = secret(5);
    engine(a).pairs().keep(dave.card(), p, false);
    write(b, bob, PairRotate.TAKEN, "{\"v\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    TestClients.Linked joined = clients.link(d, "dave's laptop");
    List<PublicCard> aliceOnly = List.of(alice.card());
    ChatClient davesLaptop = clients.client(joined.identity(), joined.state(), () -> aliceOnly);
    write(davesLaptop, joined.identity(), PairRotate.TAKEN, "{\"v\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    a.update(club);
    assertThat(engine(a).pairs().waiting(dave.card())).isTrue(); // neither counted
    assertThat(engine(a).pairs().rekeyed(bob.card())).isFalse(); // nothing waited for Bob: nothing changed
    write(d, dave, PairRotate.TAKEN, "{\"v\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // control
    a.update(club);
    assertThat(engine(a).pairs().waiting(dave.card())).isFalse();
    assertThat(engine(a).currentWith(dave.card()).id()).isEqualTo(PairRotate.epochId(alice, dave.card(), p));
  }
}
