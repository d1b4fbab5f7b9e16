package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.ReadsRecord;
import org.reschat.core.internal.page.RecordVerifier;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.EtcdClusterExtension;

/**
 * A group's open pages written as signed slot records (protocol §4.9), end to end through the group API: once every
 * device of every member has read the epoch (and so written its notice), each message is one signed record at its
 * own key and the page is written whole when it closes; the others read the records as they come and see every
 * message once, the notices never. On memory, the embedded ledger and a real etcd cluster (skipped where etcd is not
 * installed).
 */
class GroupRecordsTest {
  @RegisterExtension
  static final EtcdClusterExtension etcdCluster = new EtcdClusterExtension(3);
  @TempDir Path dir;
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final Identity d = TestIdentities.named("dave");
  private KvStore store;
  private TestClients clients;
  private ChatClient alice;
  private ChatClient bob;
  private ChatClient carol;

  @AfterEach
  void close() {
    if (clients != null) {
      clients.close();
      store.close();
    }
  }

  private void open(String kind) throws Exception {
    store = switch (kind) {
      case "etcd" -> KvStores.open(etcdCluster.cluster().storeSpec());
      case "sqlite" -> EmbeddedStore.open(dir.resolve("ledger.db"));
      default -> new MemoryKvStore();
    };
    clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
    alice = clients.client(a);
    bob = clients.client(b);
    carol = clients.client(c);
  }

  /** Alice creates "trip" with Bob and Carol, who take the invitation; nobody has read the group yet. */
  private Group trip() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
    bob.update(ChatId.direct(a.card()));
    carol.update(ChatId.direct(a.card()));
    return g;
  }

  private static Group seenBy(ChatClient who, Group g) throws Exception {
    return TestClients.groups(who).find(g.id()).orElseThrow();
  }

  private static List<String> update(ChatClient who, Group g) throws Exception {
    return texts(TestClients.groups(who).update(seenBy(who, g)).received());
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text).toList();
  }

  private static List<String> sends(ChatClient who, Group g, int from, int to) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      TestClients.groups(who).send(seenBy(who, g), "m" + i);
      out.add("m" + i);
    }
    return out;
  }

  /** Alice's feed in {@code g}'s current epoch, as {@code who} names it. */
  private Conversation epoch(Identity who, Group g) {
    return Group.conversation(who, g.current());
  }

  /** Each member reads the group (and writes its notice there), then Alice reads the others' notices. */
  private void everyoneShowsRecords(Group g) throws Exception {
    for (ChatClient m : List.of(bob, carol, alice)) {
      TestClients.groups(m).update(seenBy(m, g));
    }
  }

  private boolean written(String key) throws Exception {
    return store.get(key).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite", "etcd"})
  void aGroupOfThreeWritesEachMessageAsOneSignedRecordAndThePageWholeWhenItCloses(String kind) throws Exception {
    open(kind);
    Group g = trip();
    everyoneShowsRecords(g);
    Conversation mine = epoch(a, g);
    // Alice's page 1 holds her notice, begun whole: it stays whole until full, and records start at page 2 (§4.8).
    List<String> first = sends(alice, g, 0, 19);
    assertThat(written(mine.pageKey(mine.myFeed(), 1))).isTrue();
    assertThat(update(bob, g)).containsExactlyElementsOf(first);

    List<String> three = sends(alice, g, 19, 22);
    for (int i = 0; i < 3; i++) {
      String key = mine.recordKey(mine.myFeed(), 2, i);
      String value = store.get(key).orElseThrow();
      assertThat(RecordVerifier.openAndVerify(epoch(b, g), epoch(b, g).feed(epoch(b, g).indexOf(a.card())), 2, i, key,
          value).isTagged()).as("record %d is signed", i).isFalse();
    }
    assertThat(written(mine.pageKey(mine.myFeed(), 2))).as("the open page is not written whole").isFalse();
    assertThat(update(bob, g)).containsExactlyElementsOf(three);
    List<String> all = new ArrayList<>(first);
    all.addAll(three);
    assertThat(update(carol, g)).containsExactlyElementsOf(all);

    List<String> rest = sends(alice, g, 22, 39);
    assertThat(written(mine.pageKey(mine.myFeed(), 2))).as("the page closed, signed, at its key").isTrue();
    assertThat(update(bob, g)).containsExactlyElementsOf(rest);
    all.addAll(rest);
    for (ChatClient m : List.of(alice, bob, carol)) {
      List<Message> history = TestClients.groups(m).history(seenBy(m, g), HistoryRequest.all()).messages();
      assertThat(texts(history)).as("history of %s", m == alice ? "alice" : m == bob ? "bob" : "carol").containsExactlyElementsOf(all);
      assertThat(history).extracting(Message::type).doesNotContain(ReadsRecord.TYPE);
      assertThat(TestClients.groups(m).history(seenBy(m, g), HistoryRequest.all()).warnings()).isEmpty();
    }
  }
}
