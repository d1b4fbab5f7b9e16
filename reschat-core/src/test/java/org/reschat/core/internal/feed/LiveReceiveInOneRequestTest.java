package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * A live receive of a direct chat on records (protocol §4.8) asks the store once: the feeds' first pages and the next
 * record key of the open record page it follows go in one batch, and the record follower takes what the batch read
 * there instead of reading the key again (issue 24: a receive of one message was two or three round trips on etcd or
 * ResilientDB). Counted, not timed.
 */
class LiveReceiveInOneRequestTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
  private final TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = clients.client(b);
  private final ChatId toBob = ChatId.direct(b.card());
  private final ChatId toAlice = ChatId.direct(a.card());

  @AfterEach
  void close() {
    clients.close();
  }

  @Test
  void aLiveReceiveOfOneRecordIsOneRequest() throws Exception {
    aliceWritesRecords();
    for (int i = 0; i < 10; i++) {
      alice.send(toBob, "record " + i);
      store.takeCalls();
      assertThat(bob.update(toAlice).received()).extracting(Message::text).containsExactly("record " + i);
      assertThat(reads()).as("read requests of live receive %d", i).containsExactly(RecordingKvStore.Op.GET_ALL);
    }
  }

  @Test
  void aQuietReceiveOnRecordsIsOneRequest() throws Exception {
    aliceWritesRecords();
    for (int i = 0; i < 3; i++) {
      store.takeCalls();
      assertThat(bob.update(toAlice).received()).as("quiet receive %d", i).isEmpty();
      assertThat(reads()).as("read requests of quiet receive %d", i).containsExactly(RecordingKvStore.Op.GET_ALL);
    }
  }

  /**
   * What the batch read at the record keys is verified as the follower's own read: Alice's first record of page 2
   * replayed at the next record key and junk at the one after are shown to nobody, and her real record written over
   * them is received once (nothing the batch read is trusted for having come in it).
   */
  @Test
  void whatTheBatchReadsAtRecordKeysIsVerifiedAsTheFollowersOwnRead() throws Exception {
    aliceWritesRecords(); // Bob holds record 0 of her page 2, and batches records 1 and 2
    Conversation ab = Conversation.pair(a, b.card());
    String recordZero = store.get(ab.recordKey(ab.myFeed(), 2, 0)).orElseThrow();
    store.put(ab.recordKey(ab.myFeed(), 2, 1), recordZero);
    store.put(ab.recordKey(ab.myFeed(), 2, 2), "junk");
    store.takeCalls();
    assertThat(bob.update(toAlice).received()).as("a replayed record and junk at the batched keys").isEmpty();
    assertThat(store.takeCalls()).extracting(RecordingKvStore.Call::keys).as("the batch carried both record keys")
        .anySatisfy(keys -> assertThat(keys).contains(ab.recordKey(ab.myFeed(), 2, 1), ab.recordKey(ab.myFeed(), 2, 2)));
    alice.send(toBob, "the real record 1");
    assertThat(bob.update(toAlice).received()).extracting(Message::text).containsExactly("the real record 1");
  }

  /**
   * Alice's page 1 filled (begun whole, it stays whole) and one record of her page 2 received by Bob: he follows her
   * open record page, holding a record of it.
   */
  private void aliceWritesRecords() throws Exception {
    RecordsChatSteps.aliceFillsHerFirstPage(alice, bob);
    for (int i = 0; i < 8; i++) {
      alice.send(toBob, "filling more " + i);
      assertThat(bob.update(toAlice).received()).hasSize(1);
    }
  }

  private List<RecordingKvStore.Op> reads() {
    return store.takeCalls().stream().map(RecordingKvStore.Call::op)
        .filter(op -> op == RecordingKvStore.Op.GET || op == RecordingKvStore.Op.GET_ALL).toList();
  }
}
