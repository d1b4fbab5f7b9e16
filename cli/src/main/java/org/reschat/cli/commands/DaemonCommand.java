package org.reschat.cli.commands;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import org.reschat.cli.daemon.SocketStreams;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Session;
import org.reschat.cli.daemon.Daemon;
import org.reschat.cli.daemon.RpcConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "daemon", mixinStandardHelpOptions = true,
    description = {"Answer JSON-RPC 2.0 on a Unix socket, keys unlocked once.",
        "Keeps the identity unlocked and the store open, and answers one request per line on a socket in the "
            + "profile (daemon.sock, mode 0600). Methods follow the commands (send, history, receive, whoami, "
            + "friend.list, ...); arriving messages come as 'receive' notifications. Stops on Ctrl-C. See the "
            + "README's daemon section."})
public final class DaemonCommand extends BaseCommand {
  /** The socket's name in the profile directory. */
  public static final String SOCKET = "daemon.sock";

  @Option(names = "--socket", paramLabel = "PATH", description = "Listen here instead of PROFILE/daemon.sock.")
  Path socket;

  @Option(names = "--manual-receive", description = {"Do not receive in the background;", "clients call 'receive'."})
  boolean manualReceive;

  DaemonCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Path path = socket != null ? socket : session.settings().home().resolve(SOCKET);
    session.client(); // unlock and open now, so a wrong passphrase or a dead store fails at start
    Daemon daemon = new Daemon(session.context(), session);
    try (ServerSocketChannel server = bind(path)) {
      Object bound = socketKey(path); // what is removed at the end: this socket, never what replaced it
      Thread cleanup = new Thread(() -> deleteQuietly(path, bound));
      Runtime.getRuntime().addShutdownHook(cleanup);
      org.reschat.core.Receiver.Subscription receiver = manualReceive ? null : daemon.startReceiving();
      session.output().note("reschat daemon: listening on " + path + " (Ctrl-C stops it).");
      try {
        while (true) {
          SocketChannel peer = server.accept();
          Thread t = new Thread(() -> serve(daemon, peer), "reschat-daemon-peer");
          t.setDaemon(true);
          t.start();
        }
      } catch (ClosedByInterruptException e) {
        Thread.interrupted(); // handled: stopping below must not be cut short by it
        return ExitCodes.OK; // stopped by whoever started it in this JVM
      } finally {
        if (receiver != null) {
          receiver.close();
        }
        deleteQuietly(path, bound);
        try {
          Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs anyway
        }
      }
    }
  }

  /**
   * Binds the socket and makes it 0600 (the profile directory is 0700 already, so nobody else can reach
   * it in between). A socket of this user left by a daemon that died is replaced; a live daemon is exit 7;
   * anything else at the path (a file, a directory, a link, another user's socket) is left alone, exit 7.
   */
  private static ServerSocketChannel bind(Path path) throws IOException, CliException {
    UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      checkStaleSocketOfMine(path);
      try (SocketChannel probe = SocketChannel.open(address)) {
        throw new CliException(ExitCodes.LOCAL, "A daemon is already running on " + path + ".");
      } catch (IOException dead) {
        Files.delete(path);
      }
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(address);
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      server.close();
      throw new CliException(ExitCodes.LOCAL, "Cannot listen on " + path + ": " + e.getMessage());
    }
    return server;
  }

  private static void serve(Daemon daemon, SocketChannel peer) {
    try (peer) {
      new RpcConnection(daemon, new InputStreamReader(SocketStreams.in(peer), StandardCharsets.UTF_8),
          new OutputStreamWriter(SocketStreams.out(peer), StandardCharsets.UTF_8), () -> {
            try {
              peer.close(); // dropped for not reading: its reader ends with the channel
            } catch (IOException e) {
              // already gone
            }
          }).serve();
    } catch (IOException e) {
      // the peer went away mid-line; nothing of the daemon's is affected
    }
  }

  /** The file type bits of {@code st_mode} and the socket type: only a socket is ever removed. */
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  /** Refuses, in one sentence, anything at {@code path} but a socket of this user (a stale one is removed next). */
  private static void checkStaleSocketOfMine(Path path) throws IOException, CliException {
    String what;
    if (Files.isSymbolicLink(path)) {
      what = "a symbolic link";
    } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      what = "a directory";
    } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      what = "a regular file";
    } else if (unix(path, "mode") != null && (unix(path, "mode") & S_IFMT) != S_IFSOCK) {
      what = "a special file";
    } else {
      Integer owner = unix(path, "uid");
      Integer me = currentUid();
      if (owner != null && me != null && !owner.equals(me)) {
        throw new CliException(ExitCodes.LOCAL, path + " is a socket that belongs to another user (uid " + owner
            + "); the daemon removes only its own stale socket. Choose another --socket path.");
      }
      return;
    }
    throw new CliException(ExitCodes.LOCAL, path + " exists and is " + what + ", not a socket; the daemon removes only"
        + " a socket a stopped daemon left there. Choose another --socket path.");
  }

  private static Integer unix(Path p, String attribute) throws IOException {
    if (!p.getFileSystem().supportedFileAttributeViews().contains("unix")) {
      return null;
    }
    return (Integer) Files.getAttribute(p, "unix:" + attribute, LinkOption.NOFOLLOW_LINKS);
  }

  private static Integer currentUid() {
    try {
      return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    } catch (LinkageError | RuntimeException notUnix) {
      return null;
    }
  }

  /** The identity (device and inode) of the socket at {@code path}, to know it again at the end. */
  private static Object socketKey(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /** Removes the daemon's own socket, and nothing that replaced it meanwhile. */
  private static void deleteQuietly(Path path, Object bound) {
    try {
      BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (bound != null && bound.equals(now.fileKey()) && now.isOther()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      // gone already, or not ours to remove; a stale socket is replaced by the next daemon
    }
  }
}
