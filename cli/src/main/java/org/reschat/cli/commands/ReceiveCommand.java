package org.reschat.cli.commands;

import java.util.EnumMap;
import java.util.Map;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.EventPrinter;
import org.reschat.cli.Output;
import org.reschat.cli.PendingJoins;
import org.reschat.cli.Session;
import org.reschat.config.Setting;
import java.time.Duration;
import org.reschat.core.ChatClient;
import org.reschat.core.Event;
import org.reschat.core.Receiver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "receive", mixinStandardHelpOptions = true,
    description = {"Print what is new since the last receive.",
        "Never the same message twice; also publishes your queued messages and completes the joins an admin "
            + "approved. "
            + "With --follow, keeps watching until Ctrl-C."})
public final class ReceiveCommand extends BaseCommand {
  @Option(names = "--follow", description = "Keep polling for new messages.")
  boolean follow;

  @Option(names = "--interval", paramLabel = "DURATION", description = "Time between polls with --follow (default 2s).")
  String interval;

  @Option(names = "--polls", hidden = true, description = "Stop after this many polls (for tests and scripts).")
  Integer polls;

  @Option(names = "--mentions", description = "Show only messages that mention you (the others are received too: "
      + "'history' shows them).")
  boolean mentions;

  @Option(names = "--exec", paramLabel = "CMD", description = "Run CMD with /bin/sh for each event, the event as one "
      + "JSON object on its standard input and never a message in its command line (setting notify.exec).")
  String exec;

  @Option(names = "--bell", paramLabel = "on|off", description = "Ring the terminal's bell when messages arrive: on (the default) or off.")
  String bell;

  @Option(names = "--desktop", paramLabel = "on|off",
      description = "Desktop notifications through notify-send where it exists: on (the default) or off.")
  String desktop;

  ReceiveCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected Map<Setting, String> settingOverrides() {
    Map<Setting, String> m = new EnumMap<>(Setting.class);
    if (interval != null) {
      m.put(Setting.POLL_INTERVAL, interval);
    }
    if (exec != null) {
      m.put(Setting.NOTIFY_EXEC, exec);
    }
    if (bell != null) {
      m.put(Setting.NOTIFY_BELL, bell);
    }
    if (desktop != null) {
      m.put(Setting.NOTIFY_DESKTOP, desktop);
    }
    return m;
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    ChatClient client = session.client();
    EventPrinter printer = new EventPrinter(session, out);
    try (org.reschat.cli.Notifier notifier = new org.reschat.cli.Notifier(session, session.context().interactive())) {
      Outcome outcome = new Outcome(session, printer, notifier, mentions ? session.card() : null);
      // A join an admin approved completes first, so this pass already receives the group.
      joinApproved(session, outcome);
      return receive(session, client, outcome);
    }
  }

  private int receive(Session session, ChatClient client, Outcome outcome) throws Exception {
    Output out = session.output();
    if (!follow) {
      Receiver.Summary s = client.receiver().receive(Receiver.Scope.everything(), outcome);
      outcome.rethrow();
      DeviceCommand.sayIfMissingSelfEpochs(session); // what the other devices told, it could not read
      // On a terminal, silence would look like a hang: say when nothing came.
      if (session.context().interactive() && !out.json() && outcome.shown == 0) {
        out.note(session.profile().friends().list().isEmpty()
            ? "No new messages, and no friends yet: add one with 'reschat friend add NICK CARD'." : "No new messages.");
      }
      return s.security() ? ExitCodes.SECURITY : s.stillQueued() > 0 ? ExitCodes.QUEUED : ExitCodes.OK;
    }
    Duration every = session.settings().pollInterval();
    // --polls counts passes, so a bounded run reads at the interval even while the store pushes hints.
    Duration whilePushing = polls != null || every.compareTo(Receiver.DEFAULT_PUSH_FALLBACK) > 0 ? every
        : Receiver.DEFAULT_PUSH_FALLBACK;
    try (Receiver.Subscription s = client.receiver().follow(Receiver.Scope.everything(), every, whilePushing, outcome)) {
      boolean told = false;
      long joinsLooked = System.nanoTime();
      while (polls == null || s.passes() < polls) {
        if (System.nanoTime() - joinsLooked > every.toNanos()) {
          joinApproved(session, outcome);
          joinsLooked = System.nanoTime();
        }
        if (s.failure().isPresent()) {
          throw s.failure().get();
        }
        outcome.rethrow();
        if (!told && s.passes() >= 1 && session.context().interactive() && !out.json()) {
          out.note("Waiting for new messages… (Ctrl-C stops)");
          told = true;
        }
        Thread.sleep(20);
      }
    }
    outcome.rethrow();
    return outcome.security ? ExitCodes.SECURITY : outcome.queued ? ExitCodes.QUEUED : ExitCodes.OK;
  }

  /** Completes the joins by link an admin approved, shown as any group joined (see {@link PendingJoins}). */
  private static void joinApproved(Session session, Outcome outcome) throws Exception {
    for (Event.GroupJoined joined : PendingJoins.complete(session)) {
      try {
        outcome.onEvent(joined);
      } catch (IllegalStateException printingFailed) {
        break; // rethrown below as what it was
      }
    }
    outcome.rethrow();
  }

  /**
   * Prints each event, tells the notifier, and keeps what the exit code depends on; a failure to print stops
   * the receive. With {@code onlyMentioning}, messages that do not mention that person are not shown. Called
   * by the following thread and, for joins completed, by the command's: one at a time.
   */
  private static final class Outcome implements Receiver.Listener {
    private final Session session;
    private final EventPrinter printer;
    private final org.reschat.cli.Notifier notifier;
    private final org.reschat.core.identity.PublicCard onlyMentioning;
    int shown;
    boolean security;
    boolean queued;
    private volatile Exception failure;

    Outcome(Session session, EventPrinter printer, org.reschat.cli.Notifier notifier,
        org.reschat.core.identity.PublicCard onlyMentioning) {
      this.session = session;
      this.printer = printer;
      this.notifier = notifier;
      this.onlyMentioning = onlyMentioning;
    }

    @Override
    public synchronized void onEvent(Event e) {
      if (failure != null) {
        throw new IllegalStateException("printing failed", failure);
      }
      if (org.reschat.cli.SelfSync.onEvent(session, e, session.output()::note)) {
        return; // a change from another device of this identity (§15.6), made here too
      }
      if (onlyMentioning != null && e instanceof Event.MessageReceived
          && !(((Event.MessageReceived) e).message().content() instanceof org.reschat.core.Content.Text t
              && t.mentions(onlyMentioning))) {
        return; // received, not shown: --mentions
      }
      try {
        printer.print(e);
        if (notifier.active()) {
          notifier.event(e, e.chat().map(c -> printer.nameOf(c)).orElse("reschat"), printer.json(e));
        }
      } catch (Exception ex) {
        failure = ex;
        throw new IllegalStateException(ex.getMessage(), ex); // the chat is not marked delivered
      }
      if (e instanceof Event.MessageReceived || e instanceof Event.MessageRequested || e instanceof Event.ChannelPosted
          || e instanceof Event.JoinRequested || e instanceof Event.GroupJoined) {
        shown++;
      }
      security |= e instanceof Event.Warning && ((Event.Warning) e).warning().kind().isSecurityProblem()
          || e instanceof Event.ChannelProblem;
      if (e instanceof Event.StillQueued) {
        queued = true;
      } else if (e instanceof Event.Published) {
        queued = false;
      }
    }

    void rethrow() throws Exception {
      if (failure != null) {
        throw failure;
      }
    }
  }
}
