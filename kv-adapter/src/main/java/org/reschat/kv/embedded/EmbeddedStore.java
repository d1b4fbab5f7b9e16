package org.reschat.kv.embedded;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.KvKeys;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStorageException;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.KvValues;
import org.reschat.kv.KvVersion;
import org.reschat.kv.PutIfUnchanged;
import org.reschat.kv.StoreHealth;
import org.reschat.kv.VersionedKvStore;
import org.sqlite.SQLiteConfig;

/**
 * The default store: a SQLite file that keeps every version of every key, like a ledger.
 *
 * <p>Several processes may open the same file at once. The file is in WAL mode, so readers never wait
 * for writers, and each connection waits up to {@link #BUSY_TIMEOUT} for another process's write lock
 * instead of failing. {@code put} returns once the row is committed with {@code synchronous=FULL}, so a
 * returned write survives a crash of the process or the machine.
 *
 * <p>Thread-safe: each call borrows one connection from a small pool.
 */
public final class EmbeddedStore implements VersionedKvStore {
  /** How long one statement waits for another connection's lock before the call fails. */
  public static final Duration BUSY_TIMEOUT = Duration.ofSeconds(30);

  /** {@code PRAGMA application_id} of a ResChat ledger file: "RCKV". */
  static final int APPLICATION_ID = 0x52434B56;

  static final int SCHEMA_VERSION = 1;
  private static final int POOL_SIZE = 4;

  // Primary SQLite result codes (sqlite3.h); extended codes keep these in their low byte.
  private static final int SQLITE_PERM = 3;
  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;
  private static final int SQLITE_READONLY = 8;
  private static final int SQLITE_IOERR = 10;
  private static final int SQLITE_CORRUPT = 11;
  private static final int SQLITE_FULL = 13;
  private static final int SQLITE_CANTOPEN = 14;
  private static final int SQLITE_NOTADB = 26;

  private final Path path;
  private final String url;
  private final SQLiteConfig config;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private final DataVersionWatcher watcher;
  private final java.util.concurrent.atomic.AtomicLong queries = new java.util.concurrent.atomic.AtomicLong();
  private int open;
  private boolean closed;

  private EmbeddedStore(Path path) {
    this.path = path;
    this.url = "jdbc:sqlite:" + path;
    this.config = new SQLiteConfig();
    config.setBusyTimeout((int) BUSY_TIMEOUT.toMillis());
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    this.watcher = new DataVersionWatcher(url, config);
  }

