package org.reschat.kv.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.Changed;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvUnconfirmedException;
import org.reschat.kv.KvValues;
import org.reschat.kv.PutIfUnchanged;
import java.util.Optional;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The behaviour every {@link KvStore} shares. A store implementation's test extends this class and
 * says how to open a fresh, empty store; the same expectations then run against it.
 */
public abstract class KvStoreContract {
  protected KvStore store;

  /** A new, empty store. It is closed after each test. */
  protected abstract KvStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void aValueOverTheSizeCapIsRefusedBeforeAnyIo() throws KvException {
    String tooBig = "é".repeat(KvValues.MAX_VALUE_BYTES / 2) + "x"; // one byte over, counted in UTF-8
    assertThatThrownBy(() -> store.put("big", tooBig)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Integer.toString(KvValues.MAX_VALUE_BYTES));
    assertThat(store.get("big")).isEmpty();
  }

  @Test
  void aValueOfExactlyTheSizeCapRoundTrips() throws KvException {
    String largest = "é".repeat(KvValues.MAX_VALUE_BYTES / 2);
    store.put("largest", largest);
    assertThat(store.get("largest")).contains(largest);
  }

  @Test
  void absentKeyIsEmpty() throws KvException {
    assertThat(store.get("never.written")).isEmpty();
  }

  @Test
  void putThenGetReturnsTheValue() throws KvException {
    store.put("greeting", "hello");
    assertThat(store.get("greeting")).contains("hello");
  }

  @Test
  void emptyStringIsAValueNotAbsence() throws KvException {
    store.put("empty", "");
    assertThat(store.get("empty")).contains("");
  }

  @Test
  void overwriteReturnsTheNewestValue() throws KvException {
    store.put("k", "one");
    store.put("k", "two");
    store.put("k", "three");
    assertThat(store.get("k")).contains("three");
  }

  @Test
  void keysAreIndependent() throws KvException {
    store.put("a", "1");
    store.put("b", "2");
    store.put("A", "3");
    assertThat(store.get("a")).contains("1");
    assertThat(store.get("b")).contains("2");
    assertThat(store.get("A")).contains("3");
    assertThat(store.get("c")).isEmpty();
  }

  @Test
  void everySafeKeyCharacterWorks() throws KvException {
    String key = "rc1.AZaz09._~:-.x";
    store.put(key, "v");
    assertThat(store.get(key)).contains("v");
  }

