package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
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
import org.reschat.core.Update;
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
import org.reschat.core.internal.page.RecordCodec;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * Protocol §4.7: a page of version 4 may carry a sender tag instead of a signature, and the friend takes it on the
 * envelope alone. A revoked device holds the pair secret of every epoch it knew and its identity's self seed, so it
 * can make such a page in any feed of those epochs. These are its attacks: each must fail for a reader that knows
 * of the revocation, or of a newer epoch. What a forger makes here uses only what a revoked device holds (the pair
 * secret, the self seed): the pages are tagged, never signed. A reader that knows of the closing holds a tagged
 * version back (not shown, not reported: its writer may not have learnt yet) until something signed of the writer's
 * commits to it (its tail signed again, or the page after it linking to it); one that the writer's signed pages
 * contradict is FORGED to that reader, and the writer's own device, which knows what it wrote, is told at once.
 * Where the open tail is slot records (§4.8) the same attacks are made with tagged records, held back the same way
 * until the writer's signed page or record commits to the messages.
 */
class UnsignedTailAttackTest {
  private final RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
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
   * {@code owner}'s open tail in epoch 0 as a page: its tagged tail page, or, where the tail is records (§4.8), the
   * page its records make. A revoked device grows it by a tagged page at its key either way.
   */
  private Page openTail(Identity owner, PublicCard friend) throws Exception {
    Page top = tail(owner, friend);
    List<SlotRecord> open = records(owner, friend, top.number() + 1);
    if (open.isEmpty()) {
      assertThat(top.isTagged()).isTrue();
      return top;
    }
    return new RecordWriter(Conversation.pair(owner, friend)).close(open);
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
    Page known = openTail(bob, alice.card()); // Bob's tail as Alice verified it, and as the laptop can read it
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
    Page known = openTail(alice, bob.card());
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
    assertThat(h.warnings()).as("to Alice it may be Bob's, written before he learnt: held back, evidence of nothing")
        .isEmpty();
    // Bob's phone, the feed's writer, knows it wrote no such version: it is told, and writes its own back over it.
    History bobs = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(bobs.messages())).doesNotContain("from bob, late");
    assertThat(forgedWarning(bobs, bob.card())).isTrue();
    b.update(ChatId.direct(alice.card()));
    assertThat(tail(bob, alice.card()).isTagged()).as("Bob's signed tail is back at its key").isFalse();
    History again = a.history(ChatId.direct(bob.card()), HistoryRequest.all());
    assertThat(texts(again.messages())).doesNotContain("from bob, late");
    assertThat(again.warnings()).isEmpty();
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

