package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.SendResult;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.FakeKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * What a send costs the profile's files, counted (never timed).
 *
 * <p>On a store whose writes are local transactions (the embedded ledger), none: the page is written first, and
 * what the store confirmed is appended to the outbox log without an fsync (lost to a power cut, the next write
 * compares against the store and adopts its page). The ledger's commit is the send's one fsync. Only a write that
 * fails puts the page in the outbox, durably (one fsync), and it is published later.
 *
 * <p>On a network store one fsync, of the outbox log's append that makes the page durable before the store sees
 * it; once the store confirmed it, one more append that is not fsynced (a confirmation lost to a power cut leaves
 * the page queued, and the next publish confirms it again). It was two per send with a file per outbox entry (the
 * file and its directory), and five before that. The first write of a feed creates its log: a new file's name needs
 * its directory synced too, so that one costs two (in a direct chat, the {@code PAIR_READS} of the device's first
 * read there, protocol §4.7).
 */
class SendFsyncsTest {
  @TempDir Path dir;

  private static final Identity A = TestIdentities.named("alice");
  private static final Identity B = TestIdentities.named("bob");
  private static final FeedId ALICES = Conversation.pair(A, B.card()).myFeed();

  /**
   * Alice's sends with her profile on disk, 45 (over two page boundaries): the fsyncs of each. Her first read of
   * the chat before them writes her {@code PAIR_READS} (protocol §4.7), her first write in the feed, so the feed's
   * log exists before the first send (its creation's two fsyncs are the read's).
   */
  private List<Long> fsyncsOfSends(KvStore store, Profile profile) throws Exception {
    List<Long> perSend = new ArrayList<>();
    try (ChatClient alice = ChatClient.builder().identity(A).store(store).localState(profile.state()).build();
        ChatClient bob = ChatClient.builder().identity(B).store(store).localState(new InMemoryLocalState()).build()) {
      bob.send(ChatId.direct(A.card()), "hi"); // Bob wrote first: no message request to record
      alice.update(ChatId.direct(B.card()));
      try (var files = Files.walk(dir.resolve("alice").resolve("state").resolve("outbox"))) {
        assertThat(files.filter(Files::isRegularFile)).as("the read's notice created the feed's log").hasSize(1);
      }
      for (int i = 0; i < 45; i++) { // a new page costs no more than a grown one
        long before = AtomicFiles.fsyncs();
        assertThat(alice.send(ChatId.direct(B.card()), "message " + i).confirmed()).isTrue();
        perSend.add(AtomicFiles.fsyncs() - before);
      }
      assertThat(bob.update(ChatId.direct(A.card())).received()).hasSize(45);
      assertThat(profile.state().outbox(ALICES)).isEmpty();
      assertThat(profile.state().queuedConversations()).isEmpty();
    }
    try (var files = Files.walk(dir.resolve("alice").resolve("state").resolve("outbox"))) {
      assertThat(files.filter(Files::isRegularFile)).as("the feed's log, and no other file")
          .singleElement().satisfies(p -> assertThat(p.toString()).endsWith(".log"));
    }
    return perSend;
  }

