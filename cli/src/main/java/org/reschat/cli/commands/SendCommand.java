package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Json;
import org.reschat.cli.NamedChat;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.core.ChatClient;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.SendResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "send", mixinStandardHelpOptions = true,
    description = {"Send a message to a friend or a group.",
        "Without TEXT (or with -), the message is read from standard input. Exits 0 once the",
        "store has confirmed it, 6 when it is queued in the outbox instead (the next send or",
        "receive publishes it). With --file, sends a file (see 'reschat files' and 'reschat download').",
        "In a group, @nickname (a friend who is a member) or @ and the start of a member's fingerprint",
        "mentions them: resolved now, to their fingerprint, and highlighted for them."})
public final class SendCommand extends BaseCommand {
  /** Standard input read for one send is capped, so a runaway pipe cannot fill memory. */
  private static final int MAX_STDIN = 16 * 1024 * 1024;

  @Parameters(index = "0", paramLabel = "NICK", description = "The friend or group to send to.")
  String nickname;

  @Parameters(index = "1..*", arity = "0..*", paramLabel = "TEXT", description = "The message; words are joined by spaces.")
  List<String> words = new ArrayList<>();

  @Option(names = "--lines", description = "Send each non-empty line as its own message.")
  boolean lines;

  @Option(names = "--file", paramLabel = "PATH", description = "Send this file (up to 100 MiB), encrypted; an interrupted send resumes when run again.")
  java.nio.file.Path file;

  @Option(names = "--caption", paramLabel = "TEXT", description = "Text sent with --file.")
  String caption;

  @Option(names = "--reply-to", paramLabel = "ID",
      description = "Answer message ID of this chat (its id, or the start of it: 'history --ids' shows them).")
  String replyTo;

  SendCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    // A friend is found without the passphrase; a group only once the text is known to be sendable.
    java.util.Optional<NamedChat> friend = NamedChat.friend(session, nickname);
    if (file != null) {
      if (replyTo != null) {
        throw new CliException(ExitCodes.USAGE, "--reply-to answers with a text, not a file.");
      }
      if (!words.isEmpty() || lines) {
        throw new CliException(ExitCodes.USAGE, "With --file, give the text as --caption.");
      }
      NamedChat chat = friend.isPresent() ? friend.get() : NamedChat.resolve(session, nickname);
      return FileMessages.send(session, chat, file, caption == null ? "" : caption);
    }
    if (caption != null) {
      throw new CliException(ExitCodes.USAGE, "--caption goes with --file.");
    }
    if (replyTo != null && lines) {
      throw new CliException(ExitCodes.USAGE, "--reply-to answers with one message; drop --lines.");
    }
    String text;
    if (words.isEmpty() || words.equals(List.of("-"))) {
      if (session.context().interactive()) {
        out.note("Type the message, then press Ctrl-D on a new line.");
      }
      text = readAll(session.context().in());
    } else {
      text = String.join(" ", words);
    }
    List<String> messages = new ArrayList<>();
    List<Integer> lineNumbers = new ArrayList<>(); // with --lines, where each message was in the input
    if (lines) {
      List<String> all = text.lines().toList();
      for (int i = 0; i < all.size(); i++) {
        if (!all.get(i).isBlank()) {
          messages.add(all.get(i));
          lineNumbers.add(i + 1);
        }
      }
    } else {
      messages.add(text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
          : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
    }
    if (messages.isEmpty() || messages.stream().allMatch(String::isBlank)) {
      throw new InvalidMessageException("The message is empty; there is nothing to send.");
    }
    // Every message is checked before the passphrase is asked and before anything is sent: a bad line in
    // the middle of --lines must not leave the lines before it sent and the ones after it dropped.
    for (int i = 0; i < messages.size(); i++) {
      try {
        ChatClient.checkText(messages.get(i));
      } catch (InvalidMessageException e) {
        throw lines ? new InvalidMessageException("Line " + lineNumbers.get(i) + ": "
            + e.getMessage() + " Nothing was sent.") : e;
      }
    }
    NamedChat chat = friend.isPresent() ? friend.get() : NamedChat.resolve(session, nickname);
    ChatClient client = session.client();
    java.util.Optional<String> answering = replyTo == null ? java.util.Optional.empty()
        : java.util.Optional.of(MessageIds.resolve(session, chat, replyTo));
    boolean queued = false;
    InFlight sending = new InFlight();
    int[] waitingBefore = {client.pending(chat.id())};
    try (AutoCloseable ctrlC = session.context().interrupts(out.json()).whileRunning(
        () -> interrupted(client, chat, sending.stopAndSettle(), messages.size(), waitingBefore[0]))) {
      for (String message : messages) {
        waitingBefore[0] = client.pending(chat.id());
        org.reschat.core.Draft draft = org.reschat.core.Draft.of(message).mentioning(mentions(session, chat, message));
        sending.begin();
        SendResult r = client.send(chat.id(), answering.isPresent() ? draft.replyingTo(answering.get()) : draft);
        sending.end();
        queued |= !report(session, chat, r, "Sent to " + org.reschat.cli.text.SafeText.line(chat.name()) + ".");
      }
    }
    RequestsCommand.printNotPosted(session);
    return queued ? ExitCodes.QUEUED : ExitCodes.OK;
  }

