package org.reschat.core.internal.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
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
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.internal.feed.LedgerChatClient;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A hostile friend (or a hostile device of theirs) writes {@code PAIR_ROTATE}s into the direct chat (protocol
 * §3.1): from a linked device's feed, sealed to the wrong key, bound to other cards, naming another epoch than
 * the one sealed, replayed, oversized, or a flood of valid ones. Each is refused (the chat keeps its epochs, nothing
 * is written in a new one, the reader reads on) except a valid one from device 0, taken once; the flood adds at
 * most {@link PairEpochs#MAX_LATER} epochs. A control in each case: the same bytes done right are taken.
 */
class PairRotateAttackTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Identity carol = TestIdentities.named("carol");
  private ChatClient a;
  private ChatClient b;

  @BeforeEach
  void friends() throws Exception {
    a = client(alice, bob.card());
    b = client(bob, alice.card());
    b.send(ChatId.direct(alice.card()), "hello");
    receiveAll(a);
  }

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, PublicCard... friends) {
    List<PublicCard> cards = List.of(friends);
    return clients.client(id, new InMemoryLocalState(), () -> cards);
  }

  private static void receiveAll(ChatClient client) throws Exception {
    client.receiver().receive(Receiver.Scope.everything(), e -> { });
  }

  private static ConversationEngine engine(ChatClient c) {
    return ((LedgerChatClient) c).engine();
  }

  /** {@code writer} writes {@code body} as a {@code PAIR_ROTATE} in its own feed of the chat with Alice. */
  private void write(ChatClient writer, byte[] body) throws Exception {
    engine(writer).send(engine(writer).conversationWith(alice.card()), PairRotate.TYPE, new byte[0], body);
  }

  /** What Alice's last read of the chat warned of. */
  private List<FeedWarning> warned = List.of();

  /** Alice reads the chat; how many epochs she holds with Bob afterwards. */
  private int epochsAtAlice() throws Exception {
    warned = a.update(ChatId.direct(bob.card())).warnings();
    return engine(a).conversationsWith(bob.card()).size();
  }

  /** Alice's last read warned that Bob's new key was not applied, {@code times} times, and of nothing else. */
  private void refusedNamingBob(int times) {
    assertThat(warned).hasSize(times).allSatisfy(w -> {
      assertThat(w.kind()).isEqualTo(FeedWarning.Kind.NOT_APPLIED);
      assertThat(w.writer()).isEqualTo(bob.card());
      assertThat(w.detail()).contains("new key").contains("not applied");
    });
  }

  private static byte[] secret(int n) {
    byte[] s = new byte[32];
    s[0] = (byte) n;
    s[31] = 7;
    return s;
  }

  /** A body sealing {@code secret} to {@code to} under the associated data of {@code x}, {@code y} and {@code epoch}. */
  private static byte[] body(String epoch, byte[] to, PublicCard x, PublicCard y, byte[] secret) {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("epoch", epoch);
    o.addProperty("friend", Base64Url.encode(Hpke.standard().seal(to, PairRotate.INFO, PairRotate.aad(x, y, epoch), secret)));
    o.add("devices", new JsonObject());
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] valid(byte[] secret) {
    return PairRotate.body(bob, alice.card(), secret, Map.of(), Hpke.standard());
  }

  @Test
  void aValidOneFromDeviceZeroIsTakenOnceAndAcknowledged() throws Exception {
    write(b, valid(secret(1)));
    assertThat(epochsAtAlice()).isEqualTo(2);
    assertThat(warned).isEmpty();
    write(b, valid(secret(1))); // replayed: the same epoch again changes nothing
    assertThat(epochsAtAlice()).isEqualTo(2);
    assertThat(warned).isEmpty();
    Conversation next = engine(a).conversationsWith(bob.card()).get(1);
    assertThat(engine(a).currentWith(bob.card()).id()).isEqualTo(next.id()); // Bob made it: he holds it
    assertThat(engine(a).history(next, HistoryRequest.all()).messages()).extracting(Message::type)
        .containsExactly(PairRotate.TAKEN); // acknowledged once, in the new epoch (no notice: Bob has not written there)
  }

  @Test
  void oneFromALinkedDevicesFeedIsRefused() throws Exception {
    TestClients.Linked joined = clients.link(b, "laptop");
    List<PublicCard> aliceOnly = List.of(alice.card());
    ChatClient laptop = clients.client(joined.identity(), joined.state(), () -> aliceOnly);
    laptop.send(ChatId.direct(alice.card()), "from bob's laptop"); // Alice reads its feed
    write(laptop, valid(secret(2)));
    assertThat(epochsAtAlice()).isEqualTo(1);
    refusedNamingBob(1);
    assertThat(a.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()).extracting(Message::text)
        .contains("from bob's laptop");
    write(b, valid(secret(2))); // control: the same body from device 0
    assertThat(epochsAtAlice()).isEqualTo(2);
  }

  @Test
  void oneSealedToAnotherKeyOrNotSealedIsRefused() throws Exception {
    String epoch = PairRotate.epochId(alice, bob.card(), secret(3));
    write(b, body(epoch, bob.card().encryptionKey(), alice.card(), bob.card(), secret(3)));
    JsonObject garbage = JsonParser.parseString(new String(valid(secret(3)), StandardCharsets.UTF_8)).getAsJsonObject();
    garbage.addProperty("friend", "AAAA");
    write(b, garbage.toString().getBytes(StandardCharsets.UTF_8));
    write(b, "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
    write(b, new byte[] {(byte) 0xff, 0});
    assertThat(epochsAtAlice()).isEqualTo(1);
    refusedNamingBob(4);
    write(b, body(epoch, alice.card().encryptionKey(), alice.card(), bob.card(), secret(3))); // control
    assertThat(epochsAtAlice()).isEqualTo(2);
  }

  @Test
  void oneBoundToOtherCardsIsRefused() throws Exception {
    // Sealed to Alice's key, but for the chat of Bob and Carol: copied from there, or made to look so.
    String epoch = PairRotate.epochId(alice, bob.card(), secret(4));
    write(b, body(epoch, alice.card().encryptionKey(), bob.card(), carol.card(), secret(4)));
    write(b, PairRotate.body(bob, carol.card(), secret(4), Map.of(), Hpke.standard()));
    assertThat(epochsAtAlice()).isEqualTo(1);
    refusedNamingBob(2);
  }

  @Test
  void oneNamingAnotherEpochThanTheSecretSealedIsRefused() throws Exception {
    String other = PairRotate.epochId(alice, bob.card(), secret(6));
    write(b, body(other, alice.card().encryptionKey(), alice.card(), bob.card(), secret(5)));
    assertThat(epochsAtAlice()).isEqualTo(1);
    refusedNamingBob(1);
  }

  @Test
  void anOversizedOneIsRefusedUnread() throws Exception {
    JsonObject big = JsonParser.parseString(new String(valid(secret(7)), StandardCharsets.UTF_8)).getAsJsonObject();
    JsonObject devices = new JsonObject();
    for (int k = 1; k <= 40; k++) {
      devices.addProperty(Integer.toString(k), Base64Url.encode(new byte[80]));
    }
    big.add("devices", devices);
    byte[] bytes = big.toString().getBytes(StandardCharsets.UTF_8);
    assertThat(bytes.length).isGreaterThan(PairRotate.MAX_BODY);
    write(b, bytes);
    assertThat(epochsAtAlice()).isEqualTo(1);
    refusedNamingBob(1);
    assertThat(PairRotate.open(alice, bob.card(), bob.card(), bytes)).isEmpty();
  }

  @Test
  void aFloodOfValidOnesAddsAtMostTheLimit() throws Exception {
    for (int n = 0; n < PairEpochs.MAX_LATER + 8; n++) {
      write(b, valid(secret(100 + n)));
    }
    assertThat(epochsAtAlice()).isEqualTo(1 + PairEpochs.MAX_LATER);
    refusedNamingBob(8); // the ones past the limit
    b.send(ChatId.direct(alice.card()), "still readable");
    receiveAll(a);
    assertThat(a.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()).extracting(Message::text)
        .contains("hello", "still readable");
  }

  @Test
  void anAcknowledgementTheStoreRefusedIsWrittenLaterAndOnce() throws Exception {
    // Carol's client writes through a store that refuses every write for a while; Alice starts a new epoch with her.
    java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
    TestClients carolsStore = new TestClients(new org.reschat.kv.ForwardingKvStore(store) {
      @Override
      public void put(String key, String value) throws org.reschat.kv.KvException {
        if (down.get()) {
          throw new org.reschat.kv.KvUnavailableException("down for the test");
        }
        super.put(key, value);
      }
    }, clock);
    try {
      List<PublicCard> aliceOnly = List.of(alice.card());
      ChatClient c = carolsStore.client(carol, new InMemoryLocalState(), () -> aliceOnly);
      c.send(ChatId.direct(alice.card()), "hi alice");
      byte[] p = secret(9);
      engine(a).pairs().keep(carol.card(), p, false);
      engine(a).send(engine(a).conversationWith(carol.card()), PairRotate.TYPE, new byte[0],
          PairRotate.body(alice, carol.card(), p, Map.of(), Hpke.standard()));
      down.set(true);
      assertThat(c.update(ChatId.direct(alice.card())).pending()).isEqualTo(1); // the acknowledgement, queued
      assertThat(c.update(ChatId.direct(alice.card())).pending()).isEqualTo(1); // read again: still one, not two
      down.set(false);
      c.update(ChatId.direct(alice.card())); // published now
      a.update(ChatId.direct(carol.card()));
      Conversation next = Conversation.of(alice, p, List.of(alice.card(), carol.card()));
      assertThat(engine(a).currentWith(carol.card()).id()).isEqualTo(next.id());
      assertThat(engine(a).history(next, HistoryRequest.all()).messages()).extracting(Message::type)
          .containsExactly(PairRotate.TAKEN, ReadsRecord.TYPE); // Alice's notice: Carol wrote there (§4.7)
    } finally {
      carolsStore.close();
    }
  }

  @Test
  void aStoreThatFailsAtTheNewFeedDelaysTheAcknowledgementToTheNextRead() throws Exception {
    byte[] p = secret(11);
    Conversation next = Conversation.of(carol, p, List.of(alice.card(), carol.card()));
    String first = next.pageKey(next.myFeed(), 1); // what Carol's client reads before it writes there
    java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
    TestClients carolsStore = new TestClients(new org.reschat.kv.ForwardingKvStore(store) {
      @Override
      public java.util.Optional<String> get(String key) throws org.reschat.kv.KvException {
        if (down.get() && key.equals(first)) {
          throw new org.reschat.kv.KvUnavailableException("down for the test");
        }
        return super.get(key);
      }

      @Override
      public java.util.Map<String, org.reschat.kv.KvRead> getAll(java.util.Collection<String> keys)
          throws org.reschat.kv.KvException {
        if (down.get() && keys.contains(first)) {
          throw new org.reschat.kv.KvUnavailableException("down for the test");
        }
        return super.getAll(keys);
      }
    }, clock);
    try {
      List<PublicCard> aliceOnly = List.of(alice.card());
      ChatClient c = carolsStore.client(carol, new InMemoryLocalState(), () -> aliceOnly);
      c.send(ChatId.direct(alice.card()), "hi alice");
      engine(a).pairs().keep(carol.card(), p, false);
      engine(a).send(engine(a).conversationWith(carol.card()), PairRotate.TYPE, new byte[0],
          PairRotate.body(alice, carol.card(), p, Map.of(), Hpke.standard()));
      down.set(true);
      // The read takes the key, then fails as any read of a store that fails (nothing delivered, nothing lost).
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.update(ChatId.direct(alice.card())))
          .isInstanceOf(org.reschat.kv.KvUnavailableException.class);
      assertThat(engine(c).conversationsWith(alice.card())).hasSize(2);
      down.set(false);
      org.reschat.core.Update u = c.update(ChatId.direct(alice.card())); // held: this read acknowledges it
      assertThat(u.received()).extracting(Message::type).contains(PairRotate.TYPE); // delivered now, once
      a.update(ChatId.direct(carol.card()));
      assertThat(engine(a).currentWith(carol.card()).id()).isEqualTo(next.id());
    } finally {
      carolsStore.close();
    }
  }
}