  /**
   * Opens the ledger at {@code path}, creating the file and its directories if they do not exist.
   *
   * @throws KvStorageException when the file cannot be created or opened, or is not a ResChat ledger
   */
  public static EmbeddedStore open(Path path) throws KvException {
    Objects.requireNonNull(path, "path");
    Path absolute = path.toAbsolutePath().normalize();
    try {
      Path parent = absolute.getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        // Private like the file: the default ledger's directory also holds the profiles.
        if (parent.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(parent);
        }
      }
    } catch (IOException e) {
      throw new KvStorageException("Cannot create the directory " + absolute.getParent() + " for the store file: "
          + reason(e) + ".", e);
    }
    createPrivateFileIfMissing(absolute);
    if (Files.isDirectory(absolute)) {
      throw new KvStorageException("The store path " + absolute + " is a directory; give a file path such as " + absolute.resolve("ledger.db") + ".");
    }
    EmbeddedStore store = new EmbeddedStore(absolute);
    try {
      store.initialise();
    } catch (KvException | RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /** Creates the file readable by its owner only; SQLite gives its -wal and -shm files the same mode. */
  private static void createPrivateFileIfMissing(Path file) throws KvStorageException {
    if (Files.exists(file)) {
      return;
    }
    try {
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
    } catch (FileAlreadyExistsException raced) {
      // Another process created it first; it will initialise or already has.
    } catch (IOException e) {
      throw new KvStorageException("Cannot create the store file " + file + ": " + reason(e) + ".", e);
    }
  }

  /** Why a file operation failed, as words rather than the JDK's bare path. */
  private static String reason(IOException e) {
    if (e instanceof java.nio.file.FileAlreadyExistsException || e instanceof java.nio.file.FileSystemException
        && String.valueOf(e.getMessage()).contains("Not a directory")) {
      return "a file is in the way where a directory is needed";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null) {
      return ((java.nio.file.FileSystemException) e).getReason().toLowerCase(java.util.Locale.ROOT);
    }
    return String.valueOf(e.getMessage()).replaceAll("[.\\s]+$", "");
  }

  /** The file this store lives in. */
  public Path path() {
    return path;
  }

  private void initialise() throws KvException {
    withConnection(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
        try {
          int appId = intPragma(s, "application_id");
          int version = intPragma(s, "user_version");
          if (appId == 0 && version == 0) {
            if (hasTables(s)) {
              throw new KvStorageException("The file " + path + " is a SQLite database but not a ResChat store; choose another path.");
            }
            s.execute("CREATE TABLE kv_versions ("
                + " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                + " key TEXT NOT NULL,"
                + " value TEXT NOT NULL,"
                + " written_at_ms INTEGER NOT NULL)");
            s.execute("CREATE INDEX kv_versions_by_key ON kv_versions(key, seq)");
            s.execute("PRAGMA application_id = " + APPLICATION_ID);
            s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
          } else if (appId != APPLICATION_ID) {
            throw new KvStorageException("The file " + path + " is a SQLite database but not a ResChat store; choose another path.");
          } else if (version != SCHEMA_VERSION) {
            throw new KvStorageException("The store file " + path + " has schema version " + version
                + " but this ResChat reads version " + SCHEMA_VERSION + "; upgrade ResChat.");
          }
          s.execute("COMMIT");
        } catch (SQLException | KvException | RuntimeException e) {
          rollbackQuietly(s);
          throw e;
        }
      }
      return null;
    });
  }

  /**
   * The value's size in bytes of UTF-8, then the value only if it is within {@link KvValues#MAX_VALUE_BYTES}:
   * SQLite measures it, so an oversized value (another writer can put anything in this file) is never
   * copied into the Java heap. Takes the cap as its first parameter.
   */
  private static final String SIZE_THEN_VALUE =
      "length(CAST(value AS BLOB)), CASE WHEN length(CAST(value AS BLOB)) <= ? THEN value END";

  /** The value from a {@link #SIZE_THEN_VALUE} pair starting at {@code column}, or the typed error. */
  private static String checkedValue(String key, ResultSet rs, int column) throws SQLException, KvException {
    KvValues.checkReadSize(key, rs.getLong(column));
    return rs.getString(column + 1);
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    KvKeys.requireValid(key);
    return withConnection(c -> newest(c, key));
  }

  /**
   * Keys per query: SQLite's parameter limit was 999 before 3.32, and one statement of a few hundred keys
   * already costs far less than one round trip per key.
   */
  static final int KEYS_PER_QUERY = 500;

  /**
   * One query per {@link #KEYS_PER_QUERY} keys, all in one read transaction, so the batch is one snapshot
   * of the file. Each key's newest version comes from the {@code (key, seq)} index.
   */
  @Override
  public Map<String, KvRead> getAll(Collection<String> keys) throws KvException {
    keys.forEach(KvKeys::requireValid);
    List<String> distinct = List.copyOf(new LinkedHashSet<>(keys));
    Map<String, KvRead> out = new LinkedHashMap<>();
    distinct.forEach(k -> out.put(k, KvRead.absent()));
    if (distinct.isEmpty()) {
      return out;
    }
    return withConnection(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN");
        try {
          for (int from = 0; from < distinct.size(); from += KEYS_PER_QUERY) {
            List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + KEYS_PER_QUERY));
            readChunk(c, chunk, out);
          }
        } finally {
          rollbackQuietly(s); // a read transaction: nothing to commit
        }
      }
      return out;
    });
  }

  private void readChunk(Connection c, List<String> chunk, Map<String, KvRead> out) throws SQLException {
    String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
    try (PreparedStatement ps = c.prepareStatement("SELECT key, " + SIZE_THEN_VALUE + " FROM kv_versions"
        + " WHERE seq IN (SELECT max(seq) FROM kv_versions WHERE key IN (" + marks + ") GROUP BY key)")) {
      ps.setLong(1, KvValues.MAX_VALUE_BYTES);
      for (int i = 0; i < chunk.size(); i++) {
        ps.setString(i + 2, chunk.get(i));
      }
      queries.incrementAndGet();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String key = rs.getString(1);
          if (out.containsKey(key)) {
            try {
              out.put(key, new KvRead.Value(checkedValue(key, rs, 2)));
            } catch (KvException e) {
              out.put(key, new KvRead.Corrupt(e.getMessage()));
            }
          }
        }
      }
    }
  }

  /** Statements sent for {@link #getAll}, for tests that count round trips. */
  long batchQueries() {
    return queries.get();
  }

  @Override
  public void put(String key, String value) throws KvException {
    KvKeys.requireValid(key);
    KvValues.requireValid(value);
    withConnection(c -> {
      insert(c, key, value);
      return null;
    });
  }

  private static void insert(Connection c, String key, String value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO kv_versions(key, value, written_at_ms) VALUES (?, ?, ?)")) {
      ps.setString(1, key);
      ps.setString(2, value);
      ps.setLong(3, System.currentTimeMillis());
      ps.executeUpdate();
    }
  }

  /**
   * The compare and the insert in one write transaction ({@code BEGIN IMMEDIATE} takes the file's write lock
   * first), so no other connection or process writes the key in between; one commit, one fsync.
   */
  @Override
  public PutIfUnchanged putIfUnchanged(String key, Optional<String> expected, String value) throws KvException {
    KvKeys.requireValid(key);
    KvValues.requireValid(value);
    expected.ifPresent(KvValues::requireValid);
    return withConnection(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
        try {
          KvRead now;
          try {
            now = KvRead.of(newest(c, key));
          } catch (KvCorruptValueException e) {
            now = new KvRead.Corrupt(e.getMessage());
          }
          if (!now.equals(KvRead.of(expected))) {
            rollbackQuietly(s);
            return PutIfUnchanged.refused(now);
          }
          insert(c, key, value);
          s.execute("COMMIT");
          return PutIfUnchanged.written(value);
        } catch (SQLException | RuntimeException e) {
          rollbackQuietly(s);
          throw e;
        }
      }
    });
  }

  /** The key's newest value; one over the cap is a {@link KvCorruptValueException}, never read whole. */
  private static Optional<String> newest(Connection c, String key) throws SQLException, KvException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT " + SIZE_THEN_VALUE + " FROM kv_versions WHERE key = ? ORDER BY seq DESC LIMIT 1")) {
      ps.setLong(1, KvValues.MAX_VALUE_BYTES);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(checkedValue(key, rs, 1)) : Optional.empty();
      }
    }
  }

  @Override
  public List<KvVersion> history(String key) throws KvException {
    KvKeys.requireValid(key);
    return withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + SIZE_THEN_VALUE + ", seq, written_at_ms FROM kv_versions WHERE key = ? ORDER BY seq")) {
        ps.setLong(1, KvValues.MAX_VALUE_BYTES);
        ps.setString(2, key);
        List<KvVersion> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new KvVersion(rs.getLong(3), checkedValue(key, rs, 1), Instant.ofEpochMilli(rs.getLong(4))));
          }
        }
        return out;
      }
    });
  }

  /** A commit with {@code synchronous=FULL}: durable when it returns; a failed one is rolled back. */
  @Override
  public boolean writesAreLocalTransactions() {
    return true;
  }

  @Override
  public String describe() {
    return "embedded SQLite ledger at " + path;
  }

  @Override
  public StoreHealth health() {
    long start = System.nanoTime();
    try {
      long versions = withConnection(c -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM kv_versions")) {
          rs.next();
          return rs.getLong(1);
        }
      });
      Duration rtt = Duration.ofNanos(System.nanoTime() - start);
      return new StoreHealth(describe(), List.of(StoreHealth.Endpoint.up(path.toString(), rtt, versions + " versions stored")));
    } catch (KvException e) {
      return new StoreHealth(describe(), List.of(StoreHealth.Endpoint.down(path.toString(), e.getMessage())));
    }
  }

  @Override
  public int maxConcurrentReads() {
    return POOL_SIZE;
  }

  /** Hints from SQLite's data version, which any commit to the file changes, from any process. */
  @Override
  public Optional<ChangeNotifier> changes() {
    return Optional.of(watcher);
  }

  @Override
  public void close() {
    watcher.closeAll();
    List<Connection> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(idle);
      idle.clear();
      notifyAll();
    }
    for (Connection c : toClose) {
      closeQuietly(c);
    }
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException, KvException;
  }

  private <T> T withConnection(SqlWork<T> work) throws KvException {
    Connection c = borrow();
    boolean healthy = true;
    try {
      return work.run(c);
    } catch (SQLException e) {
      healthy = false;
      throw translate(e);
    } finally {
      giveBack(c, healthy);
    }
  }

  private Connection borrow() throws KvException {
    synchronized (this) {
      while (true) {
        if (closed) {
          throw new KvUnavailableException("The store " + path + " is closed.");
        }
        Connection c = idle.pollFirst();
        if (c != null) {
          return c;
        }
        if (open < POOL_SIZE) {
          open++;
          break;
        }
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new KvUnavailableException("Interrupted while waiting for the store " + path + ".", e);
        }
      }
    }
    try {
      return config.createConnection(url);
    } catch (SQLException e) {
      synchronized (this) {
        open--;
        notifyAll();
      }
      throw translate(e);
    }
  }

  private void giveBack(Connection c, boolean healthy) {
    boolean keep;
    synchronized (this) {
      keep = healthy && !closed;
      if (keep) {
        idle.addFirst(c);
      } else {
        open--;
      }
      notifyAll();
    }
    if (!keep) {
      closeQuietly(c);
    }
  }

  private KvException translate(SQLException e) {
    int code = e.getErrorCode() & 0xFF;
    switch (code) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return new KvTimeoutException("The store file " + path + " stayed locked by another process for more than "
            + BUSY_TIMEOUT.toSeconds() + " s.", e);
      case SQLITE_FULL:
        return new KvStorageException("The disk holding " + path + " is full; free some space and try again.", e);
      case SQLITE_READONLY:
      case SQLITE_PERM:
        return new KvStorageException("The store file " + path + " is read-only; check its permissions.", e);
      case SQLITE_CANTOPEN:
        return new KvStorageException("Cannot open the store file " + path + "; check that its directory exists and is writable.", e);
      case SQLITE_NOTADB:
        return new KvStorageException("The file " + path + " is not a ResChat store; choose another path.", e);
      case SQLITE_CORRUPT:
        return new KvStorageException("The store file " + path + " is damaged (SQLite reports corruption); restore it from a backup.", e);
      case SQLITE_IOERR:
        return new KvStorageException("Reading or writing the store file " + path + " failed (SQLite I/O error "
            + e.getErrorCode() + ").", e);
      default:
        return new KvStorageException("The store file " + path + " failed (SQLite error " + e.getErrorCode() + ").", e);
    }
  }

  private static int intPragma(Statement s, String pragma) throws SQLException {
    try (ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static boolean hasTables(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
      return rs.next() && rs.getInt(1) > 0;
    }
  }

  private static void rollbackQuietly(Statement s) {
    try {
      s.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // The transaction may never have started; the original failure is what matters.
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Closing a broken connection can fail; nothing more can be done with it.
    }
  }
}