  @Test
  void aReaderThatLearnsOfTheClosingFirstHoldsAnHonestTaggedPageBackUntilTheWriterLeavesTheEpoch() throws Exception {
    TestClients.Linked laptop = clients.link(b, "laptop");
    client(laptop.identity(), laptop.state(), alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    b.devices().revoke(1); // Bob starts epoch 1: to him, tags of epoch 0 no longer count
    a.send(ChatId.direct(bob.card()), "last in epoch 0"); // Alice has not learnt of it: a tagged version of her tail
    assertThat(tail(alice, bob.card()).isTagged()).isTrue();
    Update received = b.update(ChatId.direct(alice.card()));
    assertThat(texts(received.received())).isEmpty();
    assertThat(received.warnings()).as("a receive: not reported either").isEmpty();
    Conversation alices = Conversation.pair(alice, bob.card());
    String tailKey = alices.pageKey(alices.myFeed(), 1);
    store.takeCalls();
    assertThat(b.update(ChatId.direct(alice.card())).received()).isEmpty();
    assertThat(store.takeCalls()).as("a receive reads the page held back once, as any tail")
        .filteredOn(call -> call.keys().contains(tailKey) || tailKey.equals(call.key())).hasSize(1);
    History before = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(before.messages())).as("held back, not shown").contains("tagged")
        .doesNotContain("last in epoch 0");
    assertThat(before.warnings()).as("and not reported: nobody forged anything").isEmpty();

    a.update(ChatId.direct(bob.card())); // Alice takes epoch 1: first her epoch-0 tail once more, signed
    assertThat(tail(alice, bob.card()).isTagged()).isFalse();
    assertThat(texts(b.update(ChatId.direct(alice.card())).received())).containsExactly("last in epoch 0");
    History after = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(after.messages())).containsOnlyOnce("last in epoch 0");
    assertThat(after.warnings()).isEmpty();
  }

  @Test
  void whereTagsNoLongerCountATaggedVersionOlderThanTheVerifiedIsARollbackAndOneChangingItIsForged() throws Exception {
    Conversation alices = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true));
    String key = alices.pageKey(alices.myFeed(), 1);
    String older = store.get(key).orElseThrow(); // Alice's tagged page 1: "hello", "tagged", which Bob verified
    a.send(ChatId.direct(bob.card()), "more");
    assertThat(texts(b.update(ChatId.direct(alice.card())).received())).containsExactly("more");
    TestClients.Linked laptop = clients.link(b, "laptop");
    client(laptop.identity(), laptop.state(), alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    b.devices().revoke(1);

    store.put(key, older); // the ledger serves Alice's earlier tagged version again
    History replayed = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(replayed.messages())).containsSubsequence("hello", "tagged", "more");
    assertThat(replayed.warnings()).anyMatch(w -> w.kind() == FeedWarning.Kind.ROLLBACK);

    Page other = new PageWriter(alices).append(null, List.of(), new SlotSeal.Draft("TEXT", clock.millis(),
        new byte[0], "rewritten".getBytes(StandardCharsets.UTF_8)));
    store.put(key, Envelope.seal(alices, key, other)); // a tagged page 1 whose messages are not those Bob verified
    History rewritten = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(rewritten.messages())).containsSubsequence("hello", "tagged", "more").doesNotContain("rewritten");
    assertThat(forgedWarning(rewritten, alice.card())).isTrue();
  }

  @Test
  void anHonestTaggedPageClosedBySizeBeforeItsWriterLearntCountsOnceHerSignedNextPageLinksToIt() throws Exception {
    TestClients.Linked laptop = clients.link(b, "laptop");
    client(laptop.identity(), laptop.state(), alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    b.devices().revoke(1);
    List<String> large = new ArrayList<>();
    Conversation alices = Conversation.pair(alice, bob.card());
    while (store.get(alices.pageKey(alices.myFeed(), 2)).isEmpty() && records(alice, bob.card(), 2).isEmpty()) {
      assertThat(large).as("a page holds at most four such messages").hasSizeLessThan(5);
      large.add(large.size() + "x".repeat(15_000));
      a.send(ChatId.direct(bob.card()), large.get(large.size() - 1)); // Alice has not learnt: page 1 grows tagged
    }
    Page first = pageAt(alice, bob.card(), 1);
    assertThat(first.isTagged()).as("page 1, closed by size before Alice learnt, is tagged").isTrue();
    History before = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(before.messages())).doesNotContainAnyElementsOf(large);
    assertThat(before.warnings()).isEmpty();

    a.update(ChatId.direct(bob.card())); // Alice learns: her tail, page 2, signed; page 1 stays as it was
    assertThat(pageAt(alice, bob.card(), 1)).isEqualTo(first);
    History after = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(after.messages())).as("page 2, signed, links to page 1: it commits to it")
        .containsSubsequence(large).doesNotHaveDuplicates();
    assertThat(after.warnings()).isEmpty();
    History fresh = client(bob, new InMemoryLocalState(), alice.card()).history(ChatId.direct(alice.card()),
        HistoryRequest.all()); // a device of Bob's that holds nothing of the chat: the same
    assertThat(texts(fresh.messages())).containsSubsequence(large);
    assertThat(fresh.warnings()).isEmpty();
  }

  @Test
  void aRevokedDevicesTaggedPageOverAClosedPageIsReportedToAReaderThatHoldsNothingOfIt() throws Exception {
    TestClients.Linked laptop = clients.link(b, "laptop");
    client(laptop.identity(), laptop.state(), alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    pageOfChatter(b, bob.card(), a, alice.card());
    b.devices().revoke(1);
    b.update(ChatId.direct(alice.card())); // Bob knows: his tail is signed
    assertThat(pageAt(bob, alice.card(), 1).isFull()).isTrue();
    Conversation c = Conversation.pair(bob, alice.card()).withTails(new TailRule(true, true));
    Page forged = new PageWriter(c).append(null, List.of(), new SlotSeal.Draft("TEXT", clock.millis(), new byte[0],
        "from bob, forged".getBytes(StandardCharsets.UTF_8)));
    String key = c.pageKey(c.myFeed(), 1);
    store.put(key, Envelope.seal(c, key, forged)); // over Bob's full page 1, signed, which page 2 links to
    History h = client(alice, new InMemoryLocalState(), bob.card()).history(ChatId.direct(bob.card()),
        HistoryRequest.all()); // a device of Alice's that holds nothing of the chat
    assertThat(texts(h.messages())).doesNotContain("from bob, forged");
    assertThat(forgedWarning(h, bob.card())).as("Bob's signed page 2 links to another page 1").isTrue();
  }

  // --- the same attacks where the open tail is slot records (protocol §4.8) --------------------------------

  /** The records of {@code owner}'s identity feed at page {@code n} in epoch 0 of the chat with {@code friend}. */
  private List<SlotRecord> records(Identity owner, PublicCard friend, long n) throws Exception {
    Conversation c = Conversation.pair(owner, friend);
    List<SlotRecord> out = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String key = c.recordKey(c.myFeed(), n, i);
      java.util.Optional<String> v = store.get(key);
      if (v.isEmpty()) {
        break;
      }
      out.add(RecordCodec.parse(Envelope.open(c, key, v.get())));
    }
    return out;
  }

  /** The number of {@code owner}'s page open as records in epoch 0 (the page after its newest page key). */
  private long openRecordPage(Identity owner, PublicCard friend) throws Exception {
    Page top = tail(owner, friend);
    assertThat(top.isFull()).as("records start after a full page").isTrue();
    long n = top.number() + 1;
    assertThat(records(owner, friend, n)).as("page %s is open as records", n).isNotEmpty();
    return n;
  }

  /**
   * What a revoked device of {@code owner} writes where the tail is records: its own record {@code index} of page
   * {@code n} over the writer's, linked as the writer's was, tagged under the self seed it holds and sealed under the
   * pair secret it holds. No identity key.
   */
  private void forgeRecord(Identity owner, PublicCard friend, long n, int index, String text) throws Exception {
    Conversation c = Conversation.pair(owner, friend).withTails(new TailRule(true, true, true));
    List<SlotRecord> before = records(owner, friend, n).subList(0, index);
    Page previous = pageAt(owner, friend, n - 1);
    SlotRecord forged = new RecordWriter(c).append(n, previous.hash(), before, before.get(index - 1).heads(),
        new SlotSeal.Draft("TEXT", clock.millis(), new byte[0], text.getBytes(StandardCharsets.UTF_8))).orElseThrow();
    assertThat(forged.isTagged()).isTrue();
    store.put(c.recordKey(c.myFeed(), n, index), new RecordWriter(c).seal(forged));
  }

  private Page pageAt(Identity owner, PublicCard friend, long n) throws Exception {
    Conversation c = Conversation.pair(owner, friend);
    String key = c.pageKey(c.myFeed(), n);
    return PageCodec.parse(Envelope.open(c, key, store.get(key).orElseThrow()));
  }

  /** {@code from} fills its page with chatter, then writes {@code texts} as records, which {@code to} reads. */
  private long recordsOfChatter(ChatClient from, Identity fromId, PublicCard fromCard, ChatClient to, PublicCard toCard,
      String... texts) throws Exception {
    pageOfChatter(from, fromCard, to, toCard);
    for (String t : texts) {
      from.send(ChatId.direct(toCard), t);
    }
    long n = openRecordPage(fromId, toCard);
    assertThat(records(fromId, toCard, n).get(0).isTagged()).isTrue();
    assertThat(texts(to.update(ChatId.direct(fromCard)).received())).containsAll(List.of(texts));
    return n;
  }

  @Test
  void bobsRevokedDeviceCannotWriteAnUnsignedRecordIntoBobsFeedForAReaderWhoReadTheRevocation() throws Exception {
    TestClients.Linked laptop = clients.link(b, "laptop");
    client(laptop.identity(), laptop.state(), alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    long n = recordsOfChatter(b, bob, bob.card(), a, alice.card(), "open record");
    b.send(ChatId.direct(alice.card()), "unread"); // a tagged record Alice has not read
    int unread = records(bob, alice.card(), n).size() - 1;
    b.devices().revoke(1);
    b.update(ChatId.direct(alice.card())); // Bob knows: his open page is closed, signed, at its key
    engine(a).devices().refresh(List.of(bob.card()), true); // Alice has read Bob's list: the revocation, nothing else
    forgeRecord(bob, alice.card(), n, unread, "from bob, honest"); // over the record Alice has not read
    History h = a.history(ChatId.direct(bob.card()), HistoryRequest.all());
    assertThat(texts(h.messages())).contains("open record", "unread").doesNotContain("from bob, honest");
    assertThat(forgedWarning(h, bob.card())).as("Bob's signed page closing his records contradicts it").isTrue();
  }

  @Test
  void alicesOwnRevokedDeviceCannotWriteAnUnsignedRecordIntoHerFeedForHerFriendOrHerself() throws Exception {
    TestClients.Linked laptop = clients.link(a, "laptop");
    client(laptop.identity(), laptop.state(), bob.card()).history(ChatId.direct(bob.card()), HistoryRequest.all());
    long n = recordsOfChatter(a, alice, alice.card(), b, bob.card(), "open record");
    a.send(ChatId.direct(bob.card()), "unread");
    int unread = records(alice, bob.card(), n).size() - 1;
    a.devices().revoke(1);
    a.update(ChatId.direct(bob.card()));
    engine(b).devices().refresh(List.of(alice.card()), true);
    forgeRecord(alice, bob.card(), n, unread, "from alice, honest");
    History bobs = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(bobs.messages())).contains("open record", "unread").doesNotContain("from alice, honest");
    assertThat(forgedWarning(bobs, alice.card())).isTrue();
    assertThat(texts(a.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()))
        .contains("open record", "unread").doesNotContain("from alice, honest");
  }

  @Test
  void aRevokedDevicesTaggedRecordsWithNoSignedCommitmentAreNeverShown() throws Exception {
    TestClients.Linked laptop = clients.link(b, "laptop");
    client(laptop.identity(), laptop.state(), alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    long n = recordsOfChatter(b, bob, bob.card(), a, alice.card(), "open record", "another");
    b.devices().revoke(1);
    b.update(ChatId.direct(alice.card()));
    engine(a).devices().refresh(List.of(bob.card()), true);
    int last = records(bob, alice.card(), n).size();
    // Bob's page is closed at its key: the laptop writes records past it, where no signed page will ever commit.
    Conversation c = Conversation.pair(bob, alice.card()).withTails(new TailRule(true, true, true));
    List<SlotRecord> all = records(bob, alice.card(), n);
    SlotRecord past = new RecordWriter(c).append(n, pageAt(bob, alice.card(), n - 1).hash(), all,
        all.get(last - 1).heads(), new SlotSeal.Draft("TEXT", clock.millis(), new byte[0],
            "from bob, late".getBytes(StandardCharsets.UTF_8))).orElseThrow();
    store.put(c.recordKey(c.myFeed(), n, last), new RecordWriter(c).seal(past));
    for (int pass = 0; pass < 2; pass++) {
      History h = a.history(ChatId.direct(bob.card()), HistoryRequest.all());
      assertThat(texts(h.messages())).contains("open record", "another").doesNotContain("from bob, late");
    }
  }

  @Test
  void aReaderThatLearnsOfTheClosingFirstHoldsHonestTaggedRecordsBackUntilTheWriterLeavesTheEpoch() throws Exception {
    TestClients.Linked laptop = clients.link(b, "laptop");
    client(laptop.identity(), laptop.state(), alice.card()).history(ChatId.direct(alice.card()), HistoryRequest.all());
    long n = recordsOfChatter(a, alice, alice.card(), b, bob.card(), "read while open");
    b.devices().revoke(1); // Bob starts epoch 1: to him, tags of epoch 0 no longer count
    a.send(ChatId.direct(bob.card()), "last in epoch 0"); // Alice has not learnt of it: a tagged record
    assertThat(records(alice, bob.card(), n)).allMatch(SlotRecord::isTagged);
    History before = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(before.messages())).as("held back, not shown").contains("read while open")
        .doesNotContain("last in epoch 0");
    assertThat(before.warnings()).as("and not reported: Alice has not learnt of it yet").isEmpty();

    a.update(ChatId.direct(bob.card())); // Alice takes epoch 1: first her open record page, whole and signed
    assertThat(store.get(Conversation.pair(alice, bob.card()).pageKey(Conversation.pair(alice, bob.card()).myFeed(), n)))
        .as("the page closed early, at its key").isPresent();
    assertThat(tail(alice, bob.card()).isTagged()).isFalse();
    History after = b.history(ChatId.direct(alice.card()), HistoryRequest.all());
    assertThat(texts(after.messages())).containsOnlyOnce("last in epoch 0");
    assertThat(after.warnings()).isEmpty();
    a.send(ChatId.direct(bob.card()), "first in epoch 1");
    assertThat(texts(b.update(ChatId.direct(alice.card())).received())).contains("first in epoch 1");
  }
}
