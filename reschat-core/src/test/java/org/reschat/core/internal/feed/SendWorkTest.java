package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * The work a send and a live receive do, counted (never timed): pages opened and signatures checked, and
 * requests to the store. A send writes its page conditionally on the bytes this client last saw there (the
 * promise that a stale device never overwrites): one request and no read, and nothing to open or verify. The own tail and the other feed's newest page, opened by an earlier call, are not opened again,
 * and the message just sealed is not opened to be returned.
 */
class SendWorkTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final List<ChatClient> clients = new ArrayList<>();

  private ChatClient client(Identity id, KvStore store) {
    ChatClient c = ChatClient.builder().identity(id).store(store).localState(new InMemoryLocalState()).build();
    clients.add(c);
    return c;
  }

  @AfterEach
  void close() {
    clients.forEach(ChatClient::close);
  }

  @Test
  void aSendInAConversationUnderWayOpensAndVerifiesNothingAndIsOneConditionalWrite() throws Exception {
    RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    bob.send(ChatId.direct(a.card()), "hi");
    alice.update(ChatId.direct(b.card()));
    alice.send(ChatId.direct(b.card()), "first"); // pages this client holds are opened once, by some call
    for (int i = 0; i < 25; i++) { // across a page boundary
      long opened = Envelope.opens();
      long verified = PageVerifier.verifications();
      store.takeCalls(); // count this send's requests only
      SendResult sent = alice.send(ChatId.direct(b.card()), "message " + i);
      assertThat(sent.confirmed()).isTrue();
      assertThat(sent.message().text()).isEqualTo("message " + i);
      assertThat(sent.message().status()).isEqualTo(Message.Status.CONFIRMED);
      assertThat(Envelope.opens() - opened).as("envelopes opened by send %d", i).isZero();
      assertThat(PageVerifier.verifications() - verified).as("signatures checked by send %d", i).isZero();
      assertThat(store.takeCalls()).as("requests of send %d", i).extracting(RecordingKvStore.Call::op)
          .containsExactly(RecordingKvStore.Op.PUT_IF_UNCHANGED);
    }
    List<String> seen = bob.update(ChatId.direct(a.card())).received().stream().map(Message::text).toList();
    assertThat(seen).hasSize(26).startsWith("first", "message 0").endsWith("message 24");
  }

  /**
   * A send on a page open as slot records (protocol §4.8) seals one envelope, its record's: the outbox holds the
   * open page as its records' values (QueuedRecords), not the whole page sealed again at every send (a third of a
   * send). The page is sealed whole once, by the send that fills it, and signed once then, not again to close it.
   */
  @Test
  void aSendOnAnOpenRecordPageSealsOnlyItsRecordAndTheFullPageOnce() throws Exception {
    org.reschat.core.testing.TestClients clients = new org.reschat.core.testing.TestClients(new MemoryKvStore(),
        org.reschat.core.testing.TestClients.ticking(1_800_000_000_000L));
    try {
      ChatClient alice = clients.client(a);
      ChatClient bob = clients.client(b);
      ChatId toBob = ChatId.direct(b.card());
      ChatId toAlice = ChatId.direct(a.card());
      bob.send(toAlice, "hi");
      alice.update(toBob);
      bob.update(toAlice);
      alice.update(toBob); // each has read the other's notice: both read version 5
      for (int i = 0; i < 20; i++) { // Alice's page 1 fills; page 2 begins as records
        alice.send(toBob, "filling " + i);
      }
      bob.update(toAlice);
      List<Long> seals = new ArrayList<>();
      List<Long> signatures = new ArrayList<>();
      List<Long> tags = new ArrayList<>();
      for (int i = 0; i < 25; i++) { // across a page boundary
        long sealed = Envelope.seals();
        long signed = org.reschat.core.internal.identity.KeyMaterial.signatures();
        long tagged = org.reschat.core.internal.page.SenderTag.computed();
        assertThat(alice.send(toBob, "record " + i).confirmed()).isTrue();
        seals.add(Envelope.seals() - sealed);
        signatures.add(org.reschat.core.internal.identity.KeyMaterial.signatures() - signed);
        tags.add(org.reschat.core.internal.page.SenderTag.computed() - tagged);
      }
      // Before: the open page was tagged whole at every send as well as its record, its tag thrown away until it
      // closed (issue 24). Now each send tags its record alone; the full page is signed, never tagged.
      assertThat(tags).as("sender tags made by each send").containsOnly(1L);
      // Before: two seals a send (its record, and the whole page for the outbox), three when the page filled, and
      // two signatures then (the full page queued, then the same page again to close its records).
      assertThat(seals).as("envelopes sealed by each send").containsOnly(1L, 2L).containsOnlyOnce(2L);
      assertThat(seals.indexOf(2L)).as("the send that fills the page seals it whole").isEqualTo(signatures.indexOf(1L));
      assertThat(signatures.stream().mapToLong(Long::longValue).sum()).as("signatures over 25 sends").isEqualTo(1);
      assertThat(bob.update(toAlice).received()).extracting(Message::text).hasSize(25).endsWith("record 24");
    } finally {
      clients.close();
    }
  }

  /**
   * The local records a send reads: each member's device list once (it was twice: to attach their devices, then
   * to count their revocations), the pair's later epochs and who reads version 4. On a profile each read is a stat
   * of a file at least.
   */
  @Test
  void aSendReadsEachDeviceListOnce() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    InMemoryLocalState real = new InMemoryLocalState();
    java.util.Map<String, Integer> reads = new java.util.concurrent.ConcurrentHashMap<>();
    org.reschat.core.spi.LocalState counting = (org.reschat.core.spi.LocalState) java.lang.reflect.Proxy.newProxyInstance(
        org.reschat.core.spi.LocalState.class.getClassLoader(), new Class<?>[] {org.reschat.core.spi.LocalState.class},
        (proxy, method, args) -> {
          if (method.getName().equals("deviceRecord")) {
            reads.merge(((String) args[0]).replaceAll("-.*", ""), 1, Integer::sum);
          }
          try {
            return method.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    ChatClient alice = ChatClient.builder().identity(a).store(store).localState(counting).build();
    clients.add(alice);
    ChatClient bob = client(b, store);
    bob.send(ChatId.direct(a.card()), "hi");
    alice.update(ChatId.direct(b.card()));
    alice.send(ChatId.direct(b.card()), "first");
    reads.clear();
    assertThat(alice.send(ChatId.direct(b.card()), "second").confirmed()).isTrue();
    assertThat(reads).as("device records read by one send, by kind").containsEntry("list", 2);
  }

  /**
   * On a store whose writes are local transactions a page is written before anything is recorded locally. When
   * recording it then fails (the profile's disk full or read-only while the ledger's is not), the message is on
   * the ledger all the same: the send says it was sent, not that it failed, and the next send, whose write over
   * the older version is refused with this page, adopts it: no fork, nothing sent twice.
   */
  @Test
  void aPageWrittenFirstIsSentEvenWhenRecordingItLocallyFailsAndTheNextSendAdoptsIt() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    java.util.concurrent.atomic.AtomicBoolean failConfirm = new java.util.concurrent.atomic.AtomicBoolean();
    InMemoryLocalState real = new InMemoryLocalState();
    org.reschat.core.spi.LocalState failing = (org.reschat.core.spi.LocalState) java.lang.reflect.Proxy.newProxyInstance(
        org.reschat.core.spi.LocalState.class.getClassLoader(), new Class<?>[] {org.reschat.core.spi.LocalState.class},
        (proxy, method, args) -> {
          if (method.getName().equals("confirmOutbox") && failConfirm.get()) {
            throw new org.reschat.core.LocalStateException("No space left on the profile's disk.");
          }
          try {
            return method.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    ChatClient alice = ChatClient.builder().identity(a).store(store).localState(failing).build();
    clients.add(alice);
    ChatClient bob = client(b, store);
    bob.send(ChatId.direct(a.card()), "hi");
    alice.update(ChatId.direct(b.card()));
    alice.send(ChatId.direct(b.card()), "one");
    failConfirm.set(true);
    SendResult two = alice.send(ChatId.direct(b.card()), "two");
    assertThat(two.confirmed()).as("on the ledger: sent").isTrue();
    failConfirm.set(false);
    assertThat(alice.send(ChatId.direct(b.card()), "three").confirmed()).isTrue();
    var got = bob.update(ChatId.direct(a.card()));
    assertThat(got.warnings()).as("one chain").isEmpty();
    assertThat(got.received()).extracting(Message::text).containsExactly("one", "two", "three");
  }

  @Test
  void aLiveReceiveOfOneMessageOpensAndVerifiesOnlyThatPage() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    bob.send(ChatId.direct(a.card()), "hi");
    alice.update(ChatId.direct(b.card()));
    alice.send(ChatId.direct(b.card()), "first");
    bob.update(ChatId.direct(a.card()));
    for (int i = 0; i < 25; i++) {
      alice.send(ChatId.direct(b.card()), "message " + i);
      long opened = Envelope.opens();
      long verified = PageVerifier.verifications();
      List<Message> got = bob.update(ChatId.direct(a.card())).received();
      assertThat(got).extracting(Message::text).containsExactly("message " + i);
      assertThat(Envelope.opens() - opened).as("envelopes opened by update %d", i).isEqualTo(1);
      assertThat(PageVerifier.verifications() - verified).as("signatures checked by update %d", i).isEqualTo(1);
    }
  }
}
