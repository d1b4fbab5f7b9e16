package org.reschat.kv.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStorageException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.KvVersion;
import org.reschat.kv.testing.KvStoreContract;

class EmbeddedStoreTest extends KvStoreContract {
  @TempDir Path dir;

  @Override
  protected KvStore newStore() throws KvException {
    return KvStores.open("embedded:" + dir.resolve("sub/ledger.db"));
  }

  @Override
  protected boolean storeCorrupt(String key) throws Exception {
    // Another writer of the file, not bound by put's cap: a value over it is corrupt.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ((EmbeddedStore) store).path());
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO kv_versions(key, value, written_at_ms) VALUES ('" + key + "', hex(zeroblob(600000)), 0)");
    }
    return true;
  }

  /**
   * What {@link KvStore#writesAreLocalTransactions} promises, on the real file: a write the file refuses (a trigger,
   * as a full disk would) throws and is read by no one, not by this store nor by another on the file; one that
   * returns is read by both.
   */
  @Test
  void aWriteIsALocalTransactionReadByNoOneWhenItFails() throws Exception {
    EmbeddedStore ledger = (EmbeddedStore) store;
    assertThat(ledger.writesAreLocalTransactions()).isTrue();
    ledger.put("k", "one");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger.path()); Statement s = c.createStatement()) {
      s.execute("CREATE TRIGGER refuse BEFORE INSERT ON kv_versions BEGIN SELECT RAISE(ABORT, 'refused'); END");
    }
    assertThatThrownBy(() -> ledger.put("k", "two")).isInstanceOf(KvStorageException.class);
    assertThatThrownBy(() -> ledger.putIfUnchanged("k", java.util.Optional.of("one"), "two"))
        .isInstanceOf(KvStorageException.class);
    try (EmbeddedStore other = EmbeddedStore.open(ledger.path())) {
      assertThat(ledger.history("k")).extracting(KvVersion::value).containsExactly("one");
      assertThat(other.get("k")).contains("one");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger.path()); Statement s = c.createStatement()) {
        s.execute("DROP TRIGGER refuse");
      }
      ledger.put("k", "three");
      assertThat(other.get("k")).contains("three");
    }
  }

  @Test
  void getAllOfEightHundredKeysIsTwoQueries() throws KvException {
    EmbeddedStore ledger = (EmbeddedStore) store;
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      keys.add("k." + i);
      ledger.put("k." + i, "old");
      ledger.put("k." + i, "v" + i);
    }
    long before = ledger.batchQueries();
    java.util.Map<String, org.reschat.kv.KvRead> read = ledger.getAll(keys);
    assertThat(ledger.batchQueries() - before).isEqualTo(2);
    assertThat(read.get("k.799")).isEqualTo(new org.reschat.kv.KvRead.Value("v799"));
  }

  /**
   * Two stores on one file, each with its own connections, as two processes of one profile would be: their
   * conditional puts over the same seen value are serialised by SQLite's write lock, so exactly one lands, and
   * the refusals name it. A refused one adds no version.
   */
  @Test
  void conditionalPutsFromTwoStoresOnOneFileWriteExactlyOnce() throws Exception {
    store.put("tail", "seen");
    try (EmbeddedStore other = EmbeddedStore.open(((EmbeddedStore) store).path())) {
      List<KvStore> writers = List.of(store, other, store, other);
      List<java.util.concurrent.Future<org.reschat.kv.PutIfUnchanged>> results = new ArrayList<>();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers.size());
      try {
        for (int i = 0; i < writers.size(); i++) {
          KvStore w = writers.get(i);
          String value = "from " + i;
          results.add(pool.submit(() -> w.putIfUnchanged("tail", java.util.Optional.of("seen"), value)));
        }
        int written = 0;
        for (java.util.concurrent.Future<org.reschat.kv.PutIfUnchanged> f : results) {
          written += f.get(60, TimeUnit.SECONDS).written() ? 1 : 0;
        }
        assertThat(written).isEqualTo(1);
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(((EmbeddedStore) store).history("tail")).hasSize(2);
  }

  @Test
  void keepsEveryVersionLikeALedger() throws KvException {
    EmbeddedStore ledger = (EmbeddedStore) store;
    ledger.put("k", "one");
    ledger.put("k", "two");
    ledger.put("k", "one");
    assertThat(ledger.history("k")).extracting(KvVersion::value).containsExactly("one", "two", "one");
    assertThat(ledger.get("k")).contains("one");
  }

  @Test
  void aHundredMegabyteValueIsReportedWithoutBeingRead() throws Exception {
    store.put("k", "small");
    // Another writer of the file, not bound by put's cap: SQLite builds the value, never the Java heap.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ((EmbeddedStore) store).path());
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO kv_versions(key, value, written_at_ms) VALUES ('k', hex(zeroblob(50000000)), 0)");
    }
    long heapBefore = usedHeap();
    assertThatThrownBy(() -> store.get("k")).isInstanceOfSatisfying(KvCorruptValueException.class,
        e -> assertThat(e.key()).isEqualTo("k")).hasMessageContaining("100000000 bytes");
    assertThatThrownBy(() -> ((EmbeddedStore) store).history("k")).isInstanceOf(KvCorruptValueException.class);
    assertThat(usedHeap() - heapBefore).as("heap grown while refusing").isLessThan(50_000_000L);
  }

  private static long usedHeap() {
    System.gc();
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  @Test
  void valuesSurviveReopening() throws KvException {
    store.put("k", "kept");
    store.close();
    store = newStore();
    assertThat(store.get("k")).contains("kept");
  }

  @Test
  void fileIsPrivateToItsOwner() throws Exception {
    Path file = ((EmbeddedStore) store).path();
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void aFileThatIsNotADatabaseIsReportedNotReplaced() throws Exception {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "my precious notes, definitely not SQLite ".repeat(200));
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> EmbeddedStore.open(file)).isInstanceOf(KvStorageException.class)
        .hasMessageContaining("not a ResChat store").hasMessageContaining(file.toString());
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void anotherApplicationsDatabaseIsRefused() throws Exception {
    Path file = dir.resolve("other.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE recipes(name TEXT)");
    }
    assertThatThrownBy(() -> EmbeddedStore.open(file)).isInstanceOf(KvStorageException.class)
        .hasMessageContaining("not a ResChat store");
  }

  @Test
  void aNewerSchemaIsRefusedWithAnUpgradeHint() throws Exception {
    Path file = dir.resolve("newer.db");
    EmbeddedStore.open(file).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = 99");
    }
    assertThatThrownBy(() -> EmbeddedStore.open(file)).isInstanceOf(KvStorageException.class)
        .hasMessageContaining("schema version 99").hasMessageContaining("upgrade");
  }

  @Test
  void aDirectoryIsNotAStoreFile() {
    assertThatThrownBy(() -> EmbeddedStore.open(dir)).isInstanceOf(KvStorageException.class)
        .hasMessageContaining("is a directory");
  }

  @Test
  void aReadOnlyFileGivesAStorageErrorOnWrite() throws Exception {
    Path file = dir.resolve("ro.db");
    EmbeddedStore.open(file).close();
    Files.setPosixFilePermissions(file, Set.of(PosixFilePermission.OWNER_READ));
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(file), "running as a user who ignores file modes");
    assertThatThrownBy(() -> {
      try (EmbeddedStore ro = EmbeddedStore.open(file)) {
        ro.put("k", "v");
      }
    }).isInstanceOf(KvStorageException.class);
  }

  @Test
  void twoProcessesWritingOneFileAtOnceLoseNothing() throws Exception {
    Path file = dir.resolve("shared.db");
    int perProcess = 300;
    List<Process> processes = new ArrayList<>();
    for (String name : List.of("p1", "p2")) {
      processes.add(new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
          EmbeddedWriterProcess.class.getName(), file.toString(), name, Integer.toString(perProcess))
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve(name + ".log").toFile())
          .start());
    }
    // This JVM writes at the same time, through its own connections.
    try (EmbeddedStore mine = EmbeddedStore.open(file)) {
      for (int i = 0; i < perProcess; i++) {
        mine.put("p0.k" + i, "p0/" + i);
        mine.put("shared", "p0/" + i);
      }
    }
    for (Process p : processes) {
      assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve(processes.indexOf(p) == 0 ? "p1.log" : "p2.log")))
          .isZero();
    }
    try (EmbeddedStore check = EmbeddedStore.open(file)) {
      for (String name : List.of("p0", "p1", "p2")) {
        for (int i = 0; i < perProcess; i++) {
          assertThat(check.get(name + ".k" + i)).contains(name + "/" + i);
        }
      }
      assertThat(check.history("shared")).hasSize(3 * perProcess);
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
