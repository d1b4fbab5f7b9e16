package org.reschat.core.internal.feed;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.Update;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.PageFixtures;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvVersion;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * Attacks on Alice's feed by whoever can write the ledger: a ledger operator who saw the keys being
 * written (garbage, old versions, huge values), and Bob, who holds the conversation secret (forgeries,
 * misplaced pages, junk at keys he can compute), and Alice herself as a dishonest writer (equivocation).
 * Each is detected and reported by name, the verified history still shows, every search stays bounded,
 * and Alice's own client writes her damaged pages back.
 */
class HostileLedgerTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final MemoryKvStore store = new MemoryKvStore();
  private final Conversation ab = Conversation.pair(a, b.card());
  private final Conversation ba = Conversation.pair(b, a.card());
  private final FeedId aliceFeed = ab.myFeed();
  private final List<ChatClient> clients = new ArrayList<>();
  private ChatClient alice;
  private ChatClient bob;

  private final InMemoryLocalState aliceState = new InMemoryLocalState();

  @BeforeEach
  void fortyFiveMessages() throws Exception {
    alice = client(a, aliceState);
    bob = client(b, new InMemoryLocalState());
    for (int i = 0; i < 45; i++) { // pages 1 and 2 full, page 3 holds five
      alice.send(ChatId.direct(b.card()), "m" + i);
    }
  }

  @AfterEach
  void close() {
    clients.forEach(ChatClient::close);
  }

  private ChatClient client(Identity id, InMemoryLocalState state) {
    ChatClient c = ChatClient.builder().identity(id).store(store).localState(state).build();
    clients.add(c);
    return c;
  }

  private ChatClient freshBob() {
    return client(b, new InMemoryLocalState());
  }

  private String key(long n) {
    return ab.pageKey(aliceFeed, n);
  }

  private String page(long n) throws Exception {
    return store.get(key(n)).orElseThrow();
  }

  private void overwrite(long n, String value) throws Exception {
    store.put(key(n), value);
  }

  private static List<Kind> kinds(List<FeedWarning> warnings) {
    return warnings.stream().map(FeedWarning::kind).collect(Collectors.toList());
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(Message::text).collect(Collectors.toList());
  }

  private History all(ChatClient c) throws Exception {
    return c.history(ChatId.direct(a.card()), HistoryRequest.all());
  }

  // --- garbage, old versions, forgeries -------------------------------------------------------------

  @Test
  void garbageOverAPageIsReportedAndTheRestStillShows() throws Exception {
    overwrite(2, "garbage, not a page");
    History h = all(freshBob());
    assertThat(kinds(h.warnings())).containsExactly(Kind.CORRUPT);
    assertThat(h.warnings().get(0).page()).isEqualTo(2);
    assertThat(texts(h.messages())).hasSize(25).startsWith("m0").endsWith("m44").doesNotContain("m20");
  }

  @Test
  void aReaderWithAVerifiedCopyKeepsShowingIt() throws Exception {
    assertThat(texts(all(bob).messages())).hasSize(45);
    overwrite(3, "garbage");
    History h = bob.history(ChatId.direct(a.card()), HistoryRequest.newest(2));
    assertThat(kinds(h.warnings())).containsExactly(Kind.CORRUPT);
    assertThat(texts(h.messages())).hasSize(25).endsWith("m44");
  }

  @Test
  void aRolledBackTailPageIsReportedAndTheVerifiedCopyWins() throws Exception {
    assertThat(texts(all(bob).messages())).hasSize(45);
    List<KvVersion> versions = store.history(key(3));
    overwrite(3, versions.get(1).value()); // page 3 as it was with two messages
    History h = bob.history(ChatId.direct(a.card()), HistoryRequest.newest(2));
    assertThat(kinds(h.warnings())).containsExactly(Kind.ROLLBACK);
    assertThat(texts(h.messages())).hasSize(25).endsWith("m44");
    assertThat(kinds(bob.update(ChatId.direct(a.card())).warnings())).containsExactly(Kind.ROLLBACK);
  }

  @Test
  void anOldVersionOfAFinishedPageIsReportedAsWithheldEvenToAFreshReader() throws Exception {
    overwrite(2, store.history(key(2)).get(5).value()); // page 2 with six of its twenty messages
    History h = all(freshBob());
    assertThat(kinds(h.warnings())).containsExactly(Kind.WITHHELD);
    assertThat(h.warnings().get(0).page()).isEqualTo(2);
    assertThat(texts(h.messages())).hasSize(20 + 6 + 5);
  }

  @Test
  void aPageBobWritesIntoAlicesFeedIsAForgery() throws Exception {
    Page bobs = PageFixtures.pages(ba, 3).get(0);
    // Bob holds the secret, so he can seal a page at Alice's key; he cannot sign as Alice.
    overwrite(3, org.reschat.core.internal.page.Envelope.seal(ba, key(3), bobs));
    History h = all(freshBob());
    assertThat(kinds(h.warnings())).contains(Kind.FORGED);
    assertThat(texts(h.messages())).hasSize(40).endsWith("m39");
  }

  @Test
  void alicesPageSealedAtAnotherOfHerKeysIsMisplacedAndOneFromAnotherConversationDoesNotOpen() throws Exception {
    assertThat(texts(all(bob).messages())).hasSize(45);
    Page first = PageFixtures.pages(ab, 1).get(0);
    overwrite(3, org.reschat.core.internal.page.Envelope.seal(ba, key(3), first)); // re-sealed by Bob at another place
    assertThat(kinds(bob.history(ChatId.direct(a.card()), HistoryRequest.all()).warnings())).containsExactly(Kind.MISPLACED);

    Conversation ac = Conversation.pair(a, TestIdentities.named("carol").card());
    Page elsewhere = PageFixtures.pages(ac, 3).get(0);
    overwrite(3, org.reschat.core.internal.page.Envelope.seal(ac, key(3), elsewhere));
    History h = bob.history(ChatId.direct(a.card()), HistoryRequest.all());
    assertThat(kinds(h.warnings())).containsExactly(Kind.CORRUPT);
    assertThat(h.warnings().get(0).detail()).contains("does not open");
    assertThat(texts(h.messages())).hasSize(45);
  }

  @Test
  void aTruncatedPageIsCorrupt() throws Exception {
    String value = page(2);
    overwrite(2, value.substring(0, value.length() / 2));
    assertThat(kinds(all(freshBob()).warnings())).containsExactly(Kind.CORRUPT);
  }

  @Test
  void aValueOverThePageLimitIsRefusedWithoutDecoding() throws Exception {
    // Over the largest sealed page, within the store's cap (larger values: EmbeddedStoreTest, HostileStoreValueTest).
    overwrite(3, "A".repeat(PageLimits.MAX_VALUE_CHARS + 1));
    History h = all(freshBob());
    assertThat(kinds(h.warnings())).contains(Kind.CORRUPT);
    assertThat(h.warnings()).anySatisfy(w -> assertThat(w.detail()).contains("larger than"));
    assertThat(texts(h.messages())).hasSize(40);
  }

  @Test
  void theWriterRepublishesItsDamagedFeed() throws Exception {
    overwrite(2, "garbage");
    overwrite(3, store.history(key(3)).get(0).value());
    History seenByAlice = alice.history(ChatId.direct(b.card()), HistoryRequest.all());
    assertThat(kinds(seenByAlice.warnings())).contains(Kind.CORRUPT, Kind.ROLLBACK, Kind.REPUBLISHED);
    assertThat(texts(seenByAlice.messages())).hasSize(45);
    History afterRepair = all(freshBob());
    assertThat(afterRepair.warnings()).isEmpty();
    assertThat(texts(afterRepair.messages())).hasSize(45);
  }

  @Test
  void garbageAtTheNextPageKeyDoesNotHideTheCurrentTail() throws Exception {
    overwrite(4, "squatting on the next page");
    History h = all(freshBob());
    assertThat(texts(h.messages())).hasSize(45);
    for (int i = 45; i < 61; i++) { // Alice's next page overwrites the squatter
      alice.send(ChatId.direct(b.card()), "m" + i);
    }
    History later = all(freshBob());
    assertThat(texts(later.messages())).hasSize(61).endsWith("m60");
    assertThat(later.warnings()).isEmpty();
  }

  @Test
  void garbageOverAMiddlePageDoesNotHideLaterPagesFromAReaderWithACursor() throws Exception {
    assertThat(bob.update(ChatId.direct(a.card())).received()).hasSize(45);
    overwrite(3, "garbage over the tail");
    for (int i = 45; i < 70; i++) { // Alice republishes page 3 as she writes on; page 4 follows
      alice.send(ChatId.direct(b.card()), "m" + i);
    }
    overwrite(3, "garbage again");
    Update u = bob.update(ChatId.direct(a.card()));
    assertThat(kinds(u.warnings())).contains(Kind.CORRUPT);
    assertThat(texts(u.received())).endsWith("m69");
  }

  // --- attack 1: a friend rewrites what you already read ----------------------------------------------

  @Test
  void aFriendWhoRewritesReadHistoryIsCaughtAsEquivocationAndTheFirstVersionStays() throws Exception {
    InMemoryLocalState bobsState = new InMemoryLocalState();
    ChatClient reader = client(b, bobsState);
    assertThat(texts(reader.update(ChatId.direct(a.card())).received())).hasSize(45);
    // Alice re-signs her pages 1-3 with message 0 changed, and adds one more message on page 3.
    List<String> rewritten = new ArrayList<>();
    rewritten.add("I never agreed to anything");
    for (int i = 1; i < 45; i++) {
      rewritten.add("m" + i);
    }
    rewritten.add("a new message");
    List<Page> forged = PageFixtures.pages(ab, rewritten, 1_700_000_000_000L);
    for (Page p : forged) {
      overwrite(p.number(), PageFixtures.seal(ab, p));
    }
    Update u = reader.update(ChatId.direct(a.card()));
    assertThat(kinds(u.warnings())).contains(Kind.EQUIVOCATION);
    assertThat(u.warnings()).allMatch(w -> w.kind().isSecurityProblem());
    assertThat(texts(u.received())).doesNotContain("a new message"); // nothing after a fork is shown
    History h = reader.history(ChatId.direct(a.card()), HistoryRequest.all());
    assertThat(texts(h.messages())).hasSize(45).startsWith("m0").doesNotContain("I never agreed to anything");
    assertThat(kinds(h.warnings())).contains(Kind.EQUIVOCATION);
    FeedId aliceSeenByBob = ba.feed(ba.indexOf(a.card()));
    assertThat(bobsState.evidence(aliceSeenByBob, 3)).isNotEmpty();
    assertThat(bobsState.page(aliceSeenByBob, 3)).isPresent().isNotEqualTo(java.util.Optional.of(page(3)));
  }

  // --- attack 3: garbage that would stall every fresh reader -------------------------------------------

  @Test
  void junkAtEveryPowerOfTwoCostsAFreshReaderAFewReadsAndOneWarning() throws Exception {
    for (long n = 4; n <= Conversation.MAX_PAGE_NUMBER && n > 0; n *= 2) {
      overwrite(n, "x");
    }
    RecordingKvStore counting = new RecordingKvStore(store);
    try (ChatClient fresh = ChatClient.builder().identity(b).store(counting).inMemoryState().build()) {
      History h = fresh.history(ChatId.direct(a.card()), HistoryRequest.newest(2));
      assertThat(texts(h.messages())).hasSize(25).endsWith("m44");
      assertThat(h.warnings()).hasSize(1).allMatch(w -> w.kind() == Kind.CORRUPT);
      assertThat(counting.takeCalls()).hasSizeLessThanOrEqualTo(40);
    }
  }

  @Test
  void twentyThousandJunkValuesAboveTheTailStayBoundedForEveryReader() throws Exception {
    for (long n = 4; n < 20_004; n++) {
      overwrite(n, "junk " + n);
    }
    RecordingKvStore counting = new RecordingKvStore(store);
    try (ChatClient fresh = ChatClient.builder().identity(b).store(counting).inMemoryState().build()) {
      History h = fresh.history(ChatId.direct(a.card()), HistoryRequest.newest(2));
      assertThat(texts(h.messages())).hasSize(25).endsWith("m44");
      assertThat(h.warnings()).hasSize(1);
      assertThat(h.warnings().get(0).detail()).contains("unreadable values").contains("stopped");
      assertThat(counting.takeCalls().size()).isLessThanOrEqualTo(40);
      for (int i = 0; i < 3; i++) { // later receives do not even read the junk: Alice's tail page is open
        Update u = fresh.update(ChatId.direct(a.card()));
        assertThat(u.warnings()).isEmpty();
        assertThat(counting.takeCalls().size()).isLessThanOrEqualTo(3);
      }
      for (int i = 45; i < 61; i++) { // once Alice's page 3 fills, the junk above is read again, boundedly
        alice.send(ChatId.direct(b.card()), "m" + i);
      }
      Update u = fresh.update(ChatId.direct(a.card()));
      assertThat(texts(u.received())).endsWith("m60");
      assertThat(counting.takeCalls().size()).isLessThanOrEqualTo(FeedReader.GARBAGE_BUDGET + 8);
    }
  }

  @Test
  void aPageNumberNearTheCapNeitherOverflowsNorLoops() throws Exception {
    overwrite(Conversation.MAX_PAGE_NUMBER, "x");
    overwrite(Conversation.MAX_PAGE_NUMBER - 1, "x");
    History h = all(freshBob());
    assertThat(texts(h.messages())).hasSize(45);
  }

  // --- attack 4: freeze, and forks from stale state -------------------------------------------------

  @Test
  void aFrozenFeedIsReportedAsWithheldToAReaderWhoLearnsOfItFromAnotherFeed() throws Exception {
    bob.send(ChatId.direct(a.card()), "b0");
    bob.send(ChatId.direct(a.card()), "b1");
    bob.send(ChatId.direct(a.card()), "b2");
    assertThat(texts(alice.update(ChatId.direct(b.card())).received())).containsExactly("b0", "b1", "b2");
    alice.send(ChatId.direct(b.card()), "after reading b2"); // Alice's page now records Bob's feed at page 1, three messages
    FeedId bobsFeed = ab.feed(ab.indexOf(b.card()));
    String bobsKey = ab.pageKey(bobsFeed, 1);
    store.put(bobsKey, store.history(bobsKey).get(0).value()); // the store serves Bob's page with one message again
    // Alice on a new device: nothing cached, only her identity.
    try (ChatClient newDevice = ChatClient.builder().identity(a).store(store).inMemoryState().build()) {
      History h = newDevice.history(ChatId.direct(b.card()), HistoryRequest.all());
      assertThat(h.warnings()).anySatisfy(w -> {
        assertThat(w.kind()).isEqualTo(Kind.WITHHELD);
        assertThat(w.ownFeed()).isFalse();
        assertThat(w.detail()).contains("3 messages");
      });
      assertThat(texts(h.messages())).contains("b0").doesNotContain("b1");
    }
  }

  @Test
  void aRestoredBackupThatSendsOverwritesNothingAndTheReaderSeesEveryMessage() throws Exception {
    InMemoryLocalState backup = new InMemoryLocalState();
    ChatClient old = client(a, backup);
    old.history(ChatId.direct(b.card()), HistoryRequest.newest(1)); // the backup knows Alice's feed as it was: 45 messages
    for (int i = 45; i < 70; i++) {
      alice.send(ChatId.direct(b.card()), "m" + i); // the live device writes on: page 3 fills, page 4 starts
    }
    assertThat(old.send(ChatId.direct(b.card()), "from the restored backup").confirmed()).isTrue();
    assertThat(alice.send(ChatId.direct(b.card()), "from the live device").confirmed()).isTrue();
    History h = all(freshBob());
    assertThat(h.warnings()).isEmpty();
    assertThat(texts(h.messages())).hasSize(72).endsWith("m69", "from the restored backup", "from the live device");
    for (long n = 1; n <= 4; n++) { // every version of every page extends the one before: nothing overwritten
      assertNoVersionContradictsAnother(n);
    }
  }

  @Test
  void twoDevicesSendingInTurnConvergeOnOneChainWithoutARepublishWar() throws Exception {
    ChatClient phone = client(a, new InMemoryLocalState());
    ChatClient laptop = client(a, new InMemoryLocalState());
    int before = store.history(key(3)).size() + store.history(key(4)).size();
    for (int i = 0; i < 20; i++) {
      (i % 2 == 0 ? phone : laptop).send(ChatId.direct(b.card()), "turn " + i);
    }
    History h = all(freshBob());
    assertThat(h.warnings()).isEmpty();
    assertThat(texts(h.messages())).hasSize(65).endsWith("turn 18", "turn 19");
    int versions = store.history(key(3)).size() + store.history(key(4)).size() - before;
    assertThat(versions).isEqualTo(20); // one write per message, none written twice
    assertNoVersionContradictsAnother(3);
    assertNoVersionContradictsAnother(4);
  }

  /**
   * Two copies of Alice's device 0 (a profile and its restored backup) both hold page 3 and write it at the
   * same instant: the phone's whole send lands between the laptop's decision and the laptop's write. The
   * laptop's write is conditional on the page it saw, so the store refuses it and answers the phone's page;
   * the laptop adopts it and seals its message again after it. Nothing is overwritten, nobody sees a fork.
   * (Before the conditional write, the laptop's put landed over the phone's page: equivocation.)
   */
  @Test
  void twoCopiesWritingTheSamePageAtTheSameInstantConvergeWhereTheStoreComparesAtomically() throws Exception {
    ChatClient phone = client(a, new InMemoryLocalState());
    phone.history(ChatId.direct(b.card()), HistoryRequest.newest(1));
    java.util.concurrent.atomic.AtomicBoolean raced = new java.util.concurrent.atomic.AtomicBoolean();
    org.reschat.kv.KvStore racing = new org.reschat.kv.ForwardingKvStore(store) {
      private void phoneWritesFirst() throws org.reschat.kv.KvException {
        if (raced.compareAndSet(false, true)) {
          try {
            assertThat(phone.send(ChatId.direct(b.card()), "from the phone").confirmed()).isTrue();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }

      @Override
      public void put(String key, String value) throws org.reschat.kv.KvException {
        phoneWritesFirst();
        super.put(key, value);
      }

      @Override
      public org.reschat.kv.PutIfUnchanged putIfUnchanged(String key, java.util.Optional<String> expected, String value)
          throws org.reschat.kv.KvException {
        phoneWritesFirst();
        return delegate().putIfUnchanged(key, expected, value);
      }
    };
    ChatClient laptop = ChatClient.builder().identity(a).store(racing).localState(new InMemoryLocalState()).build();
    clients.add(laptop);
    laptop.history(ChatId.direct(b.card()), HistoryRequest.newest(1));
    assertThat(laptop.send(ChatId.direct(b.card()), "from the laptop").confirmed()).isTrue();
    assertThat(raced).isTrue();
    History h = all(freshBob());
    assertThat(h.warnings()).isEmpty();
    assertThat(texts(h.messages())).hasSize(47).endsWith("m44", "from the phone", "from the laptop");
    assertNoVersionContradictsAnother(3);
  }

  /**
   * Another signer of Alice's key (a dishonest twin) forked her tail: page 3 of another chain, which does
   * not follow her page 2. Her send's conditional write is refused with that page; she verifies it, finds
   * the fork, keeps it as evidence and writes nothing: the store still holds it.
   */
  @Test
  void aSendRefusedWithAPageThatDoesNotFollowTheOwnChainWritesNothingAndReportsTheFork() throws Exception {
    String fork = PageFixtures.seal(ab, PageFixtures.pages(ab, 45).get(2)); // page 3, linked to another page 2
    assertSendMeetsAForkAndLeavesIt(fork);
  }

  /** The same, with a version of page 3 that follows her page 2 but replaces messages she had confirmed. */
  @Test
  void aSendRefusedWithAVersionThatReplacesConfirmedMessagesWritesNothingAndReportsTheFork() throws Exception {
    Page two = org.reschat.core.internal.page.PageVerifier.openAndVerify(ab, aliceFeed, 2, key(2), page(2));
    Page replaced = new org.reschat.core.internal.page.PageWriter(ab).append(two, List.of(),
        new org.reschat.core.internal.page.SlotSeal.Draft("TEXT", System.currentTimeMillis(), new byte[0],
            "not what was confirmed".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(replaced.number()).isEqualTo(3);
    assertSendMeetsAForkAndLeavesIt(PageFixtures.seal(ab, replaced));
  }

  private void assertSendMeetsAForkAndLeavesIt(String fork) throws Exception {
    overwrite(3, fork);
    org.reschat.core.SendResult sent = alice.send(ChatId.direct(b.card()), "after the fork");
    assertThat(sent.confirmed()).isFalse();
    assertThat(sent.problem()).hasValueSatisfying(p -> assertThat(p.kind()).isEqualTo(org.reschat.core.Problem.Kind.FORKED));
    assertThat(page(3)).as("nothing written over the fork").isEqualTo(fork);
    assertThat(store.get(key(4))).isEmpty();
    assertThat(kinds(alice.update(ChatId.direct(b.card())).warnings())).contains(Kind.EQUIVOCATION);
  }

  /**
   * A store that refuses every compare-and-put of Alice's, whatever it is asked, and answers a lie each time:
   * nothing there, junk, something over any value, an older version of her own page 3, a page Bob forged at her
   * key, her own page sealed at another of her keys, a page of another conversation. Each answer is judged as a
   * read would be: the send ends (one refusal, then one plain put over what cannot be a newer version of her page),
   * the message reaches Bob after the 45, no fork is made and no warning raised, and nothing she verified is
   * rewritten (the refusals never write).
   */
  @Test
  void aSendRefusedForeverWithLiesEndsWithOnePutAndLosesNothing() throws Exception {
    List<org.reschat.kv.KvRead> lies = List.of(
        org.reschat.kv.KvRead.absent(),
        new org.reschat.kv.KvRead.Corrupt("junk"),
        new org.reschat.kv.KvRead.Value("garbage, not a page"),
        new org.reschat.kv.KvRead.Value("A".repeat(org.reschat.kv.KvValues.MAX_VALUE_BYTES * 4)),
        new org.reschat.kv.KvRead.Value(store.history(key(3)).get(1).value()),
        new org.reschat.kv.KvRead.Value(org.reschat.core.internal.page.Envelope.seal(ba, key(3),
            PageFixtures.pages(ba, 3).get(0))),
        new org.reschat.kv.KvRead.Value(org.reschat.core.internal.page.Envelope.seal(ba, key(3),
            PageFixtures.pages(ab, 1).get(0))),
        new org.reschat.kv.KvRead.Value(org.reschat.core.internal.page.Envelope.seal(
            Conversation.pair(a, TestIdentities.named("carol").card()), key(3),
            PageFixtures.pages(Conversation.pair(a, TestIdentities.named("carol").card()), 3).get(0))));
    alice.close();
    clients.remove(alice);
    java.util.concurrent.atomic.AtomicReference<org.reschat.kv.KvRead> lie = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger puts = new java.util.concurrent.atomic.AtomicInteger();
    org.reschat.kv.KvStore refusing = new org.reschat.kv.ForwardingKvStore(store) {
      @Override
      public org.reschat.kv.PutIfUnchanged putIfUnchanged(String k, java.util.Optional<String> expected, String value) {
        refusals.incrementAndGet();
        return org.reschat.kv.PutIfUnchanged.refused(lie.get());
      }

      @Override
      public void put(String k, String value) throws org.reschat.kv.KvException {
        puts.incrementAndGet();
        super.put(k, value);
      }
    };
    ChatClient hostile = ChatClient.builder().identity(a).store(refusing).localState(aliceState).build();
    clients.add(hostile);
    for (int i = 0; i < lies.size(); i++) {
      lie.set(lies.get(i));
      refusals.set(0);
      puts.set(0);
      String before = page(3);
      org.reschat.core.SendResult sent = hostile.send(ChatId.direct(b.card()), "after lie " + i);
      assertThat(sent.confirmed()).as("lie %d", i).isTrue();
      assertThat(refusals).as("lie %d", i).hasValue(1);
      assertThat(puts).as("lie %d", i).hasValue(1);
      Page now = org.reschat.core.internal.page.PageVerifier.openAndVerify(ab, aliceFeed, 3, key(3), page(3));
      Page was = org.reschat.core.internal.page.PageVerifier.openAndVerify(ab, aliceFeed, 3, key(3), before);
      assertThat(was.isPrefixOf(now)).as("lie %d: what was verified stays, extended", i).isTrue();
    }
    History h = all(freshBob());
    assertThat(h.warnings()).isEmpty();
    assertThat(texts(h.messages())).hasSize(45 + lies.size()).startsWith("m0").endsWith("after lie " + (lies.size() - 1));
    assertThat(kinds(hostile.update(ChatId.direct(b.card())).warnings())).isEmpty();
  }

  /**
   * The same store, and its plain puts fail too (refuse forever): the send ends with the store's problem, the
   * message stays queued, and once the store writes again it is published and reaches Bob.
   */
  @Test
  void aSendThatTheStoreRefusesForeverEndsWithAProblemAndKeepsTheMessage() throws Exception {
    alice.close();
    clients.remove(alice);
    java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
    org.reschat.kv.KvStore refusing = new org.reschat.kv.ForwardingKvStore(store) {
      @Override
      public org.reschat.kv.PutIfUnchanged putIfUnchanged(String k, java.util.Optional<String> expected, String value)
          throws org.reschat.kv.KvException {
        writes.incrementAndGet();
        return refuse.get() ? org.reschat.kv.PutIfUnchanged.refused(new org.reschat.kv.KvRead.Corrupt("junk"))
            : store.putIfUnchanged(k, expected, value);
      }

      @Override
      public void put(String k, String value) throws org.reschat.kv.KvException {
        writes.incrementAndGet();
        if (refuse.get()) {
          throw new org.reschat.kv.KvUnavailableException("refused");
        }
        super.put(k, value);
      }
    };
    ChatClient hostile = ChatClient.builder().identity(a).store(refusing).localState(aliceState).build();
    clients.add(hostile);
    org.reschat.core.SendResult sent = hostile.send(ChatId.direct(b.card()), "kept");
    assertThat(sent.confirmed()).isFalse();
    assertThat(sent.problem()).isPresent();
    assertThat(sent.pending()).isEqualTo(1);
    assertThat(writes).hasValue(2); // one conditional write refused, one put failed: then it stops
    refuse.set(false);
    assertThat(hostile.send(ChatId.direct(b.card()), "then another").confirmed()).isTrue();
    assertThat(texts(all(freshBob()).messages())).hasSize(47).endsWith("kept", "then another");
  }

  private void assertNoVersionContradictsAnother(long n) throws Exception {
    List<Page> versions = new ArrayList<>();
    for (KvVersion v : store.history(key(n))) {
      versions.add(org.reschat.core.internal.page.PageVerifier.openAndVerify(ab, aliceFeed, n, key(n), v.value()));
    }
    for (int i = 1; i < versions.size(); i++) {
      assertThat(versions.get(i - 1).isPrefixOf(versions.get(i)) || versions.get(i - 1).equals(versions.get(i)))
          .as("version %d of page %d extends version %d", i, n, i - 1).isTrue();
    }
  }
}
