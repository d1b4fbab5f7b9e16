package org.reschat.cli.interactive;

import org.reschat.cli.text.SafeText;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.Status;
import org.reschat.cli.LedgerWatch;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.identity.SafetyNumber;
import org.reschat.kv.ChangeWaiter;
import org.reschat.kv.KvException;
import org.reschat.localdb.Friend;

/**
 * The chat view: the conversation so far, a prompt to type into, new messages appearing above the
 * prompt while you type (polled in the background), and a status line with the store and the outbox.
 */
public final class ChatView {
  static final String HELP = String.join("\n",
      "Type a message and press Enter to send it. Commands:",
      "  /older   load the previous page of the conversation",
      "  /update  look for new messages now (it also happens every few seconds)",
      "  /verify  show the safety number to compare with your friend",
      "  /download ID [PATH]  save a file shown in the chat (in the current directory by default), verified",
      "  /help    this help",
      "  /back    leave the chat (Ctrl-D works too)");

  private final Session session;
  private final Terminal terminal;
  private final Friend friend;
  private final Output out;
  private final Set<String> shown = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean storeDown = new AtomicBoolean();
  private LineReader reader;
  private Status status;
  private int pages;

  public ChatView(Session session, Terminal terminal, Friend friend) {
    this.session = session;
    this.terminal = terminal;
    this.friend = friend;
    this.out = session.output();
  }

  /** Runs until the person leaves the chat. */
  public int run() throws Exception {
    reader = LineReaderBuilder.builder().terminal(terminal).appName("reschat")
        .completer(new StringsCompleter("/older", "/update", "/verify", "/download", "/help", "/back")).build();
    ChatClient client = session.client();
    pages = session.settings().pagesAtStart();
    println(out.paint("1", "Chat with " + friend.nickname()) + (friend.verified() ? "" : out.paint("33", " (not verified: /verify)"))
        + " — /help for commands, /back to leave.");
    History history = client.history(friend.card(), HistoryRequest.newest(pages));
    if (history.hasOlder()) {
      println(out.paint("2", "(older messages: /older)"));
    }
    for (Message m : history.messages()) {
      shown.add(m.id());
      println(out.format(m, friend.nickname()));
    }
    history.warnings().forEach(this::printWarning);
    status = statusLine();
    updateStatus();

    Thread poller = new Thread(this::poll, "reschat-chat-poller");
    poller.setDaemon(true);
    poller.start();
    try {
      while (true) {
        String line;
        try {
          line = reader.readLine(out.paint("32", "me") + "> ");
        } catch (UserInterruptException | EndOfFileException e) {
          return 0;
        }
        String text = line.strip();
        if (text.isEmpty()) {
          continue;
        }
        if (text.startsWith("/")) {
          if (!command(text, client)) {
            return 0;
          }
        } else {
          send(client, line);
        }
        updateStatus();
      }
    } finally {
      poller.interrupt();
      closeStatus();
    }
  }

  /**
   * Fetches a file shown in this chat ({@code ID [PATH]}) into PATH or the current directory; failures are one
   * line, the chat goes on.
   */
  private void download(String args) throws Exception {
    String[] parts = args.split("\\s+", 2);
    String id = parts[0];
    java.nio.file.Path target = parts.length > 1 ? java.nio.file.Path.of(parts[1]) : null;
    try {
      java.util.Optional<Message> m = org.reschat.cli.commands.FileMessages.find(
          org.reschat.cli.commands.FileMessages.history(session, new org.reschat.cli.Chats.WithFriend(friend)), id);
      if (m.isEmpty()) {
        println("No file " + SafeText.line(id) + " in this chat.");
        return;
      }
      java.nio.file.Path saved = org.reschat.cli.commands.FileMessages.download(session, friend.nickname(), m.get(), target, false);
      println("Saved as " + SafeText.line(saved.toString()) + " (every chunk verified).");
    } catch (org.reschat.cli.CliException | org.reschat.core.files.FileCheckException | org.reschat.kv.KvException e) {
      println(SafeText.line(e.getMessage()));
    }
  }

