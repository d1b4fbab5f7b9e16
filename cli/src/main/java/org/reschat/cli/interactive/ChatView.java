package org.reschat.cli.interactive;

import org.reschat.cli.text.SafeText;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.Status;
import org.reschat.cli.ChatPrinter;
import org.reschat.cli.NamedChat;
import org.reschat.cli.People;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.Receiver;
import org.reschat.core.identity.SafetyNumber;
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
      "  In a group: /members (who, admins, fingerprints), /approve FP and /deny FP (a request to join, admins),",
      "  /leave (leave the group)",
      Relating.HELP,
      "  /help    this help",
      "  /back    leave the chat (Ctrl-D works too)",
      "A message that starts with / is sent by typing it twice: //etc/hosts sends /etc/hosts.");

  private final Session session;
  private final Terminal terminal;
  private final NamedChat chat;
  /** The friend of a 1:1 chat; null in a group. */
  private final Friend friend;
  private final Output out;
  private final ChatPrinter printer;
  /** Message numbers and /reply, /react, /edit, /delete (kept in their own class). */
  private final Relating relating;
  private org.reschat.cli.Notifier notifier;
  private final Set<String> shown = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean storeDown = new AtomicBoolean();
  /** Sends run here, in order, so the prompt stays usable while the store confirms a slow one. */
  private final java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "reschat-chat-send");
    t.setDaemon(true);
    return t;
  });
  private final java.util.concurrent.atomic.AtomicInteger sending = new java.util.concurrent.atomic.AtomicInteger();
  /** Held while a send runs and while a received message is printed, so none is printed twice. */
  private final Object ownMessages = new Object();
  private LineReader reader;
  private Status status;
  private int pages;

  public ChatView(Session session, Terminal terminal, Friend friend) throws Exception {
    this(session, terminal, NamedChat.of(friend));
  }

  /** The chat view of a friend or of a group. */
  public ChatView(Session session, Terminal terminal, NamedChat chat) throws Exception {
    this.session = session;
    this.terminal = terminal;
    this.chat = chat;
    this.friend = chat.isGroup() ? null : session.profile().friends().list().stream()
        .filter(f -> ChatId.direct(f.card()).equals(chat.id())).findFirst().orElse(null);
    this.out = session.output();
    this.relating = new Relating(session, chat);
    this.printer = ChatPrinter.forChatView(out, new People(session)).withLabels(relating::label);
  }

  /** A message as the view shows it, numbered first so commands can name it. */
  private String line(Message m) throws Exception {
    relating.shown(m);
    return printer.line(chat, m);
  }

  /** Runs until the person leaves the chat. */
  public int run() throws Exception {
    // On a window change JLine resizes its display and the status line, but what is above the prompt was
    // drawn for the old width (terminals cut, wrap or move it each their own way): the view is drawn again,
    // from what it printed, so nothing is left over (see repaint).
    org.jline.reader.impl.LineReaderImpl lineReader = new org.jline.reader.impl.LineReaderImpl(terminal, "reschat") {
      @Override
      protected synchronized void handleSignal(Terminal.Signal signal) {
        super.handleSignal(signal);
        if (signal == Terminal.Signal.WINCH) {
          repaint(this);
        }
      }
    };
    lineReader.setCompleter(new StringsCompleter(friend != null
        ? List.of("/older", "/update", "/verify", "/download", "/reply", "/react", "/edit", "/delete", "/help", "/back")
        : List.of("/older", "/update", "/members", "/approve", "/deny", "/leave", "/download", "/reply", "/react", "/edit",
            "/delete", "/help", "/back")));
    reader = lineReader;
    // Keys typed while the view is busy (a slow command, the store) wait for the prompt instead of being
    // echoed raw by the terminal wherever the cursor is: the terminal stays in raw mode until the view ends.
    org.jline.terminal.Attributes cooked = terminal.enterRawMode();
    Terminal.SignalHandler previousWinch = terminal.handle(Terminal.Signal.WINCH, signal -> repaint(null));
    ChatClient client = session.client();
    pages = session.settings().pagesAtStart();
    println((friend != null ? out.paint("1", "Chat with " + friend.nickname())
        + (friend.verified() ? "" : out.paint("33", " (not verified: /verify)"))
        : out.paint("1", "Group " + SafeText.line(chat.name())) + " (" + group().members().size() + " members: /members)")
        + " — /help for commands, /back to leave.");
    History history = client.history(chat.id(), HistoryRequest.newest(pages));
    if (history.hasOlder()) {
      println(out.paint("2", "(older messages: /older)"));
    }
    for (Message m : history.messages()) {
      shown.add(m.id());
      println(line(m));
      openedAt = m.sentAt();
    }
    history.warnings().forEach(this::printWarning);
    relating.refreshSeen();
    notifier = new org.reschat.cli.Notifier(session, true);
    status = statusLine();
    updateStatus();

    // New messages arrive from the chat engine, on its thread, for this chat only (others stay unread).
    java.time.Duration interval = session.settings().pollInterval();
    Receiver.Subscription poller = client.receiver().follow(Receiver.Scope.only(chat.id()), interval,
        interval.compareTo(Receiver.DEFAULT_PUSH_FALLBACK) > 0 ? interval : Receiver.DEFAULT_PUSH_FALLBACK,
        e -> show(e, false));
    String draft = DRAFTS.remove(chat.id());
    if (draft != null) {
      printAbove(out.paint("2", "(what you were typing before is back in the prompt)"));
    }
    try {
      while (true) {
        String line;
        try {
          String prompt = out.paint("32", "me") + "> ";
          line = reader.readLine(prompt, null, (org.jline.reader.MaskingCallback) null, draft);
          draft = null;
          eraseTyped(prompt, line);
        } catch (EndOfFileException e) {
          return 0;
        } catch (UserInterruptException e) {
          // Ctrl-C never drops a half-typed message: the first keeps it in the prompt, a second leaves with it
          // kept as a draft for when this chat is opened again (from the menu).
          String partial = e.getPartialLine();
          if (partial == null || partial.isBlank()) {
            return 0;
          }
          if (partial.equals(draft)) {
            DRAFTS.put(chat.id(), partial);
            println(out.paint("2", "Left the chat; what you were typing is kept as a draft for when you come back."));
            return 0;
          }
          draft = partial;
          printAbove(out.paint("2", "(Ctrl-C again leaves, keeping what you typed as a draft; Enter sends it)"));
          continue;
        }
        String text = line.strip();
        if (text.isEmpty()) {
          continue;
        }
        if (text.startsWith("//")) {
          send(client, line.substring(line.indexOf('/') + 1)); // "//x" sends "/x"
        } else if (text.startsWith("/")) {
          if (!command(text, client)) {
            return 0;
          }
        } else {
          send(client, line);
        }
        updateStatus();
      }
    } finally {
      poller.close();
      poller.failure().ifPresent(e -> println("reschat: stopped looking for new messages: " + SafeText.line(e.getMessage())));
      finishSends();
      notifier.close();
      terminal.handle(Terminal.Signal.WINCH, previousWinch);
      closeStatus();
      terminal.setAttributes(cooked);
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
          org.reschat.cli.commands.FileMessages.history(session, chat), id);
      if (m.isEmpty()) {
        println("No file " + SafeText.line(id) + " in this chat.");
        return;
      }
      java.nio.file.Path saved = org.reschat.cli.commands.FileMessages.download(session, chat.name(), m.get(), target, false);
      println("Saved as " + SafeText.line(saved.toString()) + " (every chunk verified).");
    } catch (org.reschat.cli.CliException | org.reschat.core.FileCheckException | org.reschat.kv.KvException e) {
      println(SafeText.line(e.getMessage()));
    }
  }

  /** Lets sends still running finish before the view closes: a message typed is a message sent or queued. */
  private void finishSends() {
    sender.shutdown();
    if (sending.get() > 0) {
      println(out.paint("2", "Finishing " + sending.get() + " send(s)…"));
    }
    try {
      while (!sender.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS)) {
        // the store's timeouts bound each send
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs a slash command; false when the person leaves. */
  private boolean command(String text, ChatClient client) throws Exception {
    if (relating.command(text, this::ask, this::printAbove, this::sentHere)) {
      return true;
    }
    if (friend == null && (text.startsWith("/approve ") || text.startsWith("/deny "))) {
      String[] parts = text.split("\\s+", 2);
      try {
        answer(parts[0], parts[1].strip());
      } catch (org.reschat.core.GroupException | org.reschat.kv.KvException e) {
        println(SafeText.line(e.getMessage()));
      }
      return true;
    }
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
      case "/members":
        if (friend == null) {
          showMembers();
        } else {
          println("Unknown command " + text + " in a chat with one friend. /help lists the commands.");
        }
        return true;
      case "/leave":
        if (friend == null) {
          session.client().groups().leave(group().id());
          println("You left \"" + SafeText.line(chat.name()) + "\".");
          return false;
        }
        println("Unknown command " + text + " in a chat with one friend; /back leaves the chat.");
        return true;
      case "/verify":
        if (friend == null) {
          println("A group has no single safety number: /members lists each member's fingerprint to compare.");
          return true;
        }
        println("Safety number with " + friend.nickname() + ": " + SafetyNumber.between(session.card(), friend.card()));
        // Read again: the friend may have been marked in another terminal since the view opened.
        boolean verified = session.profile().friends().get(friend.nickname()).verified();
        println(verified ? friend.nickname() + " is marked as verified: you compared this number before."
            : "Compare it with " + friend.nickname() + "; if it matches, run 'reschat friend verify "
            + friend.nickname() + " --mark'.");
        return true;
      case "/update":
        shownNow = 0;
        client.receiver().receive(Receiver.Scope.only(chat.id()), e -> show(e, true));
        if (shownNow == 0) {
          printAbove(out.paint("2", "(nothing new)"));
        }
        return true;
      case "/older":
        pages++;
        History older = client.history(chat.id(), HistoryRequest.newest(pages));
        List<Message> fresh = new ArrayList<>();
        for (Message m : older.messages()) {
          if (shown.add(m.id())) {
            fresh.add(m);
          }
        }
        println(out.paint("2", fresh.isEmpty() ? "(no older messages)" : "— " + fresh.size() + " older messages —"));
        for (Message m : fresh) {
          println(line(m));
        }
        if (!older.hasOlder() && !fresh.isEmpty()) {
          println(out.paint("2", "(that is the beginning of the conversation)"));
        }
        return true;
      default:
        println("Unknown command " + text + ". /help lists the commands.");
        return true;
    }
  }

  /** Shows what a /reply, /react, /edit or /delete sent, as a send shows its message. */
  private void sentHere(SendResult r) {
    synchronized (ownMessages) {
      shown.add(r.message().id());
    }
    try {
      printAbove(line(r.message()));
    } catch (Exception e) {
      printAbove("reschat: " + SafeText.line(e.getMessage()));
    }
    if (!r.confirmed()) {
      printAbove(out.paint("33", "Queued, not yet on the store: " + SafeText.line(r.problem().map(org.reschat.core.Problem::sentence)
          .orElse("not confirmed")) + " It will be sent automatically."));
    }
  }

  /** Reads one line with {@code initial} already typed in; null when the person gives up (Ctrl-C, Ctrl-D). */
  private String ask(String prompt, String initial) {
    try {
      return reader.readLine(prompt, null, initial);
    } catch (UserInterruptException | EndOfFileException e) {
      return null;
    }
  }

  /** Sends in the background: the prompt comes back at once, "sending…" shows until the store answers. */
  private void send(ChatClient client, String text) {
    sending.incrementAndGet();
    updateStatus();
    if (!statusShown()) { // the status line says it where there is one
      printAbove(out.paint("2", "sending…"));
    }
    sender.execute(() -> {
      try {
        SendResult r;
        synchronized (ownMessages) {
          r = client.send(chat.id(), text);
          shown.add(r.message().id());
        }
        printAbove(line(r.message()));
        relating.refreshSeen();
        if (!r.confirmed()) {
          printAbove(out.paint("33", "Queued, not yet on the store: " + SafeText.line(r.problem().map(org.reschat.core.Problem::sentence).orElse("not confirmed"))
              + " It will be sent automatically."));
        }
      } catch (Exception e) {
        printAbove(out.paint("31", "Not sent: " + SafeText.line(e.getMessage())));
      } finally {
        sending.decrementAndGet();
        updateStatus();
      }
    });
  }

  /**
   * The newest message shown when the view opened: older ones never received before are history, which
   * /older shows, not news to print below it.
   */
  private volatile java.time.Instant openedAt = java.time.Instant.MIN;

  /** How many events the current /update showed. */
  private volatile int shownNow;

  /** Shows one event of this chat from the engine: a new message (once), a warning, the store's state. */
  private void show(Event e, boolean asked) {
    try {
      if (org.reschat.cli.SelfSync.onEvent(session, e, text -> printAbove(out.paint("2", SafeText.line(text))))) {
        return; // a change from another device of this identity (§15.6), made here too
      }
      if (e instanceof Event.MessageReceived) {
        Message m = ((Event.MessageReceived) e).message();
        synchronized (ownMessages) {
          if (m.sentAt().isBefore(openedAt) || !shown.add(m.id())) {
            return;
          }
        }
        storeDown.set(false);
        printAbove(line(m));
        relating.refreshSeen(); // their page says how far they read
        notifier.event(e, chat.name(), notifier.active() ? java.util.Optional.of(printer.json(chat, m)) : java.util.Optional.empty());
      } else if (e instanceof Event.Warning) {
        printWarning(((Event.Warning) e).warning());
      } else if (e instanceof Event.Published) {
        storeDown.set(false);
        printAbove(out.paint("32", ((Event.Published) e).count() + " queued message(s) are now on the store."));
      } else if (e instanceof Event.StoreUnreachable) {
        if (!storeDown.getAndSet(true) || asked) {
          printAbove(out.paint("33", "The store is not answering ("
              + SafeText.line(((Event.StoreUnreachable) e).cause().getMessage()) + "); still trying."));
        }
      } else if (e instanceof Event.JoinRequested) {
        org.reschat.core.Groups.JoinRequest r = ((Event.JoinRequested) e).request();
        String fp = org.reschat.cli.Fingerprints.shortForm(r.card());
        printAbove(out.paint("33", SafeText.line(r.name()) + " (fingerprint " + r.card().fingerprintText()
            + ") asks to join: /approve " + fp + " or /deny " + fp));
      } else if (e instanceof Event.RemovedFromGroup) {
        Event.RemovedFromGroup r = (Event.RemovedFromGroup) e;
        printAbove(out.paint("31", "You were removed from \"" + SafeText.line(r.name()) + "\" by "
            + (r.by() == null ? "an admin" : SafeText.line(printer.people().nameOf(r.by()))) + "."));
      } else {
        return;
      }
      shownNow++;
    } catch (Exception ex) {
      printAbove("reschat: " + SafeText.line(ex.getMessage()));
    } finally {
      updateStatus();
    }
  }

  private void printWarning(FeedWarning w) {
    String whose;
    try {
      whose = w.ownFeed() ? "your" : (friend != null ? friend.nickname() : printer.people().nameOf(w.writer())) + "'s";
    } catch (Exception e) {
      whose = "a member's";
    }
    printAbove(out.paint("31", (w.kind().isSecurityProblem() ? "Security warning: " : "Note: ")
        + whose + " page " + w.page() + ": " + SafeText.line(w.detail(printer.people().namer()))));
  }

  /** The group as this profile knows it now (membership changes arrive with each poll). */
  private org.reschat.core.GroupInfo group() throws Exception {
    return session.client().groups().info((ChatId.Group) chat.id()).orElseThrow(() ->
        new org.reschat.core.GroupException(org.reschat.core.GroupException.Reason.NOT_A_MEMBER, "You are not in that group."));
  }

  private void showMembers() throws Exception {
    org.reschat.core.GroupInfo g = group();
    for (org.reschat.core.identity.PublicCard m : g.members()) {
      String who = m.equals(session.card()) ? "me" : printer.people().nameOf(m);
      println("  " + SafeText.line(who) + (g.isAdmin(m) ? " (admin)" : "") + "  " + m.fingerprintText());
    }
  }

  /** /approve FINGERPRINT or /deny FINGERPRINT: a request shown above. */
  private void answer(String command, String who) throws Exception {
    org.reschat.core.GroupInfo g = group();
    org.reschat.core.Groups.JoinRequest r = org.reschat.cli.commands.GroupCommand.requestBy(session, g, who);
    if (command.equals("/approve")) {
      session.client().groups().approve(g.id(), r.card(), false);
      println("Approved " + SafeText.line(r.name()) + "; their next 'reschat receive' completes the join.");
    } else {
      session.client().groups().deny(g.id(), r.card());
      println("Denied " + SafeText.line(r.name()) + ".");
    }
  }

  /** Whether this terminal draws the status line (a dumb one cannot keep a row apart). */
  private boolean statusShown() {
    return status != null && terminal.getStringCapability(org.jline.utils.InfoCmp.Capability.change_scroll_region) != null;
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

  private synchronized void updateStatus() { // called by the poller, the sender and the prompt thread
    if (status == null) {
      return;
    }
    try {
      int queued = session.client().pending(chat.id());
      String seen = relating.seen();
      String text = "reschat · " + SafeText.line(chat.name()) + (seen.isEmpty() ? "" : " · " + seen)
          + (sending.get() > 0 ? " · sending…" : "") + " · outbox: "
          + (queued == 0 ? "empty" : queued + " queued") + (storeDown.get() ? " · store not answering" : "")
          + " · " + session.store().describe();
      status.update(List.of(new AttributedString(fit(text, terminal.getWidth()))));
    } catch (Exception e) {
      // The status line is a convenience; failures show up where the work is done.
    }
  }

  /**
   * The status text cut to one row of {@code width} columns: a status line that wraps onto a second row
   * garbles the screen for good after a window gets narrower. What matters most comes first.
   */
  static String fit(String text, int width) {
    int max = Math.max(1, width - 1);
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  private void println(String text) {
    remember(text);
    terminal.writer().println(text);
    terminal.writer().flush();
  }

  private void printAbove(String text) {
    remember(text);
    reader.printAbove(text);
  }

  /**
   * Takes the line just typed off the screen: what was sent shows once, as the chat shows it ("me: …"),
   * not also as typed after the prompt. A terminal that cannot move the cursor keeps it.
   */
  private synchronized void eraseTyped(String prompt, String typed) {
    int width = Math.max(1, terminal.getWidth());
    int rows = 0;
    for (String part : (AttributedString.fromAnsi(prompt).toString() + typed).split("\n", -1)) {
      rows += Math.max(1, (AttributedString.fromAnsi(part).columnLength() + width - 1) / width);
    }
    if (!terminal.puts(org.jline.utils.InfoCmp.Capability.carriage_return)) {
      return;
    }
    for (int i = 0; i < rows; i++) {
      if (!terminal.puts(org.jline.utils.InfoCmp.Capability.cursor_up)) {
        break;
      }
      terminal.puts(org.jline.utils.InfoCmp.Capability.clr_eol);
    }
    terminal.flush();
  }

  /** Half-typed messages of chats left with Ctrl-C, for when they are opened again in this run (the menu). */
  private static final java.util.Map<ChatId, String> DRAFTS = new java.util.concurrent.ConcurrentHashMap<>();

  /** What the view printed, newest last: drawn again after a window change. */
  private final java.util.ArrayDeque<String> transcript = new java.util.ArrayDeque<>();
  private static final int TRANSCRIPT_LINES = 500;

  private void remember(String text) {
    synchronized (transcript) {
      for (String line : text.split("\n", -1)) {
        transcript.addLast(line);
      }
      while (transcript.size() > TRANSCRIPT_LINES) {
        transcript.removeFirst();
      }
    }
  }

  /**
   * Draws the view again for the window's new size: a clear screen, the status line at the new bottom, as
   * much of what was printed as fits above the prompt, then the prompt with what is being typed. A terminal
   * that cut, wrapped or moved the old lines leaves nothing behind, so no second status line, no prompt over
   * the header, no pasted text over the history.
   *
   * @param reading the line reader when it is reading (it then redraws the prompt), else null
   */
  private void repaint(org.jline.reader.impl.LineReaderImpl reading) {
    synchronized (this) {
      if (status != null) {
        status.resize(terminal.getSize());
        status.reset();
      }
      terminal.puts(org.jline.utils.InfoCmp.Capability.clear_screen);
      terminal.flush();
      updateStatus();
      if (status != null) {
        status.redraw();
      }
    }
    int width = Math.max(1, terminal.getWidth());
    int room = Math.max(1, terminal.getHeight() - (status == null ? 0 : status.size()) - 1);
    java.util.LinkedList<String> fits = new java.util.LinkedList<>();
    synchronized (transcript) {
      java.util.Iterator<String> newest = transcript.descendingIterator();
      int used = 0;
      while (newest.hasNext()) {
        String line = newest.next();
        int rows = Math.max(1, (AttributedString.fromAnsi(line).columnLength() + width - 1) / width);
        if (used + rows > room) {
          break;
        }
        used += rows;
        fits.addFirst(line);
      }
    }
    if (reading != null) {
      reading.callWidget(LineReader.REDRAW_LINE);
      if (!fits.isEmpty()) {
        reading.printAbove(String.join("\n", fits));
      }
      reading.callWidget(LineReader.REDISPLAY);
    } else {
      fits.forEach(l -> terminal.writer().println(l));
      terminal.writer().flush();
    }
  }
}
