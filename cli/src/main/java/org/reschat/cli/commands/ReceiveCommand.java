package org.reschat.cli.commands;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.LedgerWatch;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.config.Setting;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.Message;
import org.reschat.core.Update;
import org.reschat.kv.ChangeWaiter;
import org.reschat.kv.KvException;
import org.reschat.localdb.Friend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "receive", mixinStandardHelpOptions = true,
    description = {"Print new messages from every friend since the last receive.",
        "Never the same message twice; also publishes your queued messages. With --follow,",
        "keep watching until Ctrl-C."})
public final class ReceiveCommand extends BaseCommand {
  @Option(names = "--follow", description = "Keep polling for new messages.")
  boolean follow;

  @Option(names = "--interval", paramLabel = "DURATION", description = "Time between polls with --follow (default 2s).")
  String interval;

  @Option(names = "--polls", hidden = true, description = "Stop after this many polls (for tests and scripts).")
  Integer polls;

  ReceiveCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected Map<Setting, String> settingOverrides() {
    Map<Setting, String> m = new EnumMap<>(Setting.class);
    if (interval != null) {
      m.put(Setting.POLL_INTERVAL, interval);
    }
    return m;
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    long sleepMillis = session.settings().pollInterval().toMillis();
    List<Friend> friends = session.profile().friends().list();
    if (friends.isEmpty()) {
      out.note("No friends yet, so nothing to receive. Add one with 'reschat friend add NICK CARD'.");
      return ExitCodes.OK;
    }
    ChatClient client = session.client();
    boolean security = false;
    boolean stillQueued = false;
    // --polls counts polls, so a bounded run keeps polling at the interval even while hints arrive.
    // On a terminal, silence would look like a hang: say when nothing came, and that --follow waits.
    boolean tell = session.context().interactive() && !out.json();
    try (ChangeWaiter waiter = !follow ? null
        : polls != null ? LedgerWatch.openPollingAtInterval(session) : LedgerWatch.open(session)) {
      for (int poll = 1; ; poll++) {
        stillQueued = false;
        int received = 0;
        for (Friend friend : session.profile().friends().list()) {
          Update u;
          try {
            u = client.update(friend.card());
          } catch (KvException e) {
            if (!follow) {
              throw e;
            }
            out.warn("could not reach the store (" + e.getMessage() + "); trying again in " + sleepMillis + " ms.");
            break;
          }
          for (Message m : u.received()) {
            out.message(m, friend.nickname());
            received++;
          }
          for (FeedWarning w : u.warnings()) {
            out.feedWarning(w, friend.nickname());
            security |= w.kind().isSecurityProblem();
          }
          if (u.published() > 0 && !out.json()) {
            out.note("Published " + u.published() + " queued message(s) to " + friend.nickname() + ".");
          }
          if (u.pending() > 0) {
            stillQueued = true;
            out.warn(u.pending() + " message(s) to " + friend.nickname() + " still queued: "
                + u.problem().orElse("the store did not confirm them."));
          }
        }
        if (tell && !follow && received == 0) {
          out.note("No new messages.");
        }
        if (!follow || (polls != null && poll >= polls)) {
          break;
        }
        if (tell && poll == 1) {
          out.note("Waiting for new messages… (Ctrl-C stops)");
        }
        waiter.await(session.settings().pollInterval()); // returns early when the store hints at a change
      }
    }
    return security ? ExitCodes.SECURITY : stillQueued ? ExitCodes.QUEUED : ExitCodes.OK;
  }
}
