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
import org.reschat.cli.Chats;
import org.reschat.cli.text.SafeText;
import org.reschat.core.group.Group;
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
    ChatClient client = session.client();
    boolean security = false;
    boolean stillQueued = false;
    java.util.Set<String> shownRequests = new java.util.HashSet<>();
    // --polls counts polls, so a bounded run keeps polling at the interval even while hints arrive.
    // On a terminal, silence would look like a hang: say when nothing came, and that --follow waits.
    boolean tell = session.context().interactive() && !out.json();
    try (ChangeWaiter waiter = !follow ? null
        : polls != null ? LedgerWatch.openPollingAtInterval(session) : LedgerWatch.open(session)) {
      for (int poll = 1; ; poll++) {
        stillQueued = false;
        int received = 0;
        List<Chats> chats = friends(session);
        for (int i = 0, friendCount = chats.size(); ; i++) {
          if (i == friendCount) {
            chats.addAll(groups(session, client)); // after the friends: their updates may bring invitations
          }
          if (i >= chats.size()) {
            break;
          }
          Chats chat = chats.get(i);
          Update u;
          try {
            u = chat.update(client);
          } catch (KvException e) {
            if (!follow) {
              throw e;
            }
            out.warn("could not reach the store (" + e.getMessage() + "); trying again in " + sleepMillis + " ms.");
            break;
          }
          String name = SafeText.line(chat.name());
          for (Message m : u.received()) {
            chat.print(out, m);
            received++;
          }
          for (FeedWarning w : u.warnings()) {
            out.feedWarning(w, chat.whose(w));
            security |= w.kind().isSecurityProblem();
          }
          if (u.published() > 0 && !out.json()) {
            out.note("Published " + u.published() + " queued message(s) to " + name + ".");
          }
          if (u.pending() > 0) {
            stillQueued = true;
            out.warn(u.pending() + " message(s) to " + name + " still queued: "
                + u.problem().orElse("the store did not confirm them."));
          }
          if (chat instanceof Chats.InGroup) {
            Group before = ((Chats.InGroup) chat).group();
            Group after = client.groups().find(before.id()).orElse(before);
            if (after.status() == Group.Status.ACTIVE && after.current().isAdmin(session.card())
                && !after.activeLinks().isEmpty()) {
              for (org.reschat.core.group.GroupLinks.JoinRequest r : client.groups().links().requests(after)) {
                if (shownRequests.add(after.id() + r.card())) { // once per run, also with --follow
                  GroupCommand.printRequest(out, after, r);
                }
              }
            }
            if (after.status() == Group.Status.REMOVED && before.status() != Group.Status.REMOVED && !out.json()) {
              out.warn("you were removed from \"" + name + "\" by "
                  + ((Chats.InGroup) chat).nameOf(after.removedBy().orElseThrow()) + ".");
            }
          }
        }
        security |= ChannelCommand.receiveFollowed(session); // followed public channels
        received += messageRequests(session, client, out);
        RequestsCommand.printNotPosted(session);
        if (tell && !follow && received == 0) {
          out.note(chats.isEmpty() ? "No new messages, and no friends yet: add one with 'reschat friend add NICK CARD'."
              : "No new messages.");
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

  /** Requests from people who are not friends, each shown once; a store that cannot be read waits for the next poll. */
  private int messageRequests(Session session, ChatClient client, Output out) throws Exception {
    try {
      List<org.reschat.core.requests.MessageRequests.Request> arrived =
          client.requests().arrived(RequestsCommand.friendCards(session));
      arrived.forEach(r -> RequestsCommand.print(out, r));
      return arrived.size();
    } catch (KvException e) {
      if (!follow) {
        throw e;
      }
      return 0;
    }
  }

  private static List<Chats> friends(Session session) throws Exception {
    List<Chats> out = new java.util.ArrayList<>();
    for (Friend f : session.profile().friends().list()) {
      out.add(new Chats.WithFriend(f));
    }
    return out;
  }

  /** Every group this person is still in, read again each poll: invitations add groups. */
  private static List<Chats> groups(Session session, ChatClient client) throws Exception {
    List<Chats> out = new java.util.ArrayList<>();
    for (Group g : client.groups().list()) {
      if (g.status() == Group.Status.ACTIVE) {
        out.add(new Chats.InGroup(g, session.profile().friends()));
      }
    }
    return out;
  }
}