  @Test
  void largeValuesRoundTrip() throws KvException {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < KvValues.MAX_VALUE_BYTES / 2) { // mixed text well within the cap
      sb.append("0123456789abcdef-ünïcødé-").append(sb.length()).append('\n');
    }
    String big = sb.toString();
    store.put("big", big);
    assertThat(store.get("big")).hasValueSatisfying(v -> {
      assertThat(v.length()).isEqualTo(big.length());
      assertThat(v).isEqualTo(big);
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "plain ascii",
      "emoji 😀👍🏽 and flags 🇫🇷",
      "中文、日本語、한국어",
      "combining e\u0301 and RTL \u05e9\u05dc\u05d5\u05dd",
      "quotes \" and ' and backslash \\ and slash /",
      "control \u0000 \u0001 \t \n \r chars",
      "{\"id\":\"other\",\"value\":\"not me\"}",
      "<html><body>not an error</body></html>",
      "\uFEFFbyte order mark and \u2028 line separator"
  })
  void unicodeAndAwkwardTextRoundTrips(String value) throws KvException {
    store.put("text", value);
    assertThat(store.get("text")).contains(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "a b", "a%2Fb", "é", "a?b", "a#b", "tab\tkey", "../x"})
  void unsafeKeysAreRejectedBeforeAnyIo(String key) {
    assertThatThrownBy(() -> store.put(key, "v")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid key");
    assertThatThrownBy(() -> store.get(key)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void overlongKeyIsRejected() {
    String key = "k".repeat(251);
    assertThatThrownBy(() -> store.put(key, "v")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void loneSurrogateValueIsRejected() {
    assertThatThrownBy(() -> store.put("k", "broken \uD83D text")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lone surrogate");
  }

  /**
   * Whether a put that loses a race with another writer of the same key may throw
   * {@link KvUnconfirmedException} (true for stores that confirm by reading back).
   */
  protected boolean racingWritersMayBeUnconfirmed() {
    return false;
  }

  @Test
  void concurrentPutsOfDistinctKeysFromManyThreadsAreAllKept() throws Exception {
    int threads = 8;
    int perThread = 12;
    runConcurrently(threads, thread -> {
      for (int i = 0; i < perThread; i++) {
        store.put("t" + thread + ".k" + i, "value " + thread + "/" + i);
      }
    });
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        assertThat(store.get("t" + t + ".k" + i)).contains("value " + t + "/" + i);
      }
    }
  }

  @Test
  void concurrentPutsOfOneKeyLeaveOneOfTheWrittenValues() throws Exception {
    int threads = 4;
    java.util.concurrent.atomic.AtomicInteger unconfirmed = new java.util.concurrent.atomic.AtomicInteger();
    runConcurrently(threads, thread -> {
      for (int i = 0; i < 2; i++) {
        try {
          store.put("shared", "from " + thread + "/" + i);
        } catch (KvUnconfirmedException e) {
          unconfirmed.incrementAndGet();
        }
      }
    });
    if (!racingWritersMayBeUnconfirmed()) {
      assertThat(unconfirmed).hasValue(0);
    }
    assertThat(store.get("shared")).hasValueSatisfying(v -> assertThat(v).matches("from [0-3]/[01]"));
  }

  private interface ThreadWork {
    void run(int thread) throws Exception;
  }

  private static void runConcurrently(int threads, ThreadWork work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit((Callable<Void>) () -> {
          start.await();
          work.run(thread);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // --- getAll -------------------------------------------------------------------------------------

  /**
   * Makes the store hold something under {@code key} that is not a value, as another writer of the ledger
   * could; false when this store cannot hold such a thing (then the corrupt-value case checks nothing).
   */
  protected boolean storeCorrupt(String key) throws Exception {
    return false;
  }

  @Test
  void getAllAnswersEveryDistinctKeyOnceInTheOrderGiven() throws KvException {
    store.put("b", "2");
    store.put("a", "1");
    store.put("a", "1 again");
    store.put("e", "");
    Map<String, KvRead> read = store.getAll(List.of("a", "missing", "b", "a", "e", "b"));
    assertThat(read.keySet()).containsExactly("a", "missing", "b", "e");
    assertThat(read.get("a")).isEqualTo(new KvRead.Value("1 again"));
    assertThat(read.get("b")).isEqualTo(new KvRead.Value("2"));
    assertThat(read.get("e")).isEqualTo(new KvRead.Value(""));
    assertThat(read.get("missing")).isEqualTo(KvRead.absent());
    assertThat(store.getAll(List.of())).isEmpty();
  }

  @Test
  void getAllReportsACorruptValueAmongGoodOnesWithoutFailingThem() throws Exception {
    store.put("good.1", "one");
    store.put("good.2", "two");
    if (!storeCorrupt("bad")) {
      return;
    }
    Map<String, KvRead> read = store.getAll(List.of("good.1", "bad", "good.2", "absent"));
    assertThat(read.get("good.1")).isEqualTo(new KvRead.Value("one"));
    assertThat(read.get("good.2")).isEqualTo(new KvRead.Value("two"));
    assertThat(read.get("absent")).isEqualTo(KvRead.absent());
    assertThat(read.get("bad")).isInstanceOfSatisfying(KvRead.Corrupt.class,
        c -> assertThat(c.detail()).contains("corrupt").doesNotContain("bad"));
    assertThatThrownBy(() -> store.get("bad")).isInstanceOf(org.reschat.kv.KvCorruptValueException.class);
  }

  /** More keys than any store sends in one request or query (SQLite's 500 parameters, etcd's 128 operations). */
  protected int largeBatch() {
    return 1_100;
  }

  @Test
  void getAllOfABatchLargerThanOneChunkAnswersEveryKey() throws KvException {
    int n = largeBatch();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add("many." + i);
      if (i % 3 == 0) {
        store.put("many." + i, "v" + i);
      }
    }
    Map<String, KvRead> read = store.getAll(keys);
    assertThat(read).hasSize(n);
    assertThat(read.keySet()).containsExactlyElementsOf(keys);
    for (int i = 0; i < n; i++) {
      assertThat(read.get("many." + i)).as("many." + i)
          .isEqualTo(i % 3 == 0 ? new KvRead.Value("v" + i) : KvRead.absent());
    }
  }

  @Test
  void getAllReadsValuesAtTheSizeCapAmongSmallOnes() throws KvException {
    String largest = "é".repeat(KvValues.MAX_VALUE_BYTES / 2);
    store.put("cap.1", largest);
    store.put("small", "s");
    store.put("cap.2", largest);
    Map<String, KvRead> read = store.getAll(List.of("cap.1", "small", "cap.2"));
    assertThat(read.get("cap.1")).isEqualTo(new KvRead.Value(largest));
    assertThat(read.get("small")).isEqualTo(new KvRead.Value("s"));
    assertThat(read.get("cap.2")).isEqualTo(new KvRead.Value(largest));
  }

  @Test
  void getAllRefusesAnInvalidKeyBeforeAnyIo() {
    // A closed store fails on any I/O: an IllegalArgumentException shows the key was checked first.
    store.close();
    assertThatThrownBy(() -> store.getAll(Arrays.asList("fine", "not fine")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid key");
    assertThatThrownBy(() -> store.getAll(Arrays.asList("fine", null))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.getAll(List.of("fine"))).isInstanceOf(KvException.class);
    store = null;
  }

  // --- watchKeys ------------------------------------------------------------------------------------

  @Test
  void watchKeysReportsAPutUnderItsPrefixByItsKeyOrAsUnknownAndNeverAKeyOutside() throws Exception {
    if (store.changes().isEmpty()) {
      return;
    }
    java.util.concurrent.BlockingQueue<Changed> heard = new java.util.concurrent.LinkedBlockingQueue<>();
    try (ChangeNotifier.Watch watch = store.changes().get().watchKeys("wk.", heard::add)) {
      awaitLive(watch);
      store.put("outside.k", "x");
      store.put("wk.a", "1");
      List<Changed> all = awaitCovering(heard, "wk.a");
      if (watchNamesKeys()) {
        assertThat(all.get(all.size() - 1).keys()).as("the key named").hasValueSatisfying(
            keys -> assertThat(keys).contains("wk.a"));
      }
      assertThat(all).noneMatch(c -> c.keys().orElse(java.util.Set.of()).contains("outside.k"));
      assertThat(all).allMatch(c -> c.keys().map(keys -> keys.stream().allMatch(k -> k.startsWith("wk."))).orElse(true));
    }
  }

  /** Whether this store's notifications name the keys written (all but ResilientDB's). */
  protected boolean watchNamesKeys() {
    return true;
  }

  @Test
  void aClosedWatchNeverCallsBack() throws Exception {
    if (store.changes().isEmpty()) {
      return;
    }
    java.util.concurrent.BlockingQueue<Changed> closedHeard = new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.BlockingQueue<Changed> openHeard = new java.util.concurrent.LinkedBlockingQueue<>();
    ChangeNotifier.Watch closing = store.changes().get().watchKeys("wc.", closedHeard::add);
    awaitLive(closing);
    closing.close();
    closedHeard.clear();
    try (ChangeNotifier.Watch open = store.changes().get().watchKeys("wc.", openHeard::add)) {
      awaitLive(open);
      store.put("wc.k", "1");
      awaitCovering(openHeard, "wc.k"); // the open watch heard it: the closed one would have by now
    }
    assertThat(closedHeard).isEmpty();
    assertThat(closing.live()).isFalse();
  }

  private static void awaitLive(ChangeNotifier.Watch watch) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!watch.live() && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
    assertThat(watch.live()).as("the watch went live").isTrue();
  }

  /** Every notification heard until one that may cover {@code key} (which is the last). */
  private static List<Changed> awaitCovering(java.util.concurrent.BlockingQueue<Changed> heard, String key)
      throws InterruptedException {
    List<Changed> all = new ArrayList<>();
    while (true) {
      Changed c = heard.poll(60, TimeUnit.SECONDS);
      assertThat(c).as("a notification covering " + key).isNotNull();
      all.add(c);
      if (c.mayCover(key)) {
        return all;
      }
    }
  }

  // --- putIfUnchanged ------------------------------------------------------------------------------

  /** Whether {@link KvStore#putIfUnchanged} is atomic here (false where it is a read then a put). */
  protected boolean comparesAtomically() {
    return true;
  }

  @Test
  void putIfUnchangedWritesAKeyExpectedAbsentThatIsAbsent() throws KvException {
    assertThat(store.putIfUnchanged("cas.new", Optional.empty(), "first")).isEqualTo(PutIfUnchanged.written("first"));
    assertThat(store.get("cas.new")).contains("first");
  }

  @Test
  void putIfUnchangedWritesOverTheValueExpected() throws KvException {
    store.put("cas", "seen");
    assertThat(store.putIfUnchanged("cas", Optional.of("seen"), "next")).isEqualTo(PutIfUnchanged.written("next"));
    assertThat(store.get("cas")).contains("next");
  }

  @Test
  void putIfUnchangedRefusesWhenAnotherWriterChangedTheKeyAndAnswersItsValue() throws KvException {
    store.put("cas", "seen");
    store.put("cas", "theirs"); // another writer, after this client saw "seen"
    PutIfUnchanged result = store.putIfUnchanged("cas", Optional.of("seen"), "mine");
    assertThat(result).isEqualTo(PutIfUnchanged.refused(new KvRead.Value("theirs")));
    assertThat(store.get("cas")).contains("theirs");
  }

  @Test
  void putIfUnchangedRefusesAKeyExpectedAbsentThatHoldsAValue() throws KvException {
    store.put("cas", "theirs");
    assertThat(store.putIfUnchanged("cas", Optional.empty(), "mine"))
        .isEqualTo(PutIfUnchanged.refused(new KvRead.Value("theirs")));
    assertThat(store.get("cas")).contains("theirs");
  }

  @Test
  void putIfUnchangedRefusesAKeyExpectedToHoldAValueThatIsAbsent() throws KvException {
    assertThat(store.putIfUnchanged("cas", Optional.of("seen"), "mine")).isEqualTo(PutIfUnchanged.refused(KvRead.absent()));
    assertThat(store.get("cas")).isEmpty();
  }

  @Test
  void putIfUnchangedComparesAnEmptyValueAsAValueNotAsAbsence() throws KvException {
    store.put("cas", "");
    assertThat(store.putIfUnchanged("cas", Optional.empty(), "mine")).isEqualTo(PutIfUnchanged.refused(new KvRead.Value("")));
    assertThat(store.putIfUnchanged("cas", Optional.of(""), "mine")).isEqualTo(PutIfUnchanged.written("mine"));
    assertThat(store.get("cas")).contains("mine");
  }

  @Test
  void putIfUnchangedRepeatedAfterItLandedAnswersThatTheKeyHoldsItsValue() throws KvException {
    store.put("cas", "seen");
    assertThat(store.putIfUnchanged("cas", Optional.of("seen"), "next").written()).isTrue();
    // what a retry after a lost answer sees: refused, and the key holds the value meant
    assertThat(store.putIfUnchanged("cas", Optional.of("seen"), "next"))
        .isEqualTo(PutIfUnchanged.refused(new KvRead.Value("next")));
  }

  @Test
  void putIfUnchangedComparesTextExactlyAcrossUnicode() throws KvException {
    String value = "naïve 😀 ✓ \"quoted\" \\ back";
    store.put("cas", value);
    assertThat(store.putIfUnchanged("cas", Optional.of(value.replace('ï', 'i')), "other").written()).isFalse();
    assertThat(store.putIfUnchanged("cas", Optional.of(value), "other").written()).isTrue();
  }

  @Test
  void putIfUnchangedNeverWritesOverSomethingThatIsNotAValueAndSaysSo() throws Exception {
    assumeTrue(storeCorrupt("bad"), "this store cannot hold something that is not a value");
    for (Optional<String> expected : List.of(Optional.<String>empty(), Optional.of("x"))) {
      PutIfUnchanged result = store.putIfUnchanged("bad", expected, "mine");
      assertThat(result.written()).isFalse();
      assertThat(result.current()).isInstanceOfSatisfying(KvRead.Corrupt.class,
          c -> assertThat(c.detail()).contains("corrupt").doesNotContain("bad"));
    }
    assertThatThrownBy(() -> store.get("bad")).isInstanceOf(org.reschat.kv.KvCorruptValueException.class);
  }

  @Test
  void putIfUnchangedRefusesInvalidArgumentsBeforeAnyIo() throws KvException {
    assertThatThrownBy(() -> store.putIfUnchanged("bad key", Optional.empty(), "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.putIfUnchanged("k", Optional.empty(), "lone \uD83D")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.putIfUnchanged("k", Optional.of("lone \uD83D"), "v")).isInstanceOf(IllegalArgumentException.class);
    String tooBig = "é".repeat(KvValues.MAX_VALUE_BYTES / 2) + "x";
    assertThatThrownBy(() -> store.putIfUnchanged("k", Optional.empty(), tooBig)).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.get("k")).isEmpty();
  }

  @Test
  void concurrentPutsIfUnchangedOverOneSeenValueWriteExactlyOnce() throws Exception {
    assumeTrue(comparesAtomically(), "on this store a conditional put is a read then a put");
    store.put("race", "start");
    int threads = 6;
    List<PutIfUnchanged> results = java.util.Collections.synchronizedList(new ArrayList<>());
    runConcurrently(threads, thread -> results.add(store.putIfUnchanged("race", Optional.of("start"), "from " + thread)));
    List<PutIfUnchanged> written = results.stream().filter(PutIfUnchanged::written).toList();
    assertThat(written).hasSize(1);
    KvRead winner = written.get(0).current();
    assertThat(results).filteredOn(r -> !r.written()).hasSize(threads - 1)
        .allSatisfy(r -> assertThat(r.current()).isEqualTo(winner));
    assertThat(KvRead.of(store.get("race"))).isEqualTo(winner);
  }

  @Test
  void healthReportsReachable() {
    assertThat(store.health().reachable()).isTrue();
    assertThat(store.health().endpoints()).isNotEmpty();
    assertThat(store.describe()).isNotBlank();
  }

  @Test
  void callsAfterCloseFailWithAStoreError() {
    store.close();
    assertThatThrownBy(() -> store.get("k")).isInstanceOf(KvException.class);
    assertThatThrownBy(() -> store.put("k", "v")).isInstanceOf(KvException.class);
    store = null;
  }
}