  @Test
  void onTheEmbeddedLedgerASendFsyncsNothingOfTheProfileAndWritesTheLedgerOnce() throws Exception {
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"))) {
      RecordingKvStore store = new RecordingKvStore(ledger);
      List<Long> perSend = fsyncsOfSends(store, Profile.open(dir.resolve("alice")));
      assertThat(perSend).containsOnly(0L);
      assertThat(store.count(RecordingKvStore.Op.PUT_IF_UNCHANGED) + store.count(RecordingKvStore.Op.PUT))
          .as("one write a send (and Bob's message, and each one's PAIR_READS): one commit of the ledger, its one fsync")
          .isEqualTo(48);
    }
  }

  @Test
  void onANetworkStoreASendFsyncsOnceTheOutboxEntryBeforeTheStoreSeesIt() throws Exception {
    List<Long> perSend = fsyncsOfSends(new FakeKvStore(), Profile.open(dir.resolve("alice")));
    assertThat(perSend).containsOnly(1L);
  }

  @Test
  void aSendTheStoreRefusesStaysQueuedAfterItsTwoFsyncsAndIsConfirmedByTheNext() throws Exception {
    FakeKvStore store = new FakeKvStore();
    Profile profile = Profile.open(dir.resolve("alice"));
    try (ChatClient alice = ChatClient.builder().identity(A).store(store).localState(profile.state()).build();
        ChatClient bob = ChatClient.builder().identity(B).store(store).localState(new InMemoryLocalState()).build()) {
      bob.send(ChatId.direct(A.card()), "hi");
      alice.update(ChatId.direct(B.card()));
      assertThat(alice.send(ChatId.direct(B.card()), "first").confirmed()).isTrue();
      store.putMode(FakeKvStore.PutMode.UNAVAILABLE);
      long before = AtomicFiles.fsyncs();
      assertThat(alice.send(ChatId.direct(B.card()), "queued").confirmed()).isFalse();
      assertThat(AtomicFiles.fsyncs() - before).as("the outbox entry, durable before the store is asked").isEqualTo(1);
      store.putMode(FakeKvStore.PutMode.NORMAL);
      assertThat(alice.send(ChatId.direct(B.card()), "then this").confirmed()).isTrue();
      assertThat(bob.update(ChatId.direct(A.card())).received()).extracting(m -> m.text())
          .containsExactly("first", "queued", "then this");
    }
  }

  /**
   * The embedded ledger refuses a write (here a trigger, as a full disk would): the message is queued, durably,
   * and published by the next send once the ledger takes writes again. Nothing lost, nothing out of order.
   */
  @Test
  void aWriteTheEmbeddedLedgerRefusesIsQueuedDurablyAndPublishedLater() throws Exception {
    Path file = dir.resolve("ledger.db");
    try (EmbeddedStore store = EmbeddedStore.open(file)) {
      Profile profile = Profile.open(dir.resolve("alice"));
      try (ChatClient alice = ChatClient.builder().identity(A).store(store).localState(profile.state()).build();
          ChatClient bob = ChatClient.builder().identity(B).store(store).localState(new InMemoryLocalState()).build()) {
        bob.send(ChatId.direct(A.card()), "hi");
        alice.update(ChatId.direct(B.card()));
        assertThat(alice.send(ChatId.direct(B.card()), "first").confirmed()).isTrue();
        sql(file, "CREATE TRIGGER refuse BEFORE INSERT ON kv_versions BEGIN SELECT RAISE(ABORT, 'refused'); END");
        long before = AtomicFiles.fsyncs();
        SendResult refused = alice.send(ChatId.direct(B.card()), "queued");
        assertThat(refused.confirmed()).isFalse();
        assertThat(refused.problem()).isPresent();
        assertThat(AtomicFiles.fsyncs() - before).as("the outbox entry, durable once the write failed").isEqualTo(1);
        assertThat(Profile.open(dir.resolve("alice")).state().outbox(ALICES)).as("on disk, for any process").hasSize(1);
        assertThat(alice.pending(ChatId.direct(B.card()))).isEqualTo(1);
        assertThat(bob.update(ChatId.direct(A.card())).received()).extracting(m -> m.text()).containsExactly("first");

        sql(file, "DROP TRIGGER refuse");
        assertThat(alice.send(ChatId.direct(B.card()), "then this").confirmed()).isTrue();
        assertThat(alice.pending(ChatId.direct(B.card()))).isZero();
        assertThat(profile.state().outbox(ALICES)).isEmpty();
        assertThat(bob.update(ChatId.direct(A.card())).received()).extracting(m -> m.text())
            .containsExactly("queued", "then this");
      }
    }
  }

  /**
   * The confirmation after a confirmed write lost (a power loss before a later fsync of the log), on a network
   * store: the page is queued again, and the next call confirms it without writing anything.
   */
  @Test
  void aConfirmationLostToAPowerCutIsMadeAgainByTheNextCallWithoutWritingAnything() throws Exception {
    RecordingKvStore store = new RecordingKvStore(new FakeKvStore());
    Path home = dir.resolve("alice");
    try (ChatClient alice = ChatClient.builder().identity(A).store(store).localState(Profile.open(home).state())
        .build()) {
      alice.send(ChatId.direct(B.card()), "one");
      alice.send(ChatId.direct(B.card()), "two");
    }
    cutLastRecord(home, OutboxLogFormat.record(OutboxLogFormat.Kind.CONFIRMED, 1, null).length);
    store.takeCalls();
    try (ChatClient alice = ChatClient.builder().identity(A).store(store).localState(Profile.open(home).state())
            .build();
        ChatClient bob = ChatClient.builder().identity(B).store(store).localState(new InMemoryLocalState()).build()) {
      assertThat(alice.pending(ChatId.direct(B.card()))).as("shown as queued until confirmed").isEqualTo(1);
      assertThat(alice.update(ChatId.direct(B.card())).warnings()).isEmpty();
      assertThat(store.takeCalls().stream().filter(RecordingKvStore.Call::wrote)).as("nothing written again").isEmpty();
      assertThat(alice.pending(ChatId.direct(B.card()))).isZero();
      assertThat(bob.update(ChatId.direct(A.card())).received()).extracting(m -> m.text()).containsExactly("one", "two");
    }
  }

  /**
   * On the embedded ledger, the verified copy of a page written first lost to a power cut: the profile holds the
   * version before it, so the next send seals after that one, and its write over that version is refused with the
   * ledger's page. That page (this client's own) is adopted and the new message sealed again after it: no fork,
   * nothing lost, nothing sent twice.
   */
  @Test
  void aVerifiedCopyLostToAPowerCutIsAdoptedFromTheLedgerByTheNextSendWithoutAFork() throws Exception {
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"))) {
      Path home = dir.resolve("alice");
      try (ChatClient alice = ChatClient.builder().identity(A).store(ledger).localState(Profile.open(home).state())
          .build()) {
        alice.send(ChatId.direct(B.card()), "one");
        alice.send(ChatId.direct(B.card()), "two");
      }
      String onLedger = ledger.get(Conversation.pair(A, B.card()).pageKey(ALICES, 1)).orElseThrow();
      cutLastRecord(home, OutboxLogFormat.record(OutboxLogFormat.Kind.VERIFIED, 1, onLedger).length);
      try (ChatClient alice = ChatClient.builder().identity(A).store(ledger).localState(Profile.open(home).state())
              .build();
          ChatClient bob = ChatClient.builder().identity(B).store(ledger).localState(new InMemoryLocalState()).build()) {
        assertThat(Profile.open(home).state().page(ALICES, 1)).as("the profile holds the version before").isPresent()
            .get().isNotEqualTo(onLedger);
        SendResult three = alice.send(ChatId.direct(B.card()), "three");
        assertThat(three.confirmed()).isTrue();
        assertThat(three.problem()).isEmpty();
        assertThat(alice.pending(ChatId.direct(B.card()))).isZero();
        var got = bob.update(ChatId.direct(A.card()));
        assertThat(got.warnings()).as("one chain: no equivocation").isEmpty();
        assertThat(got.received()).extracting(m -> m.text()).containsExactly("one", "two", "three");
        assertThat(ledger.history(Conversation.pair(A, B.card()).pageKey(ALICES, 1))).as("each version once, in order")
            .hasSize(3);
      }
    }
  }

  /** What a power cut before the last record reached the disk leaves: the feed's log without that record. */
  private static void cutLastRecord(Path home, int recordLength) throws Exception {
    Path log;
    try (var files = Files.walk(home.resolve("state").resolve("outbox"))) {
      log = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(log);
    Files.write(log, java.util.Arrays.copyOf(bytes, bytes.length - recordLength));
  }

  private static void sql(Path file, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
