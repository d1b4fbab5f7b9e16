package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.PageFixtures;
import org.reschat.core.testing.TestIdentities;

/** The outbox log on disk: what a crash, damage or a hostile file leaves, compaction, and the files of earlier versions. */
class OutboxLogTest {
  static final Conversation AB = Conversation.pair(TestIdentities.named("alice"), TestIdentities.named("bob").card());
  /** Ten different sealed pages of about 5 KiB, each a valid envelope (sealed anew in each JVM). */
  static final List<String> V = IntStream.range(0, 10)
      .mapToObj(i -> PageFixtures.seal(AB, PageFixtures.pages(AB, List.of("m" + i + "x".repeat(4000)), i).get(0))).toList();
  static final FeedId MINE = AB.myFeed();

  @TempDir Path dir;
  private Path profile;

  @BeforeEach
  void makeProfile() throws Exception {
    profile = Profile.open(dir.resolve("p")).directory();
  }

  FileLocalState state(long compactAt) {
    return new FileLocalState(profile.resolve("state"), new TrustedFiles(profile, false), compactAt);
  }

  FileLocalState state() {
    return state(OutboxLog.COMPACT_AT);
  }

  Path log() {
    return profile.resolve("state/outbox").resolve(MINE + ".log");
  }

  /** Page 1 confirmed, page 2 queued: what the log says before its last record. */
  private void assertBeforeLastRecord(FileLocalState s) throws LocalStateException {
    assertThat(s.outbox(MINE)).containsExactly(Map.entry(2L, V.get(1)));
    assertThat(s.page(MINE, 1)).contains(V.get(0));
  }

  /**
   * While this thread holds the conversation's lock no other process writes the log, so it is looked at once in that
   * holding, however many calls read it; outside the lock, at every call (another process may have appended).
   */
  @Test
  void theLogIsLookedAtOncePerHoldingOfTheConversationsLock() throws Exception {
    FileLocalState s = state();
    s.putOutbox(MINE, 1, V.get(0));
    try (var lock = s.lock(AB.id())) {
      long before = OutboxLog.looks();
      for (int i = 0; i < 10; i++) {
        assertThat(s.outbox(MINE)).containsOnlyKeys(1L);
        assertThat(s.newestPage(MINE)).isZero();
      }
      s.confirmOutbox(MINE, 1, V.get(0));
      assertThat(s.page(MINE, 1)).contains(V.get(0));
      assertThat(OutboxLog.looks() - before).as("one look, then what it appended itself").isEqualTo(1);
    }
    long before = OutboxLog.looks();
    s.outbox(MINE);
    s.outbox(MINE);
    assertThat(OutboxLog.looks() - before).as("no lock held: every call looks").isEqualTo(2);
  }

  /**
   * An append is one write through the log kept open (it was an open, a write and a close each): opened once for
   * many appends, and anew once another writer has rewritten the log, whose appends then land in the new file.
   */
  @Test
  void appendsGoThroughTheLogKeptOpenAndARewrittenLogIsOpenedAnew() throws Exception {
    FileLocalState s = state();
    s.putOutbox(MINE, 1, V.get(0)); // creates the log, written whole
    long before = OutboxLog.appenderOpens();
    for (int i = 2; i <= 5; i++) {
      s.putOutbox(MINE, i, V.get(i - 1));
      s.confirmOutbox(MINE, i, V.get(i - 1));
    }
    assertThat(OutboxLog.appenderOpens() - before).as("eight appends, one open").isEqualTo(1);

    Object file = Files.getAttribute(log(), "unix:ino");
    state(1).putOutbox(MINE, 6, V.get(5)); // another writer, its bound small: it compacts, renaming a new log in
    assertThat(Files.getAttribute(log(), "unix:ino")).as("rewritten").isNotEqualTo(file);
    before = OutboxLog.appenderOpens();
    s.putOutbox(MINE, 7, V.get(6));
    s.putOutbox(MINE, 8, V.get(7));
    assertThat(OutboxLog.appenderOpens() - before).as("the new log opened once").isEqualTo(1);
    FileLocalState fresh = state();
    assertThat(fresh.outbox(MINE)).containsOnlyKeys(1L, 6L, 7L, 8L);
    assertThat(fresh.page(MINE, 5)).contains(V.get(4));
  }