  /** Runs a slash command; false when the person leaves. */
  private boolean command(String text, ChatClient client) throws Exception {
    if (text.startsWith("/download ")) {
      download(text.substring("/download ".length()).strip());
      return true;
    }
    switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "/back":
      case "/quit":
      case "/exit":
        return false;
      case "/help":
        println(HELP);
        return true;
      case "/verify":
        println("Safety number with " + friend.nickname() + ": " + SafetyNumber.between(session.card(), friend.card()));
        println("Compare it with " + friend.nickname() + "; if it matches, run 'reschat friend verify "
            + friend.nickname() + " --mark'.");
        return true;
      case "/update":
        pollOnce(client, true);
        return true;
      case "/older":
        pages++;
        History older = client.history(friend.card(), HistoryRequest.newest(pages));
        List<Message> fresh = new ArrayList<>();
        for (Message m : older.messages()) {
          if (shown.add(m.id())) {
            fresh.add(m);
          }
        }
        println(out.paint("2", fresh.isEmpty() ? "(no older messages)" : "— " + fresh.size() + " older messages —"));
        fresh.forEach(m -> println(out.format(m, friend.nickname())));
        if (!older.hasOlder() && !fresh.isEmpty()) {
          println(out.paint("2", "(that is the beginning of the conversation)"));
        }
        return true;
      default:
        println("Unknown command " + text + ". /help lists the commands.");
        return true;
    }
  }

  private void send(ChatClient client, String text) {
    try {
      SendResult r = client.send(friend.card(), text);
      shown.add(r.message().id());
      println(out.format(r.message(), friend.nickname()));
      if (!r.confirmed()) {
        println(out.paint("33", "Queued, not yet on the store: " + SafeText.line(r.problem().orElse("not confirmed"))
            + " It will be sent automatically."));
      }
    } catch (Exception e) {
      println(out.paint("31", "Not sent: " + SafeText.line(e.getMessage())));
    }
  }

  private void poll() {
    try {
      java.time.Duration interval = session.settings().pollInterval();
      ChatClient client = session.client();
      try (ChangeWaiter waiter = LedgerWatch.open(session)) {
        while (!Thread.currentThread().isInterrupted()) {
          waiter.await(interval); // returns early when the store hints at a change
          pollOnce(client, false);
          updateStatus();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      reader.printAbove("reschat: stopped looking for new messages: " + SafeText.line(e.getMessage()));
    }
  }

  private void pollOnce(ChatClient client, boolean sayNothingNew) throws Exception {
    Update u;
    try {
      u = client.update(friend.card());
    } catch (KvException e) {
      if (!storeDown.getAndSet(true) || sayNothingNew) {
        printAbove(out.paint("33", "The store is not answering (" + SafeText.line(e.getMessage()) + "); still trying."));
      }
      return;
    }
    if (storeDown.getAndSet(false)) {
      printAbove(out.paint("32", "The store answers again."));
    }
    int fresh = 0;
    for (Message m : u.received()) {
      if (shown.add(m.id())) {
        printAbove(out.format(m, friend.nickname()));
        fresh++;
      }
    }
    if (u.published() > 0) {
      printAbove(out.paint("32", u.published() + " queued message(s) are now on the store."));
    }
    u.warnings().forEach(this::printWarning);
    if (sayNothingNew && fresh == 0) {
      printAbove(out.paint("2", "(nothing new)"));
    }
  }

  private void printWarning(FeedWarning w) {
    printAbove(out.paint("31", (w.kind().isSecurityProblem() ? "Security warning: " : "Note: ")
        + (w.ownFeed() ? "your" : friend.nickname() + "'s") + " page " + w.page() + ": " + SafeText.line(w.detail())));
  }

  private Status statusLine() {
    try {
      Status s = Status.getStatus(terminal);
      return s;
    } catch (RuntimeException e) {
      return null; // a terminal without a status line
    }
  }

  /** Removes the status line, so the menu does not print over what is left of it. */
  private synchronized void closeStatus() {
    if (status != null) {
      status.update(List.of());
      status.close();
      status = null;
    }
  }

  private synchronized void updateStatus() { // called by the poller and the prompt thread
    if (status == null) {
      return;
    }
    try {
      int queued = session.client().pending(friend.card());
      String text = "reschat · " + friend.nickname() + " · " + session.store().describe() + " · outbox: "
          + (queued == 0 ? "empty" : queued + " queued") + (storeDown.get() ? " · store not answering" : "");
      status.update(List.of(new AttributedString(text)));
    } catch (Exception e) {
      // The status line is a convenience; failures show up where the work is done.
    }
  }

  private void println(String text) {
    terminal.writer().println(text);
    terminal.writer().flush();
  }

  private void printAbove(String text) {
    reader.printAbove(text);
  }
}
