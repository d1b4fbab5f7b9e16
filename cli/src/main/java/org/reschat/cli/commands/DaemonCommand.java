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
import java.nio.file.Path;
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
      Thread cleanup = new Thread(() -> deleteQuietly(path));
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
        deleteQuietly(path);
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
   * it in between). A socket file left by a daemon that died is replaced; a live daemon is exit 7.
   */
  private static ServerSocketChannel bind(Path path) throws IOException, CliException {
    UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
    if (Files.exists(path)) {
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

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a stale socket is replaced by the next daemon
    }
  }
}
