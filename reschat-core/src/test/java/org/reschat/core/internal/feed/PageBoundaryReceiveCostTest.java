package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.testing.RecordingKvStore;
import org.reschat.kv.testing.TestLedger;

/**
 * The read requests of live receives across page boundaries (protocol §4.8, issue 24), direct and in a group, on the
 * memory store and the embedded ledger: each request is a round trip on etcd and ResilientDB. Between boundaries a live
 * receive is one request (LiveReceiveInOneRequestTest); these count the receives at a boundary: the message that fills
 * a page (whole, or closed by its twentieth record), and the first record of the page after it. Counted, not timed.
 */
class PageBoundaryReceiveCostTest {
  /** Live receives counted: Alice's page 1 (begun whole) filled, then pages 2, 3 and 4 as records. */
  private static final int RECEIVES = 60;

  @TempDir Path dir;
  private TestLedger ledger;
  private RecordingKvStore store;
  private TestClients clients;

  @AfterEach
  void close() {
    if (clients != null) {
      clients.close();
    }
    if (ledger != null) {
      ledger.close();
    }
  }

  private void open(String kind) throws Exception {
    ledger = TestLedger.open(kind, dir);
    store = new RecordingKvStore(ledger.store());
    clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aDirectChatsLiveReceivesAcrossPageBoundaries(String kind) throws Exception {
    open(kind);
    ChatClient alice = clients.client(TestIdentities.named("alice"));
    ChatClient bob = clients.client(TestIdentities.named("bob"));
    RecordsChatSteps.exchangeNotices(alice, bob);
    Map<Integer, Integer> costs = liveReceives(alice, ChatId.direct(bob.card()), bob, ChatId.direct(alice.card()));
    // Receives 18, 38, 58 fill a page (Alice's page 1, 2, 3; pages 2 and 3 closed by their twentieth record);
    // 19, 39, 59 take the first record of the page after it.
    assertThat(costs).as("read requests of the live receives that cost more than one")
        .isEqualTo(Map.of(18, 3, 19, 2, 38, 3, 39, 2, 58, 3, 59, 2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aDirectChatsQuietReceiveAfterAFullPage(String kind) throws Exception {
    open(kind);
    ChatClient alice = clients.client(TestIdentities.named("alice"));
    ChatClient bob = clients.client(TestIdentities.named("bob"));
    RecordsChatSteps.exchangeNotices(alice, bob);
    liveReceives(alice, ChatId.direct(bob.card()), bob, ChatId.direct(alice.card()), 19); // Alice's page 1 full
    store.takeCalls();
    assertThat(bob.update(ChatId.direct(alice.card())).received()).isEmpty();
    assertThat(reads()).as("read requests of a quiet receive past a full page").isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void aGroupsLiveReceivesAcrossPageBoundaries(String kind) throws Exception {
    open(kind);
    ChatClient alice = clients.client(TestIdentities.named("alice"));
    List<ChatClient> members = new ArrayList<>();
    for (int i = 1; i < 5; i++) {
      members.add(clients.client(TestIdentities.named("member " + i)));
    }
    ChatId.Group group = alice.groups().create("five", members.stream().map(ChatClient::card).toList());
    for (ChatClient m : members) { // each takes the invitation and writes its notice: the group is on records
      m.update(ChatId.direct(alice.card()));
      m.update(group);
    }
    alice.update(group);
    ChatClient bob = members.get(0);
    alice.send(group, "warm");
    assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("warm"); // reads the roster
    Map<Integer, Integer> costs = liveReceives(alice, group, bob, group);
    // Her page 1 holds her notice and the warm-up: receives 17, 37, 57 fill a page, 18, 38, 58 take the next's first.
    assertThat(costs).as("read requests of the live receives that cost more than one")
        .isEqualTo(Map.of(17, 3, 18, 2, 37, 3, 38, 2, 57, 3, 58, 2));
  }

  private Map<Integer, Integer> liveReceives(ChatClient from, ChatId to, ChatClient reader, ChatId chat)
      throws Exception {
    return liveReceives(from, to, reader, chat, RECEIVES);
  }

  /** {@code count} live receives of one message each; the read requests of those that took more than one. */
  private Map<Integer, Integer> liveReceives(ChatClient from, ChatId to, ChatClient reader, ChatId chat, int count)
      throws Exception {
    Map<Integer, Integer> costs = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      from.send(to, "m" + i);
      store.takeCalls();
      assertThat(reader.update(chat).received()).extracting(Message::text).containsExactly("m" + i);
      int requests = reads();
      assertThat(requests).as("read requests of live receive %d", i).isPositive();
      if (requests > 1) {
        costs.put(i, requests);
      }
    }
    return costs;
  }

  /** Read requests (single reads and batches) since the last look. */
  private int reads() {
    return (int) store.takeCalls().stream()
        .filter(c -> c.op() == RecordingKvStore.Op.GET || c.op() == RecordingKvStore.Op.GET_ALL).count();
  }
}