  /**
   * Another member's feed never has a log here, yet it was looked for at each send (a stat, and the JDK's two
   * exceptions for a missing file): found missing in a holding of the lock, a log is not looked for in later
   * holdings while no log was created; the one another process creates is seen in the next holding.
   */
  @Test
  void aMissingLogIsNotLookedForAgainUntilAnotherProcessCreatesOne() throws Exception {
    FileLocalState s = state();
    FeedId theirs = new FeedId(AB.id(), "THEIRS", 1);
    try (var lock = s.lock(AB.id())) {
      assertThat(s.newestPage(theirs)).isZero();
      assertThat(s.outbox(MINE)).isEmpty();
    }
    long before = OutboxLog.looks();
    for (int i = 0; i < 5; i++) {
      try (var lock = s.lock(AB.id())) {
        assertThat(s.newestPage(theirs)).isZero();
        assertThat(s.outbox(MINE)).isEmpty();
      }
    }
    assertThat(OutboxLog.looks() - before).as("neither missing log looked for in five holdings").isZero();

    Process writer = ChildJvm.start(dir.resolve("writer.log"), LogWriterProcess.class, profile.toString(), "1", "1");
    assertThat(writer.waitFor()).as(Files.readString(dir.resolve("writer.log"))).isZero();
    try (var lock = s.lock(AB.id())) {
      assertThat(s.newestPage(MINE)).as("the log another process created, seen in the next holding").isEqualTo(1);
      assertThat(s.page(MINE, 1)).isPresent();
      assertThat(s.newestPage(theirs)).isZero();
    }
  }

