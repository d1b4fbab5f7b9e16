package org.reschat.kv.embedded;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.ListenerWatch;
import org.sqlite.SQLiteConfig;

/**
 * Change hints for the SQLite ledger from {@code PRAGMA data_version}: SQLite changes it on a connection
 * whenever <em>another</em> connection, in this process or another, commits to the file. Each watch has its
 * own connection that never writes, so every commit, including this store's own, shows up there. Reading
 * the pragma costs microseconds, so each watch checks it every {@link #CHECK_EVERY} on a daemon thread and
 * hints only when it changed. The key prefix is not looked at: any commit is a hint (spurious ones are allowed).
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
    VersionWatch watch = new VersionWatch(onChange);
    running.add(watch);
    watch.thread.start();
    return watch;
  }

  void closeAll() {
    ListenerWatch.closeAll(running);
  }

  private final class VersionWatch extends ListenerWatch {
    private final Thread thread;
    private volatile boolean live;

    VersionWatch(Runnable onChange) {
      super(onChange, running);
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
        try (Connection c = config.createConnection(url); Statement s = c.createStatement()) {
          long seen = dataVersion(s);
          live = true;
          while (!closed()) {
            Thread.sleep(CHECK_EVERY.toMillis());
            long now = dataVersion(s);
            if (now != seen) {
              seen = now;
              hint();
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
