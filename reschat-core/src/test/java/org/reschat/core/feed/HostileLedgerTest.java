package org.reschat.core.feed;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.reschat.core.conversation.Conversation;
import org.reschat.core.conversation.FeedId;
import org.reschat.core.identity.Identity;
import org.reschat.core.page.Page;
import org.reschat.core.page.PageCodec;
import org.reschat.core.page.PageLimits;
import org.reschat.core.page.Slot;
import org.reschat.core.state.InMemoryLocalState;
import org.reschat.core.testing.PageFixtures;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvVersion;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A third party with write access to the ledger overwrites Alice's feed keys with garbage, forgeries,
 * pages from elsewhere, old versions and huge values. Every attack is detected and reported by name; the
 * valid history still shows; Alice's own client writes her damaged pages back.
 */
class HostileLedgerTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity mallory = TestIdentities.named("mallory");
  private final MemoryKvStore store = new MemoryKvStore();
  private final Conversation ab = Conversation.between(a, b.card());
  private final FeedId aliceFeed = ab.myFeed();
  private ChatClient alice;
  private ChatClient bob;

  @BeforeEach
  void fortyFiveMessages() throws Exception {
    alice = ChatClient.builder().identity(a).store(store).localState(new InMemoryLocalState()).build();
    bob = ChatClient.builder().identity(b).store(store).localState(new InMemoryLocalState()).build();
    for (int i = 0; i < 45; i++) { // pages 1 and 2 full, page 3 holds five
      alice.send(b.card(), "m" + i);
    }
  }

  @AfterEach
  void close() {
    alice.close();
    bob.close();
  }

  private ChatClient freshBob() {
    ChatClient c = ChatClient.builder().identity(b).store(store).localState(new InMemoryLocalState()).build();
    closeLater.add(c);
    return c;
  }

  private final List<ChatClient> closeLater = new java.util.ArrayList<>();

  @AfterEach
  void closeFresh() {
    closeLater.forEach(ChatClient::close);
  }

  private String page(long n) throws Exception {
    return store.get(aliceFeed.key(n)).orElseThrow();
  }

  private void overwrite(long n, String value) throws Exception {
    store.put(aliceFeed.key(n), value);
  }

  private static List<Kind> kinds(History h) {
    return h.warnings().stream().map(FeedWarning::kind).collect(Collectors.toList());
  }

  private static List<String> texts(History h) {
    return h.messages().stream().map(Message::text).collect(Collectors.toList());
  }

  private History all(ChatClient c) throws Exception {
    return c.history(a.card(), HistoryRequest.all());
  }

  @Test
  void garbageOverAPageIsReportedAndTheRestStillShows() throws Exception {
    overwrite(2, "garbage, not a page");
    History h = all(freshBob());
    assertThat(kinds(h)).containsExactly(Kind.CORRUPT);
    assertThat(h.warnings().get(0).page()).isEqualTo(2);
    assertThat(texts(h)).hasSize(25).startsWith("m0").endsWith("m44").doesNotContain("m20");
  }

  @Test
  void aReaderWithAVerifiedCopyKeepsShowingIt() throws Exception {
    assertThat(texts(all(bob))).hasSize(45);
    overwrite(3, "garbage");
    History h = bob.history(a.card(), HistoryRequest.newest(2));
    assertThat(kinds(h)).containsExactly(Kind.CORRUPT);
    assertThat(texts(h)).hasSize(25).endsWith("m44");
  }

  @Test
  void aRolledBackTailPageIsReportedAndTheVerifiedCopyWins() throws Exception {
    assertThat(texts(all(bob))).hasSize(45);
    List<KvVersion> versions = store.history(aliceFeed.key(3));
    overwrite(3, versions.get(1).value()); // page 3 as it was with two messages
    {
      History h = bob.history(a.card(), HistoryRequest.newest(2));
      assertThat(kinds(h)).containsExactly(Kind.ROLLBACK);
      assertThat(texts(h)).hasSize(25).endsWith("m44");
    }
    assertThat(bob.update(a.card()).warnings()).extracting(FeedWarning::kind).containsExactly(Kind.ROLLBACK);
  }

  @Test
  void anOldFinalPageReplayedBreaksTheChainEvenForAFreshReader() throws Exception {
    List<KvVersion> versions = store.history(aliceFeed.key(2));
    overwrite(2, versions.get(5).value()); // page 2 with six of its twenty messages
    History h = all(freshBob());
    assertThat(kinds(h)).containsExactly(Kind.CHAIN_BROKEN);
    assertThat(texts(h)).hasSize(20 + 6 + 5);
  }

  @Test
  void aPageSignedByAnotherKeyIsAForgery() throws Exception {
    Page real = PageCodec.parse(page(3));
    List<Slot> slots = new java.util.ArrayList<>(real.slots());
    slots.set(0, slots.get(1));
    Page forged = PageFixtures.resign(mallory, new Page(real.version(), real.conversation(), real.writer(), real.number(),
        real.previous(), slots, real.signature()));
    overwrite(3, PageCodec.toJson(forged));
    History h = all(freshBob());
    assertThat(kinds(h)).contains(Kind.FORGED);
    assertThat(texts(h)).hasSize(40).endsWith("m39");
  }

  @Test
  void aPageFromAnotherConversationIsMisplaced() throws Exception {
    Identity carol = TestIdentities.named("carol");
    Page elsewhere = PageFixtures.page(a, Conversation.between(a, carol.card()), 3);
    overwrite(3, PageCodec.toJson(elsewhere));
    History h = all(freshBob());
    assertThat(kinds(h)).contains(Kind.MISPLACED);
    assertThat(texts(h)).hasSize(40);
  }

  @Test
  void aPageStoredUnderAnotherNumberIsMisplaced() throws Exception {
    assertThat(texts(all(bob))).hasSize(45);
    overwrite(3, page(1));
    History h = bob.history(a.card(), HistoryRequest.all());
    assertThat(kinds(h)).containsExactly(Kind.MISPLACED);
    assertThat(texts(h)).hasSize(45);
  }

  @Test
  void aTruncatedPageIsCorrupt() throws Exception {
    String json = page(2);
    overwrite(2, json.substring(0, json.length() / 2));
    assertThat(kinds(all(freshBob()))).containsExactly(Kind.CORRUPT);
  }

  @Test
  void aValueOverThePageLimitIsRefusedWithoutParsing() throws Exception {
    // Over the page limit, within the store's cap (larger values: EmbeddedStoreTest, HostileStoreValueTest).
    overwrite(3, "{\"v\":1,\"pad\":\"" + "x".repeat(8 * PageLimits.MAX_PAGE_BYTES) + "\"}");
    History h = all(freshBob());
    assertThat(h.warnings()).extracting(FeedWarning::kind).containsExactly(Kind.CORRUPT);
    assertThat(h.warnings().get(0).detail()).contains("larger than");
    assertThat(texts(h)).hasSize(40);
  }

  @Test
  void aWriterWhoRewritesVerifiedMessagesIsCaught() throws Exception {
    assertThat(texts(all(bob))).hasSize(45);
    Page real = PageCodec.parse(page(3));
    Page edited = PageFixtures.resign(a, new Page(real.version(), real.conversation(), real.writer(), real.number(),
        real.previous(), List.of(real.slots().get(1), real.slots().get(0)), real.signature()));
    overwrite(3, PageCodec.toJson(edited));
    History h = bob.history(a.card(), HistoryRequest.newest(2));
    assertThat(kinds(h)).containsExactly(Kind.REWRITTEN);
    assertThat(texts(h)).endsWith("m40", "m41", "m42", "m43", "m44");
  }

  @Test
  void theWriterRepublishesItsDamagedFeed() throws Exception {
    String page2 = page(2);
    String page3 = page(3);
    overwrite(2, "garbage");
    overwrite(3, store.history(aliceFeed.key(3)).get(0).value());
    History seenByAlice = alice.history(b.card(), HistoryRequest.all());
    assertThat(kinds(seenByAlice)).contains(Kind.CORRUPT, Kind.ROLLBACK, Kind.REPUBLISHED);
    assertThat(seenByAlice.warnings()).filteredOn(FeedWarning::ownFeed).hasSizeGreaterThanOrEqualTo(4);
    assertThat(texts(seenByAlice)).hasSize(45);
    assertThat(page(2)).isEqualTo(page2);
    assertThat(page(3)).isEqualTo(page3);
    History afterRepair = all(freshBob());
    assertThat(afterRepair.warnings()).isEmpty();
    assertThat(texts(afterRepair)).hasSize(45);
  }

  @Test
  void garbageAtTheNextPageKeyDoesNotHideTheCurrentTail() throws Exception {
    overwrite(4, "squatting on the next page");
    History h = all(freshBob());
    assertThat(texts(h)).hasSize(45);
    // Alice's next page overwrites the squatter.
    for (int i = 45; i < 61; i++) {
      alice.send(b.card(), "m" + i);
    }
    assertThat(texts(all(freshBob()))).hasSize(61).endsWith("m60");
  }

  @Test
  void garbageOverAMiddlePageDoesNotHideLaterPagesFromAReaderWithACursor() throws Exception {
    assertThat(bob.update(a.card()).received()).hasSize(45);
    overwrite(3, "garbage over the tail");
    for (int i = 45; i < 70; i++) { // page 3 fills up, page 4 follows
      alice.send(b.card(), "m" + i);
    }
    overwrite(3, "garbage again");
    org.reschat.core.Update u = bob.update(a.card());
    assertThat(u.warnings()).extracting(FeedWarning::kind).contains(Kind.CORRUPT);
    // Page 3 is lost to this reader except the five slots it had verified; page 4 still arrives.
    assertThat(u.received()).extracting(Message::text).endsWith("m69");
  }
}
