package org.reschat.cli.commands;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Session;
import org.reschat.cli.daemon.Daemon;
import org.reschat.cli.daemon.RpcConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "jsonrpc", mixinStandardHelpOptions = true,
    description = {"The daemon's JSON-RPC 2.0 on standard input and output.",
        "One request per line, until standard input ends: for a program that starts reschat as its child."})
public final class JsonRpcCommand extends BaseCommand {
  @Option(names = "--manual-receive", description = "Do not receive in the background; call 'receive'.")
  boolean manualReceive;

  JsonRpcCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    session.client();
    Daemon daemon = new Daemon(session.context(), session);
    org.reschat.core.Receiver.Subscription receiver = manualReceive ? null : daemon.startReceiving();
    try {
      new RpcConnection(daemon, new InputStreamReader(session.context().in(), StandardCharsets.UTF_8),
          session.context().out(), () -> { }).serve(); // a parent not reading stdout only loses notifications
    } finally {
      if (receiver != null) {
        receiver.close(); // no notification after the last answer
      }
    }
    return ExitCodes.OK;
  }
}
