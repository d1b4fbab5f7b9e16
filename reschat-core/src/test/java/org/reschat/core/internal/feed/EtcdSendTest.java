package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStores;
import org.reschat.kv.etcd.EtcdStore;
import org.reschat.kv.testing.EtcdClusterExtension;

/**
 * Sends on a real three-member etcd cluster, requests counted by the store itself (never timed): a send with
 * the tail in hand is one request, a conditional put in one transaction; and a restored backup that sends
 * after the live device wrote the tail overwrites nothing. Skipped when etcd is not installed.
 */
@org.junit.jupiter.api.Tag("slow") // real etcd processes: left out by mvn -Pfast
class EtcdSendTest {
  @RegisterExtension
  static final EtcdClusterExtension etcdCluster = new EtcdClusterExtension(3);
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final List<ChatClient> clients = new ArrayList<>();
  private EtcdStore store;

  @BeforeEach
  void open() throws Exception {
    store = (EtcdStore) KvStores.open(etcdCluster.cluster().storeSpec());
  }

  @AfterEach
  void close() {
    clients.forEach(ChatClient::close);
    store.close();
  }

  private ChatClient client(Identity id) {
    ChatClient c = ChatClient.builder().identity(id).store(store).localState(new InMemoryLocalState()).build();
    clients.add(c);
    return c;
  }

  @Test
  void aSendWithTheTailInHandIsExactlyOneRequestToEtcd() throws Exception {
    ChatClient alice = client(a);
    ChatClient bob = client(b);
    bob.send(ChatId.direct(a.card()), "hi");
    alice.update(ChatId.direct(b.card()));
    alice.send(ChatId.direct(b.card()), "first");
    for (int i = 0; i < 22; i++) { // across a page boundary: a new page is written over "nothing there"
      EtcdStore.RequestCounts before = store.requestCounts();
      assertThat(alice.send(ChatId.direct(b.card()), "message " + i).confirmed()).isTrue();
      EtcdStore.RequestCounts after = store.requestCounts();
      assertThat(after.total() - before.total()).as("requests of send %d", i).isEqualTo(1);
      assertThat(after.conditionalPuts() - before.conditionalPuts()).as("a conditional put, send %d", i).isEqualTo(1);
    }
    List<String> seen = bob.update(ChatId.direct(a.card())).received().stream().map(Message::text).toList();
    assertThat(seen).hasSize(23).startsWith("first").endsWith("message 21");
  }

  @Test
  void aRestoredBackupThatSendsAfterTheLiveDeviceWroteTheTailOverwritesNothing() throws Exception {
    ChatClient live = client(a);
    for (int i = 0; i < 5; i++) {
      live.send(ChatId.direct(b.card()), "m" + i);
    }
    ChatClient backup = client(a); // the profile as it was: it holds page 1 with five messages
    backup.history(ChatId.direct(b.card()), HistoryRequest.newest(1));
    for (int i = 5; i < 8; i++) {
      live.send(ChatId.direct(b.card()), "m" + i); // the live device writes on over page 1
    }
    EtcdStore.RequestCounts before = store.requestCounts();
    assertThat(backup.send(ChatId.direct(b.card()), "from the restored backup").confirmed()).isTrue();
    // refused, adopted, sealed again after the live device's page and written over it: two conditional puts
    assertThat(store.requestCounts().conditionalPuts() - before.conditionalPuts()).isEqualTo(2);
    assertThat(live.send(ChatId.direct(b.card()), "from the live device").confirmed()).isTrue();
    History h = client(b).history(ChatId.direct(a.card()), HistoryRequest.all());
    assertThat(h.warnings()).isEmpty();
    assertThat(h.messages()).extracting(Message::text)
        .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "from the restored backup", "from the live device");
  }
}
