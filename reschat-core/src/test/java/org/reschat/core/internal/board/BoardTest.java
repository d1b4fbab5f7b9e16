package org.reschat.core.internal.board;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * A board anyone can write junk on (issue 19.5): junk cannot close it, posting costs O(log n) reads, and a
 * reader's call costs a bounded number of reads however much junk there is. Reads are counted, never timed;
 * the searches' random samples come from a seeded generator.
 */
class BoardTest {
  private final MemoryKvStore memory = new MemoryKvStore();
  private final RecordingKvStore store = new RecordingKvStore(memory);
  private final Board board = new Board(new byte[32], "test board", new Random(20261205));

  private static byte[] post(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private int posted(String text) throws Exception {
    return board.post(store, key -> post(text));
  }

  /** Reads once from {@code cursor}; the texts of the posts found, newest first. */
  private Board.Cursor read(Board.Cursor cursor, List<String> found) throws Exception {
    return board.read(store, cursor, slot -> slot.payload().map(p -> new String(p, StandardCharsets.UTF_8))
        .filter(t -> t.startsWith("post ")).ifPresent(found::add));
  }

  private long gets() {
    return store.takeCalls().stream().filter(c -> c.op() == RecordingKvStore.Op.GET).count();
  }

  private void junk(int slot) throws Exception {
    memory.put(board.key(slot), "junk");
  }

  @Test
  void tenThousandJunkValuesNeitherCloseTheBoardNorHideWhatIsPostedAfterThem() throws Exception {
    // The first board had 256 slots: 256 junk values closed it for good.
    for (int i = 1; i <= 10_000; i++) {
      junk(i);
    }
    store.takeCalls();
    assertThat(posted("post bob")).isEqualTo(10_001);
    long toPost = gets();

    List<String> found = new ArrayList<>();
    Board.Cursor cursor = read(Board.Cursor.START, found);
    long toRead = gets();

    assertThat(found).containsExactly("post bob");
    assertThat(toPost).as("reads to post after 10,000 junk values").isLessThanOrEqualTo(100);
    assertThat(toRead).as("reads of a first call").isLessThanOrEqualTo(Board.READS_PER_CALL + 100);
    assertThat(cursor.unread()).as("the junk below is left for later calls").isEqualTo(10_000 - Board.READS_PER_CALL + 1);
  }

  @Test
  void theKthPostCostsLogarithmicallyManyReads() throws Exception {
    // The first board read every slot from 1: the k-th correspondent of a month paid k reads.
    long worst = 0;
    for (int k = 1; k <= 1000; k++) {
      store.takeCalls();
      assertThat(posted("post " + k)).isEqualTo(k);
      long reads = gets();
      worst = Math.max(worst, reads);
      if (k == 10 || k == 100 || k == 1000) {
        // ≈ 3 reads a step of the gallop and the bisection (a probe and two samples), plus the read-back
        assertThat(reads).as("reads for post %d", k).isLessThanOrEqualTo(6L * (64 - Long.numberOfLeadingZeros(k)) + 2);
      }
    }
    assertThat(worst).as("the worst of 1000 posts").isLessThanOrEqualTo(62);
  }

  @Test
  void junkAtEveryProbePointOfTheSearchDoesNotSendPostsWhereReadersDoNotLook() throws Exception {
    for (int k = 1; k <= 5; k++) {
      posted("post " + k);
    }
    List<String> found = new ArrayList<>();
    Board.Cursor cursor = read(Board.Cursor.START, found);
    // A gallop from slot 1 probes 1, 3, 7, 15, …: junk at every one of them (and at every power of two,
    // 61 writes) would make a search that trusts a taken probe jump to slot 2^31 − 1, far above the posts.
    for (int j = 1; j <= 31; j++) {
      junk((int) Math.min((1L << j) - 1, Board.MAX_SLOT));
      junk((int) Math.min(1L << j, Board.MAX_SLOT));
    }
    assertThat(posted("post 6")).as("the lowest empty slot, however the probes were junked").isEqualTo(6);

    cursor = read(cursor, found);
    assertThat(found).containsExactly("post 5", "post 4", "post 3", "post 2", "post 1", "post 6");
    List<String> fresh = new ArrayList<>();
    read(Board.Cursor.START, fresh); // a reader with nothing kept searches from slot 1, as posters do
    assertThat(fresh).contains("post 6");
  }

  @Test
  void junkAfterAPostDelaysItByOneCallPerBudgetOfJunkNoMore() throws Exception {
    // The residue the threat model states: to keep a post from a reader's next call, junk must be written
    // after it, READS_PER_CALL values of it per call; every call reads the newest first, then older gaps.
    posted("post bob");
    for (int i = 2; i <= 1 + 2 * Board.READS_PER_CALL; i++) {
      junk(i);
    }
    List<String> found = new ArrayList<>();
    Board.Cursor cursor = Board.Cursor.START;
    int calls = 0;
    while (found.isEmpty()) {
      store.takeCalls();
      cursor = read(cursor, found);
      assertThat(gets()).as("reads of call %d", ++calls).isLessThanOrEqualTo(Board.READS_PER_CALL + 100);
    }
    assertThat(calls).isEqualTo(3);
    assertThat(cursor.unread()).isZero();
  }

  @Test
  void aCallWithNothingNewCostsOneReadAndKeepsNoLargeValue() throws Exception {
    posted("post 1");
    posted("post 2");
    Board.Cursor cursor = read(Board.Cursor.START, new ArrayList<>());
    store.takeCalls();
    for (int i = 1; i < Board.FRESH_EVERY - 1; i++) {
      cursor = read(cursor, new ArrayList<>());
      assertThat(gets()).as("reads of a call with nothing new").isEqualTo(1);
    }
  }

  @Test
  void randomJunkAnywhereKeepsEverySearchBoundedAndEveryPostFound() throws Exception {
    for (int seed = 1; seed <= 8; seed++) {
      byte[] secret = new byte[32];
      secret[0] = (byte) seed;
      randomJunk(new Board(secret, "test board", new Random(seed)), new Random(seed));
    }
  }

  private void randomJunk(Board board, Random r) throws Exception {
    List<String> found = new ArrayList<>();
    Board.Cursor cursor = Board.Cursor.START;
    memory.put(board.key(Board.MAX_SLOT), "junk");
    for (int round = 0; round < 40; round++) {
      for (int i = 0; i < 20; i++) { // sparse junk anywhere, and dense near the posts (never over one:
        for (int slot : new int[] {1 + r.nextInt(Board.MAX_SLOT), 1 + r.nextInt(200)}) { // that hides it, as on any key)
          if (memory.get(board.key(slot)).isEmpty()) {
            memory.put(board.key(slot), "junk");
          }
        }
      }
      store.takeCalls();
      String text = "post " + round;
      board.post(store, key -> post(text));
      assertThat(gets()).as("reads to post").isLessThanOrEqualTo(200);
      cursor = board.read(store, cursor, slot -> slot.payload().map(p -> new String(p, StandardCharsets.UTF_8))
          .filter(t -> t.startsWith("post ")).ifPresent(found::add));
      assertThat(gets()).as("reads of a call").isLessThanOrEqualTo(Board.READS_PER_CALL + 200);
    }
    for (int i = 0; i < Board.FRESH_EVERY; i++) { // posts in holes higher up: every hole on a fresh call
      cursor = board.read(store, cursor, slot -> slot.payload().map(p -> new String(p, StandardCharsets.UTF_8))
          .filter(t -> t.startsWith("post ")).ifPresent(found::add));
    }
    assertThat(found).as("posts found").hasSize(40);
  }
}
