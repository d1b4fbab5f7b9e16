package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.testing.Bytes;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.QueuedRecords;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.spi.LocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.testing.FakeKvStore;
import org.reschat.localdb.Profile;

/**
 * An open record page as the profile's outbox holds it (protocol §4.8, {@link QueuedRecords}): its records' values,
 * each sealed once, not the page sealed whole at every send. On disk it is sealed (no message in plain text), it
 * survives the process, and the retry after a restart writes the very record value queued, then goes on after it.
 */
class QueuedRecordsOnProfileTest {
  private static final String SECRET = "a message nobody reads on the disk";
  /** The one sentence a damaged queued record, or queued page of records, is reported in (%s: which). */
  private static final String DAMAGED = "The locally kept %s of .+ is damaged \\(.+\\); restore the profile"
      + " directory from a backup\\.";

  @TempDir Path dir;
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation ab = Conversation.pair(alice, bob.card()).withTails(new TailRule(true, true, true));
  private final FakeKvStore store = new FakeKvStore();

  private OwnFeed feed(LocalState state) {
    FeedReader reader = new FeedReader(ab, ab.myFeed(), store, state, new Warnings(), new AtomicInteger(),
        new OpenedPages());
    return new OwnFeed(ab, reader, store, state, true);
  }

  private static OwnFeed.Sent send(OwnFeed feed, String text) throws Exception {
    return feed.send(new SlotSeal.Draft("TEXT", 1_000, new byte[0], text.getBytes(StandardCharsets.UTF_8)), List.of());
  }

  private String recordAt(int index) throws Exception {
    return store.get(ab.recordKey(ab.myFeed(), 1, index)).orElse(null);
  }

  @Test
  void anOpenPageQueuedAsItsRecordsIsSealedOnDiskAndItsRetryAfterARestartWritesTheValueQueued() throws Exception {
    LocalState state = Profile.open(dir.resolve("p")).state();
    OwnFeed before = feed(state);
    assertThat(send(before, "m0").problem()).isEmpty();
    assertThat(send(before, "m1").problem()).isEmpty();
    store.down(true);
    assertThat(send(before, SECRET).problem()).as("the store is down: queued").isPresent();
    store.down(false);

    String queued = state.outbox(ab.myFeed()).get(1L);
    assertThat(QueuedRecords.is(queued)).as("the open page is queued as its records").isTrue();
    List<String> parts = QueuedRecords.parts(queued);
    assertThat(parts).hasSize(3);
    assertThat(recordAt(0)).as("a record written is the value queued").isEqualTo(parts.get(0));
    assertThat(recordAt(2)).isNull();
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(Bytes.indexOf(Files.readAllBytes(f), secret)).as("the message in plain text in %s", f).isNegative();
      }
    }

    OwnFeed after = feed(Profile.open(dir.resolve("p")).state()); // a new process: nothing opened in memory
    assertThat(after.pending()).isEqualTo(1);
    assertThat(after.flush(List::of)).isEmpty();
    assertThat(recordAt(2)).as("the retry writes the very value queued").isEqualTo(parts.get(2));
    assertThat(after.pending()).isZero();
    assertThat(send(after, "m3").problem()).isEmpty();
    assertThat(recordAt(3)).isNotNull();

    Page open = after.tail();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < open.slots().size(); i++) {
      texts.add(new String(SlotSeal.open(ab, ab.myFeed(), open, i), StandardCharsets.UTF_8));
    }
    assertThat(texts).containsExactly("m0", "m1", SECRET, "m3");
  }

  /**
   * A queued record damaged on disk (one character of its envelope changed, the log's checksum made to hold, as a
   * hostile local writer can): a new process's send and publish stop with one sentence naming the record as damaged,
   * publish nothing of it, and leave the queued value as it is, so a restored backup or a repaired file loses nothing.
   */
  @Test
  void aQueuedRecordDamagedOnDiskIsReportedAsDamagedAndLeftAsItIs() throws Exception {
    LocalState state = Profile.open(dir.resolve("p")).state();
    OwnFeed before = feed(state);
    assertThat(send(before, "m0").problem()).isEmpty();
    store.down(true);
    assertThat(send(before, SECRET).problem()).isPresent();
    store.down(false);
    List<String> parts = new ArrayList<>(QueuedRecords.parts(state.outbox(ab.myFeed()).get(1L)));
    String part = parts.get(1);
    int at = part.length() / 2;
    parts.set(1, part.substring(0, at) + (part.charAt(at) == 'A' ? 'B' : 'A') + part.substring(at + 1));
    String damaged = QueuedRecords.of(parts);
    state.putOutbox(ab.myFeed(), 1L, damaged);

    LocalState again = Profile.open(dir.resolve("p")).state();
    OwnFeed after = feed(again);
    assertThatThrownBy(() -> after.flush(List::of)).isInstanceOf(org.reschat.core.LocalStateException.class)
        .hasMessageMatching(DAMAGED.formatted("record 1/1"));
    assertThatThrownBy(() -> send(after, "m2")).isInstanceOf(org.reschat.core.LocalStateException.class)
        .hasMessageMatching(DAMAGED.formatted("record 1/1"));
    assertThat(recordAt(1)).as("nothing of the damaged record published").isNull();
    assertThat(again.outbox(ab.myFeed()).get(1L)).as("left as it is").isEqualTo(damaged);
  }

  /**
   * A queued value of records that no longer splits (more records than a page has slots; the profile's log refuses
   * one when it loads, a state that does not check may hold one): sending and publishing report it in the same
   * sentence, naming the queued page, and leave it as it is.
   */
  @Test
  void aQueuedValueOfRecordsThatNoLongerSplitsIsReportedInTheSameSentence() throws Exception {
    LocalState state = new InMemoryLocalState();
    OwnFeed before = feed(state);
    assertThat(send(before, "m0").problem()).isEmpty();
    store.down(true);
    assertThat(send(before, "m1").problem()).isPresent();
    store.down(false);
    String part = QueuedRecords.parts(state.outbox(ab.myFeed()).get(1L)).get(1);
    String damaged = QueuedRecords.of(Collections.nCopies(21, part));
    state.putOutbox(ab.myFeed(), 1L, damaged);

    OwnFeed after = feed(state);
    assertThatThrownBy(() -> after.flush(List::of)).isInstanceOf(org.reschat.core.LocalStateException.class)
        .hasMessageMatching(DAMAGED.formatted("queued page 1"));
    assertThatThrownBy(() -> send(after, "m2")).isInstanceOf(org.reschat.core.LocalStateException.class)
        .hasMessageMatching(DAMAGED.formatted("queued page 1"));
    assertThat(state.outbox(ab.myFeed()).get(1L)).as("left as it is").isEqualTo(damaged);
  }
}
