package org.reschat.kv.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.kv.ChangeWaiter;

/**
 * Change hints from SQLite's data version. The ten-minute waits are never waited out: each passes on a
 * hint; the {@code @Timeout} only stops a broken test.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EmbeddedChangesTest {
  private static final Duration LONG = Duration.ofMinutes(10);
  @TempDir Path dir;

  @Test
  void aCommitByAnotherProcessIsHinted() throws Exception {
    Path file = dir.resolve("ledger.db");
    try (EmbeddedStore reader = EmbeddedStore.open(file); ChangeWaiter waiter = ChangeWaiter.on(reader, "", LONG)) {
      awaitPushing(waiter);
      Process writer = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
          EmbeddedWriterProcess.class.getName(), file.toString(), "other", "1")
          .redirectErrorStream(true).redirectOutput(dir.resolve("writer.log").toFile()).start();
      try {
        assertThat(waiter.await(LONG)).isTrue();
        assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        writer.destroyForcibly();
      }
      assertThat(reader.get("other.k0")).contains("other/0");
    }
  }

  @Test
  void aCommitByThisSameStoreIsHintedToo() throws Exception {
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("ledger.db"));
        ChangeWaiter waiter = ChangeWaiter.on(store, "", LONG)) {
      awaitPushing(waiter);
      store.put("mine", "v");
      assertThat(waiter.await(LONG)).isTrue();
    }
  }

  @Test
  void readsAloneDoNotHint() throws Exception {
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("ledger.db"));
        ChangeWaiter waiter = ChangeWaiter.on(store, "", Duration.ofMillis(300))) {
      awaitPushing(waiter);
      for (int i = 0; i < 20; i++) {
        store.get("k" + i);
      }
      // Several data-version checks run during the fallback wait; none may see a change.
      assertThat(waiter.await(Duration.ofMillis(1))).isFalse();
      assertThat(waiter.hints()).isZero();
    }
  }

  @Test
  void aBurstOfMoreKeysThanTheBoundIsReportedAsUnknown() throws Exception {
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("ledger.db"))) {
      java.util.concurrent.BlockingQueue<org.reschat.kv.Changed> heard = new java.util.concurrent.LinkedBlockingQueue<>();
      try (org.reschat.kv.ChangeNotifier.Watch watch = store.changes().orElseThrow().watchKeys("b.", heard::add)) {
        for (int i = 0; i < 400 && !watch.live(); i++) {
          Thread.sleep(25);
        }
        // Another writer commits 4,097 versions at once, then one more key the watch must still see.
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + store.path());
            java.sql.Statement s = c.createStatement()) {
          s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              + (org.reschat.kv.ListenerWatch.MAX_KEYS_PER_NOTIFICATION + 1) + ") "
              + "INSERT INTO kv_versions(key, value, written_at_ms) SELECT 'b.' || i, 'v', 0 FROM n");
        }
        org.reschat.kv.Changed burst = heard.poll(60, TimeUnit.SECONDS);
        assertThat(burst).isEqualTo(org.reschat.kv.Changed.unknown());
        store.put("b.after", "v");
        org.reschat.kv.Changed after = heard.poll(60, TimeUnit.SECONDS);
        assertThat(after.keys()).contains(java.util.Set.of("b.after"));
      }
    }
  }

  @Test
  void closingTheStoreStopsItsWatches() throws Exception {
    EmbeddedStore store = EmbeddedStore.open(dir.resolve("ledger.db"));
    ChangeWaiter waiter = ChangeWaiter.on(store, "", LONG);
    awaitPushing(waiter);
    store.close();
    assertThat(waiter.pushing()).isFalse();
    waiter.close();
  }

  private static void awaitPushing(ChangeWaiter waiter) throws InterruptedException {
    for (int i = 0; i < 400 && !waiter.pushing(); i++) {
      Thread.sleep(25);
    }
    assertThat(waiter.pushing()).isTrue();
  }

  private static String javaBinary() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(java) ? java.toString() : "java";
  }
}
