package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.feed.ConversationEngine;
import org.reschat.core.internal.feed.LedgerChatClient;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageCodec;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Protocol §4.7: a page of version 4 may carry a sender tag instead of a signature, and the friend takes it on the
 * envelope alone. A revoked device holds the pair secret of every epoch it knew and its identity's self seed, so it
 * can make such a page in any feed of those epochs. These are its attacks: each must fail for a reader that knows
 * of the revocation, or of a newer epoch. What a forger makes here uses only what a revoked device holds (the pair
 * secret, the self seed): the pages are tagged, never signed.
 */
class UnsignedTailAttackTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private ChatClient a;
  private ChatClient b;

  @BeforeEach
  void aliceAndBobChatInVersion4() throws Exception {
    a = client(alice, new InMemoryLocalState(), bob.card());
    b = client(bob, new InMemoryLocalState(), alice.card());
    a.send(ChatId.direct(bob.card()), "hello");
    b.update(ChatId.direct(alice.card())); // Bob's first read: his notice that he reads version 4
    b.send(ChatId.direct(alice.card()), "hi");
    a.update(ChatId.direct(bob.card())); // Alice learns it, and writes her own
    b.update(ChatId.direct(alice.card()));
    a.send(ChatId.direct(bob.card()), "tagged");
    assertThat(tail(alice, bob.card()).isTagged()).as("both read version 4: Alice's tail carries a tag").isTrue();
    assertThat(texts(b.update(ChatId.direct(alice.card())).received())).containsExactly("tagged");
  }

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, InMemoryLocalState state, PublicCard... friends) {
    List<PublicCard> cards = List.of(friends);
    return clients.client(id, state, () -> cards);
  }

  private static ConversationEngine engine(ChatClient c) {
    return ((LedgerChatClient) c).engine();
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text).toList();
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

  /**
   * What a revoked device of {@code owner} writes: {@code tail} of owner's identity feed in epoch 0 grown by
   * {@code text}, tagged under the self seed it holds and sealed under the pair secret it holds. No identity key.
   */
  private void forge(Identity owner, PublicCard friend, Page tail, String text) throws Exception {
    Conversation c = Conversation.pair(owner, friend).withTails(new TailRule(true, true));
    Page forged = new PageWriter(c).append(tail, tail.heads(), new SlotSeal.Draft("TEXT", clock.millis(), new byte[0],
        text.getBytes(StandardCharsets.UTF_8)));
    assertThat(forged.isTagged()).isTrue();
    String key = c.pageKey(c.myFeed(), forged.number());
    store.put(key, Envelope.seal(c, key, forged));
  }

  /**
   * Both read the new device's notice; then {@code from} writes a page's worth to {@code to}, who reads it: the device notice a link wrote (a signed type) is
   * left on a full page, and the tail both hold is an unsigned one of plain messages.
   */
  private void pageOfChatter(ChatClient from, PublicCard fromCard, ChatClient to, PublicCard toCard) throws Exception {
    from.update(ChatId.direct(toCard)); // the new device's notice that it reads version 4, and the friend's view of it
    to.update(ChatId.direct(fromCard));
    for (int i = 0; i < 20; i++) {
      from.send(ChatId.direct(toCard), "chatter " + i);
    }
    to.update(ChatId.direct(fromCard));
  }

  private static boolean forgedWarning(History h, PublicCard writer) {
    return h.warnings().stream().anyMatch(w -> w.kind() == FeedWarning.Kind.FORGED && w.writer().equals(writer));
  }

  @Test
  void bobsRevokedDeviceCannotWriteUnsignedIntoBobsFeedForAReaderWhoReadTheRevocation() throws Exception {
    TestClients.Linked laptop = clients.link(b, "laptop");
    client(laptop.identity(), laptop.state(), alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    pageOfChatter(b, bob.card(), a, alice.card());
    Page known = tail(bob, alice.card()); // Bob's tail as Alice verified it, and as the laptop can read it
    assertThat(known.isTagged()).isTrue();
    b.devices().revoke(1);
    engine(a).devices().refresh(List.of(bob.card()), true); // Alice has read Bob's list: the revocation, nothing else
    forge(bob, alice.card(), known, "from bob, honest");
    History h = a.history(ChatId.direct(bob.card()), HistoryRequest.all());
    assertThat(texts(h.messages())).doesNotContain("from bob, honest");
    assertThat(forgedWarning(h, bob.card())).isTrue();
  }

  @Test
  void alicesOwnRevokedDeviceCannotWriteUnsignedIntoHerFeedForHerFriendOrHerself() throws Exception {
    TestClients.Linked laptop = clients.link(a, "laptop");
    client(laptop.identity(), laptop.state(), bob.card()).history(ChatId.direct(bob.card()), HistoryRequest.all());
    pageOfChatter(a, alice.card(), b, bob.card());
    Page known = tail(alice, bob.card());
    assertThat(known.isTagged()).isTrue();
    a.devices().revoke(1);
    engine(b).devices().refresh(List.of(alice.card()), true);
    forge(alice, bob.card(), known, "from alice, honest");
    History bobs = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(bobs.messages())).doesNotContain("from alice, honest");
    assertThat(forgedWarning(bobs, alice.card())).isTrue();
    // Her phone, which knows its own revocation: the tag is hers (the laptop holds her self seed), and still no.
    assertThat(texts(a.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()))
        .doesNotContain("from alice, honest");
  }

  @Test
  void aRevokedDeviceCannotWriteUnsignedIntoARetiredEpoch() throws Exception {
    TestClients.Linked laptop = clients.link(a, "laptop");
    client(laptop.identity(), laptop.state(), bob.card()).history(ChatId.direct(bob.card()), HistoryRequest.all());
    a.devices().revoke(1); // Alice's phone starts epoch 1 with Bob
    b.update(ChatId.direct(alice.card())); // Bob takes it and writes there from now on
    a.update(ChatId.direct(bob.card()));
    assertThat(engine(a).currentWith(bob.card()).id()).isNotEqualTo(engine(a).conversationWith(bob.card()).id());
    // The laptop holds epoch 0's secret: it grows Bob's epoch-0 tail, the friend's feed, for Alice's devices to read.
    forge(bob, alice.card(), tail(bob, alice.card()), "from bob, late");
    History h = a.history(ChatId.direct(bob.card()), HistoryRequest.all());
    assertThat(texts(h.messages())).doesNotContain("from bob, late");
    assertThat(forgedWarning(h, bob.card())).isTrue();
  }

  @Test
  void aTaggedPageBobWritesIntoAlicesFeedIsAForgeryToEveryDeviceOfHers() throws Exception {
    // Bob holds the pair secret, so his page opens at Alice's key; his tag is under his own self seed, not hers.
    Conversation ba = Conversation.pair(bob, alice.card()).withTails(new TailRule(true, true));
    org.reschat.core.spi.FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
    assertThat(tail(alice, bob.card()).number()).isEqualTo(1);
    Page bobs = new PageWriter(ba).append(null, List.of(), new SlotSeal.Draft("TEXT", clock.millis(), new byte[0],
        "from alice, says bob".getBytes(StandardCharsets.UTF_8)));
    assertThat(bobs.isTagged()).isTrue();
    String key = ba.pageKey(alicesFeed, 1);
    for (ChatClient device : List.of(a, client(alice, new InMemoryLocalState(), bob.card()))) {
      store.put(key, Envelope.seal(ba, key, bobs)); // over her tail, page 1 (again: her phone writes hers back)
      History h = device.history(ChatId.direct(bob.card()), HistoryRequest.all());
      assertThat(texts(h.messages())).doesNotContain("from alice, says bob");
      assertThat(h.warnings()).anyMatch(w -> w.kind() == FeedWarning.Kind.FORGED);
    }
  }

  @Test
  void leavingAnEpochSignsTheOpenTailSoTheFriendStillSeesIt() throws Exception {
    a.send(ChatId.direct(bob.card()), "last in epoch 0");
    assertThat(tail(alice, bob.card()).isTagged()).isTrue();
    TestClients.Linked laptop = clients.link(b, "laptop");
    client(laptop.identity(), laptop.state(), alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    b.devices().revoke(1); // Bob starts epoch 1: to him, unsigned versions of epoch 0 no longer count
    a.update(ChatId.direct(bob.card())); // Alice takes it: first her epoch-0 tail once more, signed
    Page resigned = tail(alice, bob.card());
    assertThat(resigned.isTagged()).isFalse();
    History bobs = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(bobs.messages())).contains("last in epoch 0");
    // Bob's own pages name the tagged version in their heads: the same messages, signed since; nothing to report.
    assertThat(bobs.warnings()).isEmpty();
    assertThat(a.history(ChatId.direct(bob.card()), HistoryRequest.all()).warnings()).isEmpty();
    a.send(ChatId.direct(bob.card()), "first in epoch 1");
    assertThat(texts(b.update(ChatId.direct(alice.card())).received())).contains("first in epoch 1");
  }
}