  /**
   * Prints what became of one message sent (the {@code sent} object with --json; {@code confirmedNote}, or
   * the queue warning); true when the store confirmed it.
   */
  static boolean report(Session session, NamedChat chat, SendResult r, String confirmedNote) {
    Output out = session.output();
    if (out.json()) {
      JsonObject o = Json.object("sent");
      o.addProperty("friend", chat.name());
      o.addProperty("id", r.message().id());
      o.addProperty("status", r.message().status().name().toLowerCase(Locale.ROOT));
      o.addProperty("sent_at", r.message().sentAt().toString());
      o.addProperty("pending", r.pending());
      o.addProperty("problem", r.problem().map(org.reschat.core.Problem::sentence).orElse(null));
      o.addProperty("problem_kind", r.problem().map(q -> q.kind().name().toLowerCase(Locale.ROOT)).orElse(null));
      out.json(o);
    } else if (r.confirmed()) {
      out.note(confirmedNote);
    } else {
      out.warn("queued for " + chat.name() + ", not sent: " + r.problem().map(org.reschat.core.Problem::sentence).orElse("the store did not confirm it.")
          + " " + r.pending() + " message(s) wait in the outbox; the next 'reschat send' or 'reschat receive' publishes them.");
    }
    return r.confirmed();
  }

  /** "@" and a word at the start or after a space: a mention when the word names a member of the group. */
  private static final java.util.regex.Pattern MENTION = java.util.regex.Pattern.compile("(?<![^\\s])@([\\p{L}\\p{N}._-]{1,64})");

  /**
   * The members a text mentions in a group, resolved now, at send time, to their cards: {@code @nickname} of a
   * friend who is a member, or {@code @} and the start of a member's fingerprint (4 hex digits or more, one
   * member only). Anything else after an @ is just text (an address, a name this profile does not know).
   */
  public static List<org.reschat.core.identity.PublicCard> mentions(Session session, NamedChat chat, String text) throws Exception {
    if (!chat.isGroup() || text.indexOf('@') < 0) {
      return List.of();
    }
    List<org.reschat.core.identity.PublicCard> members = session.client().groups().info((org.reschat.core.ChatId.Group) chat.id())
        .map(org.reschat.core.GroupInfo::members).orElse(List.of());
    java.util.LinkedHashSet<org.reschat.core.identity.PublicCard> found = new java.util.LinkedHashSet<>();
    java.util.regex.Matcher m = MENTION.matcher(text);
    while (m.find() && found.size() < 16) {
      String word = m.group(1);
      java.util.Optional<org.reschat.core.identity.PublicCard> friend = session.profile().friends().find(word)
          .map(org.reschat.localdb.Friend::card).filter(members::contains);
      if (friend.isPresent()) {
        found.add(friend.get());
        continue;
      }
      String hex = word.toLowerCase(Locale.ROOT);
      if (hex.matches("[0-9a-f]{4,64}")) {
        List<org.reschat.core.identity.PublicCard> match = members.stream()
            .filter(c -> c.fingerprintText().replace(" ", "").startsWith(hex)).toList();
        if (match.size() == 1) {
          found.add(match.get(0));
        }
      }
    }
    found.remove(session.card());
    return List.copyOf(found);
  }

