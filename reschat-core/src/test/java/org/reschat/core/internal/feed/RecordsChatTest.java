package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.testing.TestLedger;

/**
 * Reading a direct chat written in record form end to end (protocol §4.8): Bob's client, in a chat where every
 * device of both has shown it reads version 5, receives Alice's records as she writes them, past two page
 * boundaries (each page closed by its signed page), each message once, and shows them all in history; on memory,
 * the embedded ledger and a real three-member etcd cluster (skipped when etcd is not installed). Alice's side
 * is driven by the record writer itself: no client writes records until the switch ({@code TailRule#writesRecords}).
 */
class RecordsChatTest {
  @TempDir Path dir;
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation ab = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true, true));
  private final InMemoryLocalState bobState = new InMemoryLocalState();
  private final InMemoryLocalState aliceState = new InMemoryLocalState();
  private KvStore store;
  private TestLedger ledger;
  private TestClients clients;
  private Page alicePage;
  private byte[] previous = new byte[32];

  @AfterEach
  void close() {
    if (clients != null) {
      clients.close();
    }
    if (ledger != null) {
      ledger.close();
    }
  }

  private ChatClient bobsClient(String kind) throws Exception {
    ledger = TestLedger.open(kind, dir);
    store = ledger.store();
    clients = new TestClients(store, new SettableClock(Instant.parse("2026-12-01T10:00:00Z")));
    // Every feed of the chat has shown it reads versions 4 and 5 (as their notices would have told Bob's client).
    String both = "[\"" + ab.myFeed().writer() + "\",\"" + ab.feed(ab.indexOf(bob.card())).writer() + "\"]";
    bobState.saveDeviceRecord("reads-" + HexFormat.of().formatHex(Base64Url.decode(ab.id()).orElseThrow()),
        "{\"v\":1,\"feeds\":" + both + ",\"records\":" + both + "}");
    return clients.client(bob, bobState, () -> List.of(alice.card()));
  }

  /** Alice sends {@code texts}: her queued page grows, is published as records, and is closed when full. */
  private void aliceSends(String... texts) throws Exception {
    PageWriter pages = new PageWriter(ab);
    OwnRecords own = new OwnRecords(ab, store, aliceState, new OpenedPages());
    for (String t : texts) {
      Page next = pages.append(alicePage, List.of(), new SlotSeal.Draft("TEXT", 1_000, new byte[0],
          t.getBytes(StandardCharsets.UTF_8)));
      if (alicePage != null && next.number() != alicePage.number()) {
        OwnRecords.Written w = (OwnRecords.Written) own.publish(alicePage, previous);
        Page closing = new RecordWriter(ab).close(w.records());
        String key = ab.pageKey(ab.myFeed(), closing.number());
        store.put(key, Envelope.seal(ab, key, closing));
        previous = closing.hash();
      }
      alicePage = next;
    }
    assertThat(own.publish(alicePage, previous)).isInstanceOf(OwnRecords.Written.class);
  }

  private static String[] texts(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("m" + i);
    }
    return out.toArray(String[]::new);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite", "etcd"})
  void bobReceivesAlicesRecordsAsSheWritesThemPastTwoPageBoundaries(String kind) throws Exception {
    ChatClient b = bobsClient(kind);
    ChatId chat = ChatId.direct(alice.card());
    aliceSends(texts(0, 3));
    assertThat(b.update(chat).received()).extracting(Message::text).containsExactly(texts(0, 3));
    aliceSends(texts(3, 4));
    assertThat(b.update(chat).received()).extracting(Message::text).containsExactly(texts(3, 4));
    assertThat(b.update(chat).received()).as("a quiet pass shows nothing again").isEmpty();

    aliceSends(texts(4, 22)); // page 1 closes at 20: m20 and m21 are records of page 2
    assertThat(b.update(chat).received()).extracting(Message::text).containsExactly(texts(4, 22));
    aliceSends(texts(22, 41)); // page 2 closes: m40 is record 0 of page 3
    assertThat(b.update(chat).received()).extracting(Message::text).containsExactly(texts(22, 41));

    History h = b.history(chat, HistoryRequest.all());
    assertThat(h.messages()).extracting(Message::text).containsExactly(texts(0, 41));
    assertThat(h.warnings()).isEmpty();
    assertThat(h.messages()).extracting(Message::page).contains(1L, 2L, 3L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aSignedPageAtTheKeyThatContradictsTheRecordsBobHeldIsEquivocationAndTheRecordsStay(String kind)
      throws Exception {
    ChatClient b = bobsClient(kind);
    ChatId chat = ChatId.direct(alice.card());
    aliceSends(texts(0, 3));
    assertThat(b.update(chat).received()).extracting(Message::text).containsExactly(texts(0, 3));
    // Alice (or a restored copy of her device that forked) signs another page 1 and puts it at its key: the page
    // path reads it first (it is the page after none held), so it must be checked against the records Bob verified.
    Page forked = new PageWriter(ab.withTails(TailRule.SIGNED)).append(null, List.of(),
        new SlotSeal.Draft("TEXT", 1_000, new byte[0], "forked".getBytes(StandardCharsets.UTF_8)));
    String key = ab.pageKey(ab.myFeed(), 1);
    store.put(key, Envelope.seal(ab, key, forked));
    assertThat(b.update(chat).received()).isEmpty();
    History h = b.history(chat, HistoryRequest.all());
    assertThat(h.messages()).extracting(Message::text).containsExactly(texts(0, 3));
    assertThat(h.warnings()).anyMatch(w -> w.kind() == org.reschat.core.FeedWarning.Kind.EQUIVOCATION);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aHostileLedgerAtRecordKeysNeitherCrashesBobNorChangesWhatHeReceived(String kind) throws Exception {
    ChatClient b = bobsClient(kind);
    ChatId chat = ChatId.direct(alice.card());
    aliceSends("m0", "m1");
    assertThat(b.update(chat).received()).extracting(Message::text).containsExactly("m0", "m1");
    // The ledger puts junk over record 1 and at every later record key of the page.
    for (int i = 1; i < 20; i++) {
      store.put(ab.recordKey(ab.myFeed(), 1, i), i % 2 == 0 ? "junk" : Envelope.seal(ab, "elsewhere",
          alicePage));
    }
    assertThat(b.update(chat).received()).isEmpty();
    assertThat(b.history(chat, HistoryRequest.all()).messages()).extracting(Message::text)
        .containsExactly("m0", "m1");
    aliceSends("m2"); // her write goes over the junk at record 2
    assertThat(b.update(chat).received()).extracting(Message::text).containsExactly("m2");
    assertThat(b.history(chat, HistoryRequest.all()).messages()).extracting(Message::text)
        .containsExactly("m0", "m1", "m2");
  }
}