  /**
   * A log looked at again is checked in full (its {@code unix:} attributes: owner and mode) once while it is the same
   * file, then from one plain stat; a log renamed in its place is checked in full again.
   */
  @Test
  void aLogLookedAtAgainIsCheckedInFullOnceWhileItIsTheSameFile() throws Exception {
    TrustedFiles trusted = new TrustedFiles(profile, false);
    FileLocalState s = new FileLocalState(profile.resolve("state"), trusted);
    s.putOutbox(MINE, 1, V.get(0));
    s.outbox(MINE);
    long looks = trusted.looks();
    long full = trusted.fullChecks();
    for (int i = 0; i < 5; i++) {
      assertThat(s.outbox(MINE)).containsOnlyKeys(1L); // no lock held: looked at each time
    }
    assertThat(trusted.looks() - looks).isEqualTo(5);
    assertThat(trusted.fullChecks() - full).as("none in full").isZero();

    Path copy = log().resolveSibling(".copy");
    Files.copy(log(), copy);
    Files.move(copy, log(), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    full = trusted.fullChecks();
    assertThat(s.outbox(MINE)).containsOnlyKeys(1L);
    assertThat(s.outbox(MINE)).containsOnlyKeys(1L);
    assertThat(trusted.fullChecks() - full).as("the new file, once").isEqualTo(1);
  }

  /** A daemon appends to many feeds' logs: no more than {@link OutboxLog#KEPT_OPEN} stay open between appends. */
  @Test
  void fewLogsAreKeptOpen() throws Exception {
    FileLocalState s = state();
    for (int i = 0; i < OutboxLog.KEPT_OPEN + 8; i++) {
      FeedId feed = new FeedId("C" + i, "T", 0);
      s.putOutbox(feed, 1, V.get(0));
      s.putOutbox(feed, 2, V.get(1));
    }
    assertThat(OutboxLog.appendersOpen()).isLessThanOrEqualTo(OutboxLog.KEPT_OPEN);
    assertThat(s.outbox(new FeedId("C0", "T", 0))).containsOnlyKeys(1L, 2L);
    s.putOutbox(new FeedId("C0", "T", 0), 3, V.get(2)); // closed, opened again
    assertThat(state().outbox(new FeedId("C0", "T", 0))).containsOnlyKeys(1L, 2L, 3L);
  }

  /** Another object on the same log, in this thread's same holding of the lock (so no other process): seen at once. */
  @Test
  void aWriteByAnotherStateOnTheSameProfileInTheSameHoldingIsSeenAtOnce() throws Exception {
    FileLocalState s = state();
    FileLocalState other = state();
    s.putOutbox(MINE, 1, V.get(0));
    try (var lock = s.lock(AB.id())) {
      assertThat(s.outbox(MINE)).containsOnlyKeys(1L);
      other.putOutbox(MINE, 2, V.get(1));
      assertThat(s.outbox(MINE)).containsOnlyKeys(1L, 2L);
      other.confirmOutbox(MINE, 1, V.get(0));
      assertThat(s.outbox(MINE)).containsOnlyKeys(2L);
      assertThat(s.page(MINE, 1)).contains(V.get(0));
    }
  }

  /** A process that wrote the log between two holdings of this one: the second holding looks again and sees it. */
  @Test
  void aWriteMadeBetweenTwoHoldingsIsSeenInTheSecond() throws Exception {
    FileLocalState s = state();
    s.putOutbox(MINE, 1, V.get(0));
    try (var lock = s.lock(AB.id())) {
      assertThat(s.outbox(MINE)).containsOnlyKeys(1L);
    }
    byte[] before = Files.readAllBytes(log());
    state().putOutbox(MINE, 2, V.get(1)); // as another process would: under the lock, through its own objects
    assertThat(Files.readAllBytes(log())).isNotEqualTo(before);
    try (var lock = s.lock(AB.id())) {
      assertThat(s.outbox(MINE)).containsOnlyKeys(1L, 2L);
    }
  }

  @Test
  void aLastRecordCutAtAnyByteOrWithAnyByteChangedIsIgnoredAndWhatCameBeforeIsKept() throws Exception {
    FileLocalState s = state();
    s.putOutbox(MINE, 1, V.get(0));
    s.confirmOutbox(MINE, 1, V.get(0));
    s.putOutbox(MINE, 2, V.get(1));
    int before = (int) Files.size(log());
    s.putOutbox(MINE, 2, V.get(2)); // the last record: a page of several KiB
    byte[] whole = Files.readAllBytes(log());
    assertThat(whole.length - before).isGreaterThan(1000);
    assertThat(state().outbox(MINE)).containsExactly(Map.entry(2L, V.get(2)));
    Files.write(log(), Arrays.copyOf(whole, before + 1));
    FileLocalState torn = state();
    assertThat(torn.newestPage(MINE)).isEqualTo(1);
    assertThat(torn.queuedConversations()).containsExactly(AB.id());
    for (int cut = before; cut < whole.length; cut++) {
      Files.write(log(), Arrays.copyOf(whole, cut));
      assertBeforeLastRecord(state());
    }
    for (int at = before; at < whole.length; at++) {
      byte[] changed = whole.clone();
      changed[at] ^= (byte) (1 + at % 255);
      Files.write(log(), changed);
      assertBeforeLastRecord(state());
    }
  }

  @Test
  void theNextWriterCutsATornTailBeforeItAppendsSoNothingAfterItIsLost() throws Exception {
    FileLocalState s = state();
    s.putOutbox(MINE, 1, V.get(0));
    s.confirmOutbox(MINE, 1, V.get(0));
    s.putOutbox(MINE, 2, V.get(1));
    int before = (int) Files.size(log());
    s.putOutbox(MINE, 2, V.get(2));
    byte[] whole = Files.readAllBytes(log());
    for (int cut : new int[] {before + 1, before + 4, before + 13, (before + whole.length) / 2, whole.length - 1}) {
      Files.write(log(), Arrays.copyOf(whole, cut));
      FileLocalState writer = state();
      writer.putOutbox(MINE, 3, V.get(3));
      assertThat(Files.size(log())).isEqualTo(before + OutboxLogFormat.record(OutboxLogFormat.Kind.QUEUED, 3, V.get(3)).length);
      FileLocalState reader = state();
      assertThat(reader.outbox(MINE)).containsExactly(Map.entry(2L, V.get(1)), Map.entry(3L, V.get(3)));
      assertThat(reader.page(MINE, 1)).contains(V.get(0));
    }
  }

  @Test
  void aConfirmationCutOffLeavesThePageQueuedAndItsVerifiedCopyAsBefore() throws Exception {
    FileLocalState s = state();
    s.putOutbox(MINE, 1, V.get(0));
    s.confirmOutbox(MINE, 1, V.get(0));
    s.putOutbox(MINE, 1, V.get(1));
    s.confirmOutbox(MINE, 1, V.get(1)); // 17 bytes, not fsynced
    byte[] whole = Files.readAllBytes(log());
    for (int cut = whole.length - 17; cut < whole.length; cut++) {
      Files.write(log(), Arrays.copyOf(whole, cut));
      FileLocalState after = state();
      assertThat(after.outbox(MINE)).containsExactly(Map.entry(1L, V.get(1)));
      assertThat(after.page(MINE, 1)).contains(V.get(0));
    }
  }

  @Test
  void aRecordWhoseChecksumHoldsButThatMakesNoSenseIsReportedAndLeftAsItIs() throws Exception {
    FileLocalState s = state();
    s.putOutbox(MINE, 1, V.get(0));
    byte[] confirmsPage7 = OutboxLogFormat.record(OutboxLogFormat.Kind.CONFIRMED, 7, null);
    Files.write(log(), confirmsPage7, java.nio.file.StandardOpenOption.APPEND);
    byte[] damaged = Files.readAllBytes(log());
    assertThatThrownBy(() -> state().outbox(MINE)).isInstanceOf(LocalStateException.class)
        .hasMessageContaining(log().toString()).hasMessageContaining("damaged")
        .hasMessageContaining("page 7 was confirmed where none was queued").hasMessageContaining("has not changed it");
    assertThatThrownBy(() -> state().putOutbox(MINE, 2, V.get(1))).isInstanceOf(LocalStateException.class)
        .hasMessageContaining(log().toString());
    assertThat(Files.readAllBytes(log())).isEqualTo(damaged);
  }

  @Test
  void aFileThatIsNoOutboxLogOrOfAnotherVersionIsReported() throws Exception {
    state().putOutbox(MINE, 1, V.get(0));
    byte[] whole = Files.readAllBytes(log());
    Files.write(log(), "{\"not\": \"an outbox log\"}".getBytes());
    assertThatThrownBy(() -> state().outbox(MINE)).isInstanceOf(LocalStateException.class)
        .hasMessageContaining(log().toString()).hasMessageContaining("does not start as an outbox log");
    whole[7] = 2; // version 2
    Files.write(log(), whole);
    assertThatThrownBy(() -> state().outbox(MINE)).isInstanceOf(LocalStateException.class)
        .hasMessageContaining("version 2 is not 1");
    Files.write(log(), Arrays.copyOf(whole, 5));
    assertThatThrownBy(() -> state().queuedConversations()).isInstanceOf(LocalStateException.class)
        .hasMessageContaining("too short to be an outbox log");
  }

  /** Bounded: a huge log is refused before anything is read; a huge length field is a torn tail, nothing allocated. */
  @Test
  void aHugeLogOrAHugeRecordLengthCostsNoMemory() throws Exception {
    state().putOutbox(MINE, 1, V.get(0));
    byte[] whole = Files.readAllBytes(log());
    byte[] huge = Arrays.copyOf(whole, whole.length + 8);
    java.nio.ByteBuffer.wrap(huge, whole.length, 8).putInt(Integer.MAX_VALUE).putInt(0);
    Files.write(log(), huge);
    assertThat(state().outbox(MINE)).containsExactly(Map.entry(1L, V.get(0)));
    try (RandomAccessFile f = new RandomAccessFile(log().toFile(), "rw")) {
      f.setLength(OutboxLog.MAX_BYTES + 1); // sparse: no disk taken
    }
    assertThatThrownBy(() -> state().outbox(MINE)).isInstanceOf(LocalStateException.class)
        .hasMessageContaining(log().toString()).hasMessageContaining("larger than 64 MiB");
  }

  @Test
  void pastItsBoundTheLogIsRewrittenWithOnlyWhatIsQueuedAndTheVerifiedPagesGoToTheirFiles() throws Exception {
    long bound = 32 * 1024;
    FileLocalState s = state(bound);
    long largest = 0;
    for (int i = 0; i < 100; i++) { // pages 1 to 5, each rewritten 20 times, as sends do
      long page = i / 20 + 1;
      s.putOutbox(MINE, page, V.get(i % 10));
      if (i % 7 != 6) {
        s.confirmOutbox(MINE, page, V.get(i % 10));
      }
      largest = Math.max(largest, Files.size(log()));
    }
    int record = OutboxLogFormat.record(OutboxLogFormat.Kind.QUEUED, 1, V.get(0)).length;
    assertThat(largest).isLessThanOrEqualTo(bound + record + 17);
    s.putOutbox(MINE, 9, V.get(9)); // queued, never confirmed
    FileLocalState after = state();
    for (long page = 1; page <= 5; page++) { // the newest version of each, from the log or its file
      assertThat(after.page(MINE, page)).contains(V.get((int) ((page * 20 - 1) % 10)));
    }
    assertThat(after.newestPage(MINE)).isEqualTo(5);
    assertThat(after.outbox(MINE)).containsExactly(Map.entry(9L, V.get(9)));
    Path files = profile.resolve("state/pages").resolve(MINE.toString());
    assertThat(files.resolve("4.page")).as("compacted out of the log").hasContent(V.get(9));
  }

  @Test
  void aLogLeftOverTheBoundIsCompactedByTheNextProcessThatWrites() throws Exception {
    FileLocalState big = state();
    for (int i = 0; i < 20; i++) {
      big.putOutbox(MINE, 1, V.get(i % 10));
      big.confirmOutbox(MINE, 1, V.get(i % 10));
    }
    assertThat(Files.size(log())).isGreaterThan(64 * 1024);
    long fsyncs = AtomicFiles.fsyncs();
    state(16 * 1024).putOutbox(MINE, 2, V.get(3));
    assertThat(AtomicFiles.fsyncs() - fsyncs).as("page 1's file and its directory, the log rewritten (file and"
        + " directory), then the append").isEqualTo(5);
    assertThat(Files.size(log())).isLessThan(16 * 1024);
    FileLocalState after = state();
    assertThat(after.page(MINE, 1)).contains(V.get(9));
    assertThat(after.outbox(MINE)).containsExactly(Map.entry(2L, V.get(3)));
  }

  /** Upgrade in place: an earlier version kept the outbox as files, one per page. */
  @Test
  void outboxFilesOfAnEarlierVersionAreReadAndMovedIntoTheLogByTheFirstWrite() throws Exception {
    Path legacy = profile.resolve("state/outbox").resolve(MINE.toString());
    Files.createDirectories(legacy);
    PageFiles.write(profile.resolve("state/pages").resolve(MINE.toString()).resolve("1.page"), V.get(5)); // verified then
    Files.writeString(legacy.resolve("1.page"), V.get(0));
    Files.writeString(legacy.resolve("2.page"), V.get(1));
    FileLocalState s = state();
    assertThat(s.outbox(MINE)).containsExactly(Map.entry(1L, V.get(0)), Map.entry(2L, V.get(1)));
    assertThat(s.queuedConversations()).containsExactly(AB.id());
    s.putOutbox(MINE, 2, V.get(2)); // a newer version of page 2
    assertThat(legacy).doesNotExist();
    assertThat(state().newestPage(MINE)).as("the page file of the earlier version").isEqualTo(1);
    assertThat(state().page(MINE, 1)).contains(V.get(5));
    FileLocalState after = state();
    assertThat(after.outbox(MINE)).containsExactly(Map.entry(1L, V.get(0)), Map.entry(2L, V.get(2)));
    after.confirmOutbox(MINE, 1, V.get(0));
    assertThat(state().outbox(MINE)).containsExactly(Map.entry(2L, V.get(2)));
    assertThat(state().page(MINE, 1)).contains(V.get(0));
    assertThat(state().newestPage(MINE)).isEqualTo(1);
  }

  /**
   * Two processes of one profile writing one feed's log at once (the daemon and a CLI), compacting it under each
   * other: each takes the conversation's lock, reads what the other appended or rewrote, and nothing is lost.
   */
  @Test
  void twoProcessesWritingOneLogLoseNothing() throws Exception {
    Process odd = ChildJvm.start(dir.resolve("odd.log"), LogWriterProcess.class, profile.toString(), "1", "40");
    Process even = ChildJvm.start(dir.resolve("even.log"), LogWriterProcess.class, profile.toString(), "2", "40");
    try {
      assertThat(odd.waitFor()).as(Files.readString(dir.resolve("odd.log"))).isZero();
      assertThat(even.waitFor()).as(Files.readString(dir.resolve("even.log"))).isZero();
    } finally {
      odd.destroyForcibly();
      even.destroyForcibly();
    }
    Map<Long, String> written = new java.util.HashMap<>();
    for (String line : Files.readAllLines(dir.resolve("odd.log"))) {
      written.put(Long.parseLong(line.split("=")[0]), line.split("=")[1]);
    }
    for (String line : Files.readAllLines(dir.resolve("even.log"))) {
      written.put(Long.parseLong(line.split("=")[0]), line.split("=")[1]);
    }
    assertThat(written).hasSize(80);
    FileLocalState after = state();
    for (long page = 1; page <= 80; page++) {
      if (page % 4 == 0 || page % 4 == 3) { // LogWriterProcess confirms every other page it queues
        assertThat(after.outbox(MINE)).as("page " + page).containsEntry(page, written.get(page));
      } else {
        assertThat(after.page(MINE, page)).as("page " + page).contains(written.get(page));
        assertThat(after.outbox(MINE)).doesNotContainKey(page);
      }
    }
    assertThat(after.outbox(MINE)).hasSize(40);
  }
}