  /**
   * The sends of one command as Ctrl-C sees them: how many ended, and whether one is under way. On a store whose
   * writes are local transactions a page is written before it is queued, so a send caught in its commit sends its
   * message without queueing it: Ctrl-C lets it end (a moment: a commit, or the wait for a lock that never came,
   * after which nothing was written), and no send begins after Ctrl-C, so what it says is what happened.
   */
  static final class InFlight {
    private static final long SETTLE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    private final long settleNanos;
    private int done;
    private boolean running;
    private boolean stopped;

    InFlight() {
      this(SETTLE_NANOS);
    }

    /** {@code settleNanos}: how long Ctrl-C waits for the send under way (a test gives it long enough for any load). */
    InFlight(long settleNanos) {
      this.settleNanos = settleNanos;
    }

    synchronized void begin() throws InterruptedException {
      while (stopped) {
        wait(); // Ctrl-C came: the signal's thread ends the process
      }
      running = true;
    }

    synchronized void end() {
      running = false;
      done++;
      notifyAll();
    }

    /** Lets no send begin, waits a moment for the one under way to end, and returns how many ended. */
    synchronized int stopAndSettle() {
      stopped = true;
      long deadline = System.nanoTime() + settleNanos;
      long left;
      while (running && (left = deadline - System.nanoTime()) > 0) {
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      return done;
    }
  }

  /**
   * What Ctrl-C in the middle of a send leaves: the message being sent is in the outbox once the client has
   * put it there (then it is published later), or it was written, or it was not sent at all. Asked on the signal's thread while
   * the send may still run, so it only reads, and gives up after a moment.
   */
  private static String interrupted(ChatClient client, NamedChat chat, int done, int total, int waitingBefore) {
    String to = org.reschat.cli.text.SafeText.line(chat.name());
    if (done >= total) {
      return "Interrupted: " + (total == 1 ? "the message was" : "all " + total + " messages were") + " sent to " + to + ".";
    }
    String before = total == 1 ? "" : done + " of " + total + " messages to " + to + " were sent; ";
    String after = total - done > 1 ? " The " + (total - done - 1) + " after it were not sent." : "";
    Integer waiting;
    try {
      waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return client.pending(chat.id());
        } catch (Exception e) {
          return null;
        }
      }).get(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      waiting = null;
    }
    if (waiting == null) {
      return "Interrupted: " + before + "the message being sent may be kept in the outbox; if so, the next 'reschat"
          + " send' or 'reschat receive' publishes it." + after;
    }
    if (waiting > waitingBefore) {
      return "Interrupted: " + before + "the message " + (total == 1 ? "" : "being sent ") + "to " + to + " is kept in"
          + " the outbox, and the next 'reschat send' or 'reschat receive' publishes it." + after;
    }
    return "Interrupted: " + before + (total == 1 ? "nothing was sent." : "the rest were not sent.");
  }

  private static String readAll(InputStream in) throws IOException, CliException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    int n;
    while ((n = in.read(chunk)) > 0) {
      buffer.write(chunk, 0, n);
      if (buffer.size() > MAX_STDIN) {
        throw new CliException(ExitCodes.USAGE, "Standard input is over 16 MiB; a message is at most 16 KiB.");
      }
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
