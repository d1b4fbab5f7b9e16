package org.reschat.kv.embedded;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.Changed;
import org.reschat.kv.ListenerWatch;
import org.sqlite.SQLiteConfig;

/**
 * Change hints for the SQLite ledger from {@code PRAGMA data_version}: SQLite changes it on a connection
 * whenever <em>another</em> connection, in this process or another, commits to the file. Each watch has its
 * own connection that never writes, so every commit, including this store's own, shows up there. Reading
 * the pragma costs microseconds, so each watch checks it every {@link #CHECK_EVERY} on a daemon thread.
 * When it changed, the watch reads the keys of the versions written since the last it saw (the primary
 * key {@code seq} only grows, and writers commit in its order), at most
 * {@link ListenerWatch#MAX_KEYS_PER_NOTIFICATION} of them, and names those under its prefix; more than that
 * is reported as an unknown change, as is anything after the connection had to be opened again.
 */
final class DataVersionWatcher implements ChangeNotifier {
  static final Duration CHECK_EVERY = Duration.ofMillis(50);

  private final String url;
  private final SQLiteConfig config;
  private final Set<ListenerWatch> running = ListenerWatch.newOpenSet();

  DataVersionWatcher(String url, SQLiteConfig config) {
    this.url = url;
    this.config = config;
  }

  @Override
  public Watch watch(String keyPrefix, Runnable onChange) {
    java.util.Objects.requireNonNull(onChange, "onChange");
    return watchKeys(keyPrefix, changed -> onChange.run());
  }

  @Override
  public Watch watchKeys(String keyPrefix, java.util.function.Consumer<Changed> onChange) {
    VersionWatch watch = new VersionWatch(java.util.Objects.requireNonNull(keyPrefix, "keyPrefix"), onChange);
    running.add(watch);
    watch.thread.start();
    return watch;
  }

  void closeAll() {
    ListenerWatch.closeAll(running);
  }

  private final class VersionWatch extends ListenerWatch {
    private final String prefix;
    private final Thread thread;
    private volatile boolean live;

    VersionWatch(String prefix, java.util.function.Consumer<Changed> onChange) {
      super(onChange, running);
      this.prefix = prefix;
      this.thread = new Thread(this::run, "reschat-sqlite-watch");
      thread.setDaemon(true);
    }

    @Override
    public boolean live() {
      return live;
    }

    @Override
    protected void stop() {
      live = false;
      thread.interrupt();
    }

    private void run() {
      while (!closed()) {
        try (Connection c = config.createConnection(url); Statement s = c.createStatement();
            PreparedStatement since = c.prepareStatement(
                "SELECT seq, key FROM kv_versions WHERE seq > ? ORDER BY seq LIMIT " + (MAX_KEYS_PER_NOTIFICATION + 1))) {
          long seen = dataVersion(s);
          long lastSeq = newestSeq(s);
          live = true;
          while (!closed()) {
            Thread.sleep(CHECK_EVERY.toMillis());
            long now = dataVersion(s);
            if (now != seen) {
              seen = now;
              lastSeq = hintWrittenSince(since, s, lastSeq);
            }
          }
        } catch (SQLException e) {
          live = false; // file locked, deleted or closed under us: hint, then try again
          hint();
          if (!pause(Duration.ofSeconds(1))) {
            return;
          }
        } catch (InterruptedException e) {
          return;
        } finally {
          live = false;
        }
      }
    }

    /** Names the keys under the prefix written after {@code lastSeq}; returns the newest seq seen. */
    private long hintWrittenSince(PreparedStatement since, Statement s, long lastSeq) throws SQLException {
      Set<String> keys = new HashSet<>();
      int rows = 0;
      long newest = lastSeq;
      since.setLong(1, lastSeq);
      try (ResultSet rs = since.executeQuery()) {
        while (rs.next()) {
          rows++;
          newest = rs.getLong(1);
          String key = rs.getString(2);
          if (key.startsWith(prefix)) {
            keys.add(key);
          }
        }
      }
      if (rows > MAX_KEYS_PER_NOTIFICATION) {
        hint(); // a burst: re-read everything rather than list it
        return newestSeq(s);
      }
      hintKeys(keys);
      return newest;
    }

    private long newestSeq(Statement s) throws SQLException {
      try (ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM kv_versions")) {
        rs.next();
        return rs.getLong(1);
      }
    }

    private long dataVersion(Statement s) throws SQLException {
      try (ResultSet rs = s.executeQuery("PRAGMA data_version")) {
        rs.next();
        return rs.getLong(1);
      }
    }

    /** False when interrupted: the watch is closing. */
    private boolean pause(Duration d) {
      try {
        Thread.sleep(d.toMillis());
        return true;
      } catch (InterruptedException e) {
        return false;
      }
    }
  }
}
