package org.reschat.cli;

import java.util.concurrent.Callable;
import org.reschat.cli.commands.BenchCommand;
import org.reschat.cli.commands.ChannelCommand;
import org.reschat.cli.commands.ChatCommand;
import org.reschat.cli.commands.DeviceCommand;
import org.reschat.cli.commands.ConfigCommand;
import org.reschat.cli.commands.DaemonCommand;
import org.reschat.cli.commands.DemoCommand;
import org.reschat.cli.commands.DirectoryCommand;
import org.reschat.cli.commands.DownloadCommand;
import org.reschat.cli.commands.ExportCommand;
import org.reschat.cli.commands.FilesCommand;
import org.reschat.cli.commands.FriendCommand;
import org.reschat.cli.commands.GroupCommand;
import org.reschat.cli.commands.HistoryCommand;
import org.reschat.cli.commands.IdentityCommand;
import org.reschat.cli.commands.InitCommand;
import org.reschat.cli.commands.JsonRpcCommand;
import org.reschat.cli.commands.PassphraseCommand;
import org.reschat.cli.commands.ReceiveCommand;
import org.reschat.cli.commands.RequestsCommand;
import org.reschat.cli.commands.SearchCommand;
import org.reschat.cli.commands.DeleteCommand;
import org.reschat.cli.commands.EditCommand;
import org.reschat.cli.commands.ReactCommand;
import org.reschat.cli.commands.SendCommand;
import org.reschat.cli.commands.StoreCommand;
import org.reschat.cli.commands.WebCommand;
import org.reschat.cli.commands.WhoamiCommand;
import org.reschat.cli.interactive.Menu;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;

/** {@code reschat}: with a command, runs it; alone on a terminal, opens the menu; alone in a script, prints usage. */
@Command(name = "reschat",
    mixinStandardHelpOptions = true,
    versionProvider = ReschatCommand.Version.class,
    description = {
        "End-to-end encrypted chat with no chat server: messages live on a ledger.",
        "The ledger is ResilientDB's key-value service, or an embedded SQLite file by default.",
        "",
        "Run without a command on a terminal for the menu."},
    subcommands = {
        InitCommand.class,
        WhoamiCommand.class,
        DeviceCommand.class,
        FriendCommand.class,
        GroupCommand.class,
        SendCommand.class,
        ReactCommand.class,
        EditCommand.class,
        DeleteCommand.class,
        FilesCommand.class,
        DownloadCommand.class,
        DirectoryCommand.class,
        ChannelCommand.class,
        HistoryCommand.class,
        ReceiveCommand.class,
        SearchCommand.class,
        RequestsCommand.class,
        ChatCommand.class,
        ExportCommand.class,
        StoreCommand.class,
        ConfigCommand.class,
        DemoCommand.class,
        BenchCommand.class,
        PassphraseCommand.class,
        IdentityCommand.class,
        org.reschat.cli.commands.ProfileCommand.class,
        DaemonCommand.class,
        WebCommand.class,
        JsonRpcCommand.class,
        org.reschat.cli.commands.CompletionCommand.class,
        org.reschat.cli.commands.CompletionCommand.Names.class},
    footer = {"", ExitCodes.TABLE})
public final class ReschatCommand implements Callable<Integer> {
  @Mixin
  GlobalOptions global;

  private final CliContext ctx;

  ReschatCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    if (!ctx.interactive) {
      global.mixee.commandLine().usage(ctx.err);
      ctx.err.println();
      ctx.err.println("reschat: no command given; the menu needs a terminal. Try 'reschat demo'.");
      ctx.err.flush();
      return ExitCodes.USAGE;
    }
    try (Session session = new Session(ctx, global)) {
      return new Menu(session).run();
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ReschatCommand.class.getPackage().getImplementationVersion();
      return new String[] {"reschat " + (v == null ? "(development build)" : v),
          "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name")};
    }
  }
}
