package org.reschat.cli.commands;

import org.reschat.cli.BaseCommand;
import org.reschat.cli.ChatPrinter;
import org.reschat.cli.NamedChat;
import org.reschat.cli.People;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Output;
import org.reschat.cli.ProgressDisplay;
import org.reschat.cli.Session;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.localdb.Friend;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "history", mixinStandardHelpOptions = true,
    description = {"Show the conversation with a friend or a group.",
        "By default the newest two pages of each side (up to 40 messages each), verified and",
        "decrypted. Exits 4 if tampering was found (what was verified is still shown).",
        "Replies show what they answer; reactions and edits show under the message, deleted",
        "messages without their text."})
public final class HistoryCommand extends BaseCommand {
  @Parameters(paramLabel = "NICK", description = "The friend or group.")
  String nickname;

  @ArgGroup(exclusive = true)
  Range range;

  static final class Range {
    @Option(names = "--pages", paramLabel = "N", description = "Pages of each side to show (default: the setting pagesAtStart, 2; see reschat config).")
    Integer pages;

    @Option(names = "--all", description = "Everything, down to the first page.")
    boolean all;
  }

  @Option(names = "--since", paramLabel = "WHEN",
      description = {"Only messages sent since then: 2h, 3d, 1w", "(that long ago), today, yesterday, 2026-11-22,",
          "2026-11-22T10:15 or an ISO instant. Reads", "every page unless --pages is given."})
  String since;

  @Option(names = "--edits", description = "Also show the earlier texts of edited messages, in JSON as \"edits\".")
  boolean edits;

  @Option(names = "--ids", description = "Show each message's id, which react, edit, delete and send --reply-to take.")
  boolean ids;

  HistoryCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    NamedChat chat = NamedChat.resolve(session, nickname);
    java.time.Instant from = since == null ? null : parseSince(since, session.context().zone(), session.context().clock());
    int pages = range != null && range.all ? Integer.MAX_VALUE
        : range != null && range.pages != null ? range.pages
        : from != null ? Integer.MAX_VALUE : session.settings().pagesAtStart();
    if (pages < 1) {
      throw new org.reschat.cli.CliException(ExitCodes.USAGE, "--pages must be at least 1.");
    }
    History history;
    try (ProgressDisplay progress = new ProgressDisplay(session.context(), out.json())) {
      history = session.client().history(chat.id(), new HistoryRequest(pages, progress));
    }
    if (from != null) {
      history = new History(history.messages().stream().filter(m -> !m.sentAt().isBefore(from)).toList(),
          history.warnings(), history.hasOlder(), history.pagesLoaded(), history.storeProblem());
    }
    ChatPrinter printer = new ChatPrinter(out, new People(session)).withEdits(edits);
    if (ids) {
      printer = printer.withLabels(id -> java.util.Optional.of("[" + id + "]"));
    }
    return print(out, printer, chat, history, from == null);
  }

  /** {@code 2h}, {@code 30m}, {@code 3d}, {@code 1w}: a while back from now. */
  private static final java.util.regex.Pattern AGO = java.util.regex.Pattern.compile("(\\d{1,6})\\s*(m|min|h|d|w)");

  /**
   * A while back ({@code 2h}, {@code 3d}: hours, days, weeks or minutes before now), {@code today} or
   * {@code yesterday} (local midnight), a date (local midnight), a local date and time, or an instant;
   * anything else is bad input.
   */
  public static java.time.Instant parseSince(String text, java.time.ZoneId zone, java.time.Clock clock)
      throws org.reschat.cli.CliException {
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    java.util.regex.Matcher ago = AGO.matcher(t);
    if (ago.matches()) {
      long n = Long.parseLong(ago.group(1));
      java.time.Duration unit = switch (ago.group(2)) {
        case "m", "min" -> java.time.Duration.ofMinutes(1);
        case "h" -> java.time.Duration.ofHours(1);
        case "d" -> java.time.Duration.ofDays(1);
        default -> java.time.Duration.ofDays(7);
      };
      return clock.instant().minus(unit.multipliedBy(n));
    }
    if (t.equals("today") || t.equals("yesterday")) {
      java.time.LocalDate today = java.time.LocalDate.now(clock.withZone(zone));
      return (t.equals("today") ? today : today.minusDays(1)).atStartOfDay(zone).toInstant();
    }
    try {
      return java.time.LocalDate.parse(t).atStartOfDay(zone).toInstant();
    } catch (java.time.format.DateTimeParseException notADate) {
      try {
        return java.time.LocalDateTime.parse(text.strip()).atZone(zone).toInstant();
      } catch (java.time.format.DateTimeParseException notLocal) {
        try {
          return java.time.OffsetDateTime.parse(text.strip()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
          throw new org.reschat.cli.CliException(ExitCodes.USAGE, "--since " + org.reschat.cli.text.SafeText.line(text)
              + " is not a time; write 2h, 3d, 1w, yesterday, 2026-11-22, 2026-11-22T10:15 or 2026-11-22T10:15:00Z.");
        }
      }
    }
  }

  /**
   * Prints messages and warnings; returns 4 when tampering was found, 5 when the store did not answer
   * (the local copy was printed), else 0.
   */
  static int print(Output out, ChatPrinter printer, NamedChat chat, History history, boolean hintOlder)
      throws Exception {
    String friend = chat.name();
    for (Message m : history.messages()) {
      printer.message(chat, m);
    }
    if (!out.json()) {
      if (history.messages().isEmpty()) {
        out.note("No messages with " + friend + " yet.");
      }
      if (hintOlder && history.hasOlder()) {
        out.note("Older messages exist: 'reschat history " + friend + " --all' shows everything.");
      }
    }
    return reportProblems(out, printer, chat, history);
  }

  /**
   * Prints what went wrong while loading (tampering found, the store not answering) and returns the exit
   * code: 4 for tampering, 5 when only the local copy could be shown, else 0.
   */
  static int reportProblems(Output out, ChatPrinter printer, NamedChat chat, History history) throws Exception {
    boolean security = false;
    for (FeedWarning w : history.warnings()) {
      printer.warning(chat, w);
      security |= w.kind().isSecurityProblem();
    }
    if (history.storeProblem().isPresent()) {
      out.warn("the store did not answer (" + history.storeProblem().get().sentence() + "); this is the copy kept on this computer, "
          + "which may miss the newest messages.");
    }
    return security ? ExitCodes.SECURITY : history.storeProblem().isPresent() ? ExitCodes.STORE : ExitCodes.OK;
  }
}
