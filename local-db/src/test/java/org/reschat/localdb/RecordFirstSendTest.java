package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.QueuedRecords;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.spi.LocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.embedded.EmbeddedStore;

/**
 * A direct chat between current clients, as users send: every device of both has shown it reads slot records, so
 * each message is one record (protocol §4.8). On the embedded ledger (its writes are local transactions) the record
 * is written first and kept without an fsync, and so is the page that closes twenty records (issue 24). Counted
 * on the real profile and ledger, never timed. Also what the shortcut must not cost: a kept copy lost to a power cut
 * is adopted from the ledger (no fork, nothing lost), a refused write is queued durably and published later as it was
 * queued, and the records of closed pages are not copied into files of their own when the log is compacted.
 */
class RecordFirstSendTest {
  @TempDir Path dir;

  private static final Identity A = TestIdentities.named("alice");
  private static final Identity B = TestIdentities.named("bob");
  private static final Conversation AB = Conversation.pair(A, B.card());
  private static final FeedId ALICES = AB.myFeed();
  private static final ChatId TO_BOB = ChatId.direct(B.card());
  private static final ChatId TO_ALICE = ChatId.direct(A.card());

  private static ChatClient client(Identity id, EmbeddedStore ledger, LocalState state) {
    return ChatClient.builder().identity(id).store(ledger).localState(state).build();
  }

  /**
   * A message each way, each side reading the other's (so each has shown it reads records), then Alice's page begun
   * whole filled: her page 2 is records. Returns the messages Alice sent that Bob has not received yet.
   */
  private static List<String> bothShowRecords(ChatClient alice, ChatClient bob) throws Exception {
    List<String> sent = new ArrayList<>();
    alice.send(TO_BOB, "first");
    bob.update(TO_ALICE);
    bob.send(TO_ALICE, "reply");
    alice.update(TO_BOB);
    bob.update(TO_ALICE);
    alice.update(TO_BOB);
    for (int i = 0; i < 20; i++) {
      alice.send(TO_BOB, "fill " + i);
      sent.add("fill " + i);
    }
    return sent;
  }

  /** Bob's update: no warning, and the texts of what he received. */
  private static List<String> received(ChatClient bob) throws Exception {
    Update u = bob.update(TO_ALICE);
    assertThat(u.warnings()).as("one chain: no equivocation, nothing withheld").isEmpty();
    return u.received().stream().map(Message::text).toList();
  }

  /** How many records of Alice's page {@code page} the ledger holds (they are written in order). */
  private static int recordsOf(EmbeddedStore ledger, long page) throws Exception {
    int n = 0;
    while (n < 20 && ledger.get(AB.recordKey(ALICES, page, n)).isPresent()) {
      n++;
    }
    return n;
  }

