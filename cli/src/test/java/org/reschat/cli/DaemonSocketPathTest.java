package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 item 8: {@code daemon --socket PATH} removes only a stale socket of this user at PATH (one a
 * daemon that died left behind), never a regular file, a directory, a link or another user's socket; and
 * when it stops it removes its own socket only, not whatever was put at PATH meanwhile.
 */
class DaemonSocketPathTest {
  @TempDir Path tmp;

  /** A running daemon in this JVM, stopped by {@link #stop}. */
  private final class Daemon {
    final Thread thread;
    final int[] exit = {-1};
    final StringWriter err = new StringWriter();

    Daemon(CliHarness h, Path socket) {
      CliContext ctx = CliContext.builder().env(h.env).err(new PrintWriter(err, true)).zone(ZoneOffset.UTC).build();
      thread = new Thread(() -> exit[0] = Cli.run(ctx, "--home", tmp.resolve("alice").toString(), "daemon",
          "--manual-receive", "--socket", socket.toString()), "test-daemon");
      thread.start();
    }

    /** Waits for the daemon to end by itself (a refusal); stops it if it is still running after a minute. */
    int awaitRefusal() throws InterruptedException {
      thread.join(TimeUnit.MINUTES.toMillis(1)); // a guard against a daemon that did start, not a timing check
      stop();
      return exit[0];
    }

    void stop() throws InterruptedException {
      thread.interrupt();
      thread.join();
    }
  }

  private CliHarness alice() {
    CliHarness h = new CliHarness(tmp);
    h.init("alice");
    return h;
  }

  @Test
  void aRegularFileAtTheSocketPathIsLeftAloneAndTheDaemonRefusesToStart() throws Exception {
    CliHarness h = alice();
    Path precious = Files.writeString(tmp.resolve("thesis.tex"), "three years of work");

    Daemon d = new Daemon(h, precious);
    assertThat(d.awaitRefusal()).as(d.err.toString()).isEqualTo(ExitCodes.LOCAL);
    assertThat(precious).hasContent("three years of work");
    assertThat(lastLine(d.err.toString())).isEqualTo("reschat: " + precious + " exists and is a regular file, not a socket;"
        + " the daemon removes only a socket a stopped daemon left there. Choose another --socket path.");
  }

  @Test
  void aDirectoryOrALinkAtTheSocketPathIsLeftAlone() throws Exception {
    CliHarness h = alice();
    Path empty = Files.createDirectory(tmp.resolve("empty-dir"));
    Daemon d = new Daemon(h, empty);
    assertThat(d.awaitRefusal()).as(d.err.toString()).isEqualTo(ExitCodes.LOCAL);
    assertThat(empty).isDirectory();
    assertThat(d.err.toString()).contains("is a directory, not a socket");

    Path stale = staleSocket(tmp.resolve("stale.sock"));
    Path link = Files.createSymbolicLink(tmp.resolve("link.sock"), stale);
    d = new Daemon(h, link);
    assertThat(d.awaitRefusal()).as(d.err.toString()).isEqualTo(ExitCodes.LOCAL);
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(stale).exists();
    assertThat(d.err.toString()).contains("is a symbolic link, not a socket");
  }

  @Test
  void anotherUsersStaleSocketIsLeftAlone() throws Exception {
    assumeThat((Integer) Files.getAttribute(tmp, "unix:uid")).as("only root can give a socket to another user").isZero();
    CliHarness h = alice();
    Path stale = staleSocket(tmp.resolve("theirs.sock"));
    Files.setAttribute(stale, "unix:uid", 4242, LinkOption.NOFOLLOW_LINKS);
    Daemon d = new Daemon(h, stale);
    assertThat(d.awaitRefusal()).as(d.err.toString()).isEqualTo(ExitCodes.LOCAL);
    assertThat(stale).exists();
    assertThat(d.err.toString()).contains("belongs to another user (uid 4242)");
  }

  @Test
  void aStaleSocketOfThisUserIsReplacedAndWhatReplacesTheSocketIsNotRemovedAtStop() throws Exception {
    CliHarness h = alice();
    Path socket = staleSocket(tmp.resolve("alice.sock"));
    Daemon d = new Daemon(h, socket);
    try {
      DaemonConnection.open(socket, d.thread::isAlive).close();
      // Someone replaces the socket with a file while the daemon runs: stopping must not remove it.
      Files.delete(socket);
      Files.writeString(socket, "not the daemon's");
    } finally {
      d.stop();
    }
    assertThat(d.exit[0]).as(d.err.toString()).isZero();
    assertThat(socket).hasContent("not the daemon's");
  }

  private static String lastLine(String text) {
    return text.strip().lines().reduce((first, last) -> last).orElse("");
  }

  /** A socket file as a daemon that died leaves it: bound, then closed without removing the file. */
  private static Path staleSocket(Path path) throws Exception {
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(path));
    }
    return path;
  }

}
