package org.reschat.core.internal.feed;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.HistoryRequest;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.Head;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.PageFixtures;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Issue 19 item 4: a head is a claim. Bob, with a modified client, writes a page whose head for Alice's own
 * feed is made up: further than she wrote, or another version of a page she wrote. Alice must see Bob
 * named as the one who claims it, on every device; it is equivocation only when a second version signed
 * by the feed's writer is in hand (fetched, kept as evidence), never on a claim alone.
 */
class HeadClaimsTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final MemoryKvStore store = new MemoryKvStore();
  private final Conversation ab = Conversation.pair(a, b.card());
  private final Conversation ba = Conversation.pair(b, a.card());
  private final List<ChatClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(ChatClient::close);
  }

  private ChatClient client(Identity id) {
    ChatClient c = ChatClient.builder().identity(id).store(store).localState(new InMemoryLocalState()).build();
    clients.add(c);
    return c;
  }

  /** Bob's page 1, signed by Bob, carrying {@code head} for Alice's feed: what a modified client can write. */
  private void bobWritesWithHead(Head head) throws Exception {
    Page page = new PageWriter(ba).append(null, List.of(head), new SlotSeal.Draft("TEXT", 1_700_000_100_000L,
        new byte[0], "nothing to see".getBytes(StandardCharsets.UTF_8)));
    store.put(PageFixtures.key(ba, 1), PageFixtures.seal(ba, page));
  }

  private int aliceIndexForBob() {
    return ba.indexOf(a.card());
  }

  private static String shortName(PublicCard card) {
    return card.fingerprintText().substring(0, 9);
  }

  private static List<FeedWarning> about(List<FeedWarning> warnings, long page) {
    return warnings.stream().filter(w -> w.page() == page && w.kind() != Kind.REPUBLISHED).collect(Collectors.toList());
  }

  @Test
  void aMadeUpHeadForTheReadersOwnFeedNamesBobAsTheClaimant() throws Exception {
    ChatClient alice = client(a);
    alice.send(ChatId.direct(b.card()), "one");
    alice.send(ChatId.direct(b.card()), "two");
    bobWritesWithHead(new Head(aliceIndexForBob(), 5, 20, new byte[8])); // "Alice's feed reached page 5"

    for (ChatClient device : List.of(alice, client(a))) { // her device, and a fresh one with only the identity
      for (int call = 0; call < 2; call++) {
        List<FeedWarning> warnings = about(device.history(ChatId.direct(b.card()), HistoryRequest.all()).warnings(), 5);
        assertThat(warnings).hasSize(1);
        FeedWarning w = warnings.get(0);
        assertThat(w.kind()).isEqualTo(Kind.WITHHELD);
        assertThat(w.ownFeed()).isTrue();
        assertThat(w.claimedBy()).contains(b.card());
        assertThat(w.detail()).startsWith(shortName(b.card()) + " claims (their page 1) that this feed reached page 5"
            + " (20 messages), but the store serves only page 1 (" + (call == 0 && device == alice ? 2 : 3) + " messages)");
        assertThat(w.detail(card -> card.equals(b.card()) ? "bob" : "?")).startsWith("bob claims (their page 1)");
      }
    }
  }

  @Test
  void aMadeUpHashForAPageTheReaderWroteIsBobsClaimNotEquivocation() throws Exception {
    ChatClient alice = client(a);
    alice.send(ChatId.direct(b.card()), "one");
    alice.send(ChatId.direct(b.card()), "two");
    bobWritesWithHead(new Head(aliceIndexForBob(), 1, 3, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    // Her first read once Bob has written adds her notice that she reads version 4 (§4.7): page 1 holds 3 messages.
    alice.history(ChatId.direct(b.card()), HistoryRequest.all());

    for (ChatClient device : List.of(alice, client(a))) {
      List<FeedWarning> warnings = about(device.history(ChatId.direct(b.card()), HistoryRequest.all()).warnings(), 1);
      assertThat(warnings).extracting(FeedWarning::kind).containsExactly(Kind.WITHHELD);
      assertThat(warnings.get(0).claimedBy()).contains(b.card());
      assertThat(warnings.get(0).detail()).startsWith(shortName(b.card()) + " claims (their page 1) that it read another"
          + " version of this page (3 messages)");
    }
  }

  /**
   * Alice signs two versions of her full page 1 and shows Bob the first; the store serves the others the
   * second, which her page 2 links to. Bob's page names the first. A fresh device of Bob's holds the second
   * (final: page 2 links to it, so it is not read again) and Bob's page's claim: a claim only. Once the store
   * serves the first again, the check fetches page 1 and has both signed versions in hand: equivocation,
   * with the other version kept as evidence.
   */
  @Test
  void twoSignedVersionsInHandMakeItEquivocationAndTheOtherIsKeptAsEvidence() throws Exception {
    List<String> toBob = new ArrayList<>(List.of("pay 10"));
    List<String> toOthers = new ArrayList<>(List.of("pay 1000"));
    for (int i = 1; i < 20; i++) {
      toBob.add("m" + i);
      toOthers.add("m" + i);
    }
    toOthers.add("after");
    Page firstVersion = PageFixtures.pages(ab, toBob, 1_700_000_000_000L).get(0);
    List<Page> secondVersion = PageFixtures.pages(ab, toOthers, 1_700_000_000_000L);
    assertThat(firstVersion.isFull()).isTrue();
    for (Page p : secondVersion) {
      store.put(PageFixtures.key(ab, p.number()), PageFixtures.seal(ab, p));
    }
    bobWritesWithHead(new Head(aliceIndexForBob(), 1, 20, Arrays.copyOf(firstVersion.hash(), 8)));

    InMemoryLocalState freshState = new InMemoryLocalState();
    // Read-only, so it writes no notice of its own (§4.7), which would carry its own heads over Bob's claim.
    ChatClient fresh = ChatClient.builder().identity(b).store(store).localState(TestClients.readOnly(freshState)).build();
    clients.add(fresh);
    List<FeedWarning> claimOnly = about(fresh.history(ChatId.direct(a.card()), HistoryRequest.all()).warnings(), 1);
    assertThat(claimOnly).extracting(FeedWarning::kind).containsExactly(Kind.WITHHELD);
    FeedId alicesFeedForBob = ba.feed(ba.indexOf(a.card()));
    assertThat(freshState.evidence(alicesFeedForBob, 1)).isEmpty();

    store.put(PageFixtures.key(ab, 1), PageFixtures.seal(ab, firstVersion)); // the store serves the first again
    List<FeedWarning> caught = about(fresh.history(ChatId.direct(a.card()), HistoryRequest.all()).warnings(), 1);
    assertThat(caught).extracting(FeedWarning::kind).containsExactly(Kind.EQUIVOCATION);
    assertThat(caught.get(0).detail()).contains("two versions of this page").contains("kept as evidence");
    assertThat(freshState.evidence(alicesFeedForBob, 1)).hasSize(1);
    // Later calls still find both in hand: the evidence is kept.
    assertThat(about(fresh.history(ChatId.direct(a.card()), HistoryRequest.all()).warnings(), 1)).extracting(FeedWarning::kind)
        .containsExactly(Kind.EQUIVOCATION);
  }
}