  private static long bytesUnder(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      long total = 0;
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(f);
      }
      return total;
    }
  }

  @Test
  void aRecordSendFsyncsNothingOfTheProfileAndAppendsOneRecordOrThePageItCloses() throws Exception {
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"))) {
      Profile profile = Profile.open(dir.resolve("alice"));
      try (ChatClient alice = client(A, ledger, profile.state());
          ChatClient bob = client(B, ledger, new InMemoryLocalState())) {
        List<String> sent = bothShowRecords(alice, bob);
        assertThat(received(bob)).containsExactlyElementsOf(sent);
        int k = recordsOf(ledger, 2); // page 1 holds Alice's notice (§4.7) too: page 2 began before the last fills
        assertThat(k).as("page 2 is records").isPositive();
        Path state = dir.resolve("alice").resolve("state");
        List<Long> fsyncs = new ArrayList<>();
        List<Long> appended = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
          long before = AtomicFiles.fsyncs();
          long bytes = bytesUnder(state);
          SendResult r = alice.send(TO_BOB, "message " + i);
          assertThat(r.confirmed()).isTrue();
          fsyncs.add(AtomicFiles.fsyncs() - before);
          appended.add(bytesUnder(state) - bytes);
          texts.add("message " + i);
        }
        // Page 2 held k records before: a send that writes record 19 closes its page, written whole after it.
        for (int i = 0; i < 60; i++) {
          boolean closes = (k + i) % 20 == 19;
          assertThat(fsyncs.get(i)).as("fsyncs of send %d", i).isZero();
          // One record kept (its ledger value, some 500 bytes, and the log's framing), not the page's records so
          // far; or, closing, the page verified (some 7 kB) and not its last record
          assertThat(appended.get(i)).as("bytes the profile grew by at send %d", i)
              .isBetween(1L, closes ? 10_000L : 1_000L);
        }
        assertThat(profile.state().outbox(ALICES)).as("nothing queued between sends").isEmpty();
        assertThat(alice.pending(TO_BOB)).isZero();
        assertThat(received(bob)).containsExactlyElementsOf(texts);
        assertThat(ledger.history(AB.recordKey(ALICES, 3, 5))).as("each record written once").hasSize(1);
        assertThat(ledger.history(AB.pageKey(ALICES, 3))).as("each closed page written once, whole").hasSize(1);
      }
    }
  }

  /**
   * A power cut after the ledger committed two records but before the profile's unsynced copies reached the disk:
   * the kept log loses the last one whole and the one before it is torn. Neither is reported as damage; the next
   * send seals its message at the first record the profile lacks, the ledger refuses it with this device's own
   * record there, which continues the chain kept: adopted, with the one after it, and the message sealed again after
   * them. Nothing lost, nothing sent twice, no record written over.
   */
  @Test
  void recordsKeptWithoutAnFsyncAndLostToAPowerCutAreAdoptedFromTheLedgerByTheNextSend() throws Exception {
    Path home = dir.resolve("alice");
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"));
        ChatClient bob = client(B, ledger, new InMemoryLocalState())) {
      List<String> texts = new ArrayList<>();
      try (ChatClient alice = client(A, ledger, Profile.open(home).state())) {
        texts.addAll(bothShowRecords(alice, bob));
        for (int i = 0; i < 4; i++) {
          alice.send(TO_BOB, "message " + i);
          texts.add("message " + i);
        }
      }
      int last = recordsOf(ledger, 2) - 1;
      Path kept = home.resolve("state").resolve("outbox").resolve(ALICES + "-records.log");
      int length = OutboxLogFormat.record(OutboxLogFormat.Kind.VERIFIED, 32 * 2 + last,
          ledger.get(AB.recordKey(ALICES, 2, last)).orElseThrow()).length;
      byte[] bytes = Files.readAllBytes(kept);
      Files.write(kept, java.util.Arrays.copyOf(bytes, bytes.length - length - 10)); // the last lost, one before torn

      try (ChatClient alice = client(A, ledger, Profile.open(home).state())) {
        FeedId companion = new FeedId(ALICES.conversation(), ALICES.writer() + "-records", ALICES.member());
        assertThat(Profile.open(home).state().page(companion, 32 * 2 + last - 1)).as("the profile lacks the two")
            .isEmpty();
        assertThat(Profile.open(home).state().page(companion, 32 * 2 + last - 2)).isPresent();
        SendResult next = alice.send(TO_BOB, "after the power cut");
        assertThat(next.confirmed()).isTrue();
        assertThat(next.problem()).isEmpty();
        texts.add("after the power cut");
        assertThat(alice.pending(TO_BOB)).isZero();
        assertThat(alice.update(TO_BOB).warnings()).as("the writer's own view: nothing damaged").isEmpty();
        alice.send(TO_BOB, "and on");
        texts.add("and on");
      }
      assertThat(received(bob)).containsExactlyElementsOf(texts);
      assertThat(recordsOf(ledger, 2)).isEqualTo(last + 3);
      for (int i = 0; i <= last + 2; i++) {
        assertThat(ledger.history(AB.recordKey(ALICES, 2, i))).as("record %d written once", i).hasSize(1);
      }
    }
  }

  /**
   * A power cut loses the verified copy of the page a send closed whole (appended without an fsync): the profile
   * holds nineteen records of it, never twenty without the page (the last record is kept as that page). The next
   * send seals its message as record 19, the ledger refuses it with this device's own record, which is adopted with
   * the page that closes them; the message goes on the next page. No fork, nothing lost or written twice.
   */
  @Test
  void aClosingPageLostToAPowerCutIsAdoptedFromTheLedgerByTheNextSend() throws Exception {
    Path home = dir.resolve("alice");
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"));
        ChatClient bob = client(B, ledger, new InMemoryLocalState())) {
      List<String> texts = new ArrayList<>();
      try (ChatClient alice = client(A, ledger, Profile.open(home).state())) {
        texts.addAll(bothShowRecords(alice, bob));
        for (int i = recordsOf(ledger, 2); i < 20; i++) {
          alice.send(TO_BOB, "message " + i);
          texts.add("message " + i);
        }
      }
      String closing = ledger.get(AB.pageKey(ALICES, 2)).orElseThrow();
      Path log = home.resolve("state").resolve("outbox").resolve(ALICES + ".log");
      byte[] bytes = Files.readAllBytes(log);
      Files.write(log, java.util.Arrays.copyOf(bytes, bytes.length
          - OutboxLogFormat.record(OutboxLogFormat.Kind.VERIFIED, 2, closing).length));
      assertThat(Profile.open(home).state().page(ALICES, 2)).as("the closing page's copy lost").isEmpty();

      try (ChatClient alice = client(A, ledger, Profile.open(home).state())) {
        SendResult next = alice.send(TO_BOB, "after the power cut");
        assertThat(next.confirmed()).isTrue();
        assertThat(next.problem()).isEmpty();
        texts.add("after the power cut");
        assertThat(alice.pending(TO_BOB)).isZero();
        assertThat(alice.update(TO_BOB).warnings()).isEmpty();
      }
      assertThat(received(bob)).containsExactlyElementsOf(texts);
      assertThat(ledger.history(AB.pageKey(ALICES, 2))).as("page 2 written once").hasSize(1);
      assertThat(ledger.history(AB.recordKey(ALICES, 2, 19))).as("its last record written once").hasSize(1);
      assertThat(ledger.get(AB.recordKey(ALICES, 3, 0))).as("the message, the next page's first record").isPresent();
    }
  }

  /**
   * The embedded ledger refuses the record's write (a trigger, as a full disk would): the message is queued durably
   * (one fsync) as the page's records, its own the value tried; once the ledger takes writes again the next send
   * publishes it as that very value, then its own.
   */
  @Test
  void aRecordTheLedgerRefusesIsQueuedDurablyAndItsValueIsWhatTheNextPublishWrites() throws Exception {
    Path file = dir.resolve("ledger.db");
    Path home = dir.resolve("alice");
    try (EmbeddedStore ledger = EmbeddedStore.open(file);
        ChatClient alice = client(A, ledger, Profile.open(home).state());
        ChatClient bob = client(B, ledger, new InMemoryLocalState())) {
      List<String> texts = new ArrayList<>(bothShowRecords(alice, bob));
      alice.send(TO_BOB, "written");
      texts.add("written");
      sql(file, "CREATE TRIGGER refuse BEFORE INSERT ON kv_versions BEGIN SELECT RAISE(ABORT, 'refused'); END");
      long before = AtomicFiles.fsyncs();
      SendResult refused = alice.send(TO_BOB, "refused once");
      texts.add("refused once");
      assertThat(refused.confirmed()).isFalse();
      assertThat(refused.problem()).isPresent();
      assertThat(AtomicFiles.fsyncs() - before).as("the outbox entry, durable once the write failed").isEqualTo(1);
      String queued = Profile.open(home).state().outbox(ALICES).get(2L);
      assertThat(queued).as("on disk, for any process").isNotNull();
      List<String> parts = QueuedRecords.parts(queued);
      int refusedAt = recordsOf(ledger, 2);
      assertThat(parts).as("page 2's records: those written, and the one refused").hasSize(refusedAt + 1);
      for (int i = 0; i < refusedAt; i++) {
        assertThat(parts.get(i)).as("record %d as written", i).isEqualTo(ledger.get(AB.recordKey(ALICES, 2, i))
            .orElseThrow());
      }

      sql(file, "DROP TRIGGER refuse");
      assertThat(alice.send(TO_BOB, "then this").confirmed()).isTrue();
      texts.add("then this");
      assertThat(ledger.get(AB.recordKey(ALICES, 2, refusedAt))).as("the very value queued")
          .contains(parts.get(refusedAt));
      assertThat(alice.pending(TO_BOB)).isZero();
      assertThat(received(bob)).containsExactlyElementsOf(texts);
    }
  }

  /**
   * The records' log compacted (at 64 kB here, 1 MiB on a profile; some 110 records): the records of pages that
   * closed are dropped, not copied each into a file of its own with an fsync; a compaction copies only the open
   * page's, at most nineteen. A new process goes on from what is kept.
   */
  @Test
  void theRecordsOfClosedPagesAreDroppedByTheLogsCompactionNotEachCopiedIntoAFile() throws Exception {
    Path home = Profile.open(dir.resolve("alice")).directory();
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"));
        ChatClient bob = client(B, ledger, new InMemoryLocalState())) {
      List<String> texts = new ArrayList<>();
      try (ChatClient alice = client(A, ledger, new FileLocalState(home.resolve("state"), new TrustedFiles(home, false),
          64 * 1024))) {
        texts.addAll(bothShowRecords(alice, bob));
        for (int i = 0; i < 205; i++) { // some 120 kB of records kept: the log compacted once or twice
          alice.send(TO_BOB, "message " + i);
          texts.add("message " + i);
        }
      }
      Path files = home.resolve("state").resolve("pages").resolve(ALICES + "-records");
      try (Stream<Path> kept = Files.exists(files) ? Files.list(files) : Stream.empty()) {
        assertThat(kept.count()).as("record files: an open page's at each compaction, none of a closed page's")
            .isLessThan(2 * 20);
      }
      try (ChatClient alice = client(A, ledger, Profile.open(home).state())) {
        assertThat(alice.send(TO_BOB, "from a new process").confirmed()).isTrue();
        texts.add("from a new process");
        assertThat(alice.pending(TO_BOB)).isZero();
      }
      assertThat(received(bob)).containsExactlyElementsOf(texts);
      int open = 12;
      while (recordsOf(ledger, open + 1) > 0) {
        open++;
      }
      assertThat(ledger.history(AB.recordKey(ALICES, open, recordsOf(ledger, open) - 1)))
          .as("the new process's record, written once").hasSize(1);
    }
  }

  private static void sql(Path file, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
