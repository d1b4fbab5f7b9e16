package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.feed.LedgerChatClient;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * The attack of issue 23's last gap (protocol §15.7): a revoked device K holds the identity's X25519 secret, so
 * with nothing but its profile it derives every pair secret of §3. After the revocation the person and a friend
 * exchange messages and the person starts a new group epoch; K, hostile, tries to read them: through its own
 * client (which reads the direct chat as any device does) and by opening every wrap of a {@code GROUP_ROTATE}
 * under every pair secret it derives. Revocation must leave it out of every later key.
 */
class RevokedDeviceReadsTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Identity carol = TestIdentities.named("carol");
  /** Bob's friend, not Alice's: no direct chat with her to rekey. */
  private final Identity dave = TestIdentities.named("dave");
  private ChatClient phone;
  private ChatClient b;
  private ChatClient c;
  private ChatClient d;
  private Identity k;
  private InMemoryLocalState kState;
  private ChatId.Group trip;
  /** Bob's group of Alice and Dave, who are not friends. */
  private ChatId.Group hike;

  @BeforeEach
  void aliceLinkedHerLaptopAndRevokedIt() throws Exception {
    phone = client(alice, new InMemoryLocalState(), bob.card(), carol.card());
    b = client(bob, new InMemoryLocalState(), alice.card(), dave.card());
    c = client(carol, new InMemoryLocalState(), alice.card());
    d = client(dave, new InMemoryLocalState(), bob.card());
    trip = phone.groups().create("trip", List.of(bob.card(), carol.card()));
    b.update(ChatId.direct(alice.card()));
    c.update(ChatId.direct(alice.card()));
    hike = b.groups().create("hike", List.of(alice.card(), dave.card()));
    phone.update(ChatId.direct(bob.card()));
    d.update(ChatId.direct(bob.card()));
    d.send(hike, "hike, before");
    phone.send(ChatId.direct(bob.card()), "before the revocation");
    TestClients.Linked laptop = clients.link(phone, "laptop");
    kState = laptop.state();
    k = laptop.identity();
    client(k, kState, bob.card(), carol.card()).history(ChatId.direct(bob.card()), HistoryRequest.all());
    phone.devices().revoke(1);
    clock.advance(java.time.Duration.ofMinutes(1)); // what follows is written later than what came before
  }

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, InMemoryLocalState state, PublicCard... friends) {
    List<PublicCard> cards = List.of(friends);
    return clients.client(id, state, () -> cards);
  }

  /** A receive pass of everything, as the CLI's receive runs it. */
  private static void receiveAll(ChatClient client) throws Exception {
    client.receiver().receive(Receiver.Scope.everything(), e -> { });
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text).toList();
  }

  @Test
  void aRevokedDeviceReadsNoDirectMessageWrittenAfterTheFriendTookTheNewKey() throws Exception {
    receiveAll(b); // Bob's client reads the revocation (and whatever comes with it)
    receiveAll(phone);
    phone.send(ChatId.direct(bob.card()), "after, from alice");
    receiveAll(b);
    b.send(ChatId.direct(alice.card()), "after, from bob");
    // Both sides show the whole chat, old and new.
    assertThat(texts(phone.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()))
        .containsExactly("before the revocation", "after, from alice", "after, from bob");
    assertThat(texts(b.history(ChatId.direct(alice.card()), HistoryRequest.all()).messages()))
        .containsExactly("before the revocation", "after, from alice", "after, from bob");
    // K, with its profile as it was and with a fresh one: what it read before, nothing after.
    for (InMemoryLocalState state : List.of(kState, new InMemoryLocalState())) {
      ChatClient thief = client(k, state, bob.card(), carol.card());
      assertThat(texts(thief.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()))
          .containsExactly("before the revocation");
    }
  }

  @Test
  void aRevokedDeviceOpensNoWrapOfAGroupEpochStartedAfterTheRevocation() throws Exception {
    receiveAll(b);
    receiveAll(c);
    receiveAll(phone); // both friends took the new keys of their chats: the group gets a new key under them
    org.reschat.core.internal.group.Group atPhone = ((LedgerChatClient) phone).groupEngine().find(trip.id()).orElseThrow();
    assertThat(atPhone.epochs()).hasSize(2);
    receiveAll(b);
    receiveAll(c);
    for (ChatClient member : List.of(b, c)) {
      assertThat(((LedgerChatClient) member).groupEngine().find(trip.id()).orElseThrow().current().id())
          .isEqualTo(atPhone.current().id());
    }
    phone.groups().remove(trip, carol.card()); // a new epoch of Alice and Bob
    phone.send(trip, "group, after");
    receiveAll(b);
    assertThat(texts(b.history(trip, HistoryRequest.all()).messages())).contains("group, after");
    // K reads every epoch it holds, finds the rotations there and tries every wrap under every pair secret it derives.
    ChatClient thief = client(k, kState, bob.card(), carol.card());
    List<byte[]> opened = new ArrayList<>();
    for (Message m : thief.history(trip, HistoryRequest.all()).messages()) {
      if (m.type().equals("GROUP_ROTATE")) {
        JsonObject op = JsonParser.parseString(new String(m.body(), StandardCharsets.UTF_8)).getAsJsonObject();
        byte[] aad = ("reschat/v2 epoch wrap\0" + op.get("group").getAsString() + "\0" + op.get("epoch").getAsString())
            .getBytes(StandardCharsets.UTF_8);
        for (JsonElement w : op.getAsJsonArray("wraps")) {
          for (PublicCard member : List.of(bob.card(), carol.card())) {
            unwrap(Conversation.pair(k, member), w.getAsString(), aad).ifPresent(opened::add);
          }
        }
      }
    }
    List<String> read = new ArrayList<>();
    LedgerChatClient engineOfK = (LedgerChatClient) thief;
    for (byte[] secret : opened) {
      Conversation epoch = Conversation.of(k, secret, List.of(alice.card(), bob.card()));
      read.addAll(texts(engineOfK.engine().history(epoch, HistoryRequest.all()).messages()));
    }
    assertThat(read).doesNotContain("group, after");
    assertThat(opened).isEmpty();
  }

  @Test
  void aRevokedDeviceReadsNoGroupMessageWrittenAfterTheRevocationWhereAMemberIsNotAFriend() throws Exception {
    // Dave has no direct chat with Alice: the new key of their pair goes to him in the group, and he takes it there.
    assertThat(phone.devices().notYetRekeyed()).contains(dave.card()); // 'device revoke' names him meanwhile
    for (int pass = 0; pass < 3; pass++) {
      for (ChatClient each : List.of(b, d, phone)) {
        receiveAll(each);
      }
    }
    assertThat(phone.devices().notYetRekeyed()).doesNotContain(dave.card());
    org.reschat.core.internal.group.Group atPhone = ((LedgerChatClient) phone).groupEngine().find(hike.id()).orElseThrow();
    assertThat(atPhone.epochs()).hasSize(2); // rotated once every other member took the new key
    phone.send(hike, "hike, after");
    d.send(hike, "hike, after, from dave");
    receiveAll(b);
    receiveAll(d);
    for (ChatClient member : List.of(b, d, phone)) {
      assertThat(texts(member.history(hike, HistoryRequest.all()).messages()))
          .contains("hike, before", "hike, after", "hike, after, from dave");
    }
    // K, with its profile as it was and with a fresh one: the group as it held it, nothing of the new epoch.
    for (InMemoryLocalState state : List.of(kState, new InMemoryLocalState())) {
      ChatClient thief = client(k, state, bob.card(), carol.card());
      receiveAll(thief); // a fresh profile takes Bob's invitation from the chat of epoch 0 it derives
      assertThat(thief.groups().list()).anyMatch(g -> g.id().equals(hike));
      assertThat(texts(thief.history(hike, HistoryRequest.all()).messages())).contains("hike, before")
          .doesNotContain("hike, after", "hike, after, from dave");
    }
  }

  @Test
  void aRevokedDeviceReadsNoInvitationToAGroupCreatedAfterTheFriendTookTheNewKey() throws Exception {
    receiveAll(b);
    receiveAll(phone);
    ChatId.Group later = phone.groups().create("later", List.of(bob.card()));
    phone.send(later, "in the later group");
    receiveAll(b);
    assertThat(texts(b.history(later, HistoryRequest.all()).messages())).contains("in the later group");
    // K reads the direct chat it derives (a fresh profile, which takes every invitation it finds there): no invitation.
    ChatClient thief = client(k, new InMemoryLocalState(), bob.card(), carol.card());
    receiveAll(thief);
    assertThat(thief.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages())
        .filteredOn(m -> m.type().equals("GROUP_INVITE")).hasSize(2); // the trip's and the hike's, from before the revocation
    assertThat(thief.groups().list()).noneMatch(g -> g.name().equals("later"));
  }

  private static Optional<byte[]> unwrap(Conversation pair, String wrap, byte[] aad) {
    try {
      return Optional.of(pair.secretWraps().decrypt(Base64Url.decode(wrap).orElseThrow(), aad));
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
