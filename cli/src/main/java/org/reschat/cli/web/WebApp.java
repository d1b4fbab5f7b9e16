package org.reschat.cli.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.reschat.cli.ErrorText;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.People;
import org.reschat.cli.Session;
import org.reschat.cli.commands.DeviceCommand;
import org.reschat.cli.commands.DirectoryCommand;
import org.reschat.cli.commands.FileMessages;
import org.reschat.cli.commands.GroupCommand;
import org.reschat.cli.commands.RequestsCommand;
import org.reschat.cli.commands.SendCommand;
import org.reschat.cli.NamedChat;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatFiles;
import org.reschat.core.ChatId;
import org.reschat.core.Content;
import org.reschat.core.Draft;
import org.reschat.core.Event;
import org.reschat.core.GroupException;
import org.reschat.core.GroupInfo;
import org.reschat.core.Groups;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.MessageRequest;
import org.reschat.core.Receiver;
import org.reschat.core.Relations;
import org.reschat.core.SendResult;
import org.reschat.core.directory.Directory;
import org.reschat.core.DeviceInfo;
import org.reschat.core.Devices;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.identity.SafetyNumber;
import org.reschat.localdb.Friend;

/**
 * {@code reschat web}: one person's chats in a browser tab, served by the process that unlocked their keys.
 *
 * <p>Everything goes through the same engine the terminal and the daemon use: sends and histories are
 * {@link ChatClient} calls, and new messages come from this process's one {@link Receiver#follow} (never a
 * second receive loop, never a page polling): its events go into the {@link EventLog}, which each open page
 * reads as a server-sent event stream. Pages are HTML made on the server ({@link Views}); htmx swaps them in.
 */
public final class WebApp implements AutoCloseable {
  /** A file sent is at most 100 MiB (the core checks it exactly; this only stops a longer body early). */
  static final long MAX_UPLOAD = 100L * 1024 * 1024;
  /** How long an event stream waits before a keep-alive comment (which also finds closed tabs). */
  static final Duration KEEPALIVE = Duration.ofSeconds(15);
  /** The most pages of each feed a page asks for ("Show older messages" doubles them). */
  static final int MAX_PAGES = 1 << 20;

  private final Session session;
  private final ChatClient client;
  private final PublicCard me;
  private final String myName;
  private final Views views;
  private final EventLog log;
  private final Activity activity;
  private final LoopbackGate gate;
  private final WebServer server;
  private final SecureRandom random;
  /** A 0700 directory for uploads on their way to the store, downloads on their way to the browser, the launch file. */
  private final Path scratch;
  private final List<String> pendingJoins = new CopyOnWriteArrayList<>();
  private Receiver.Subscription subscription;
  /** The link code shown, while it waits (held in memory only, as on the terminal), and the request it brought. */
  private Devices.LinkOffer linkOffer;
  private Devices.LinkRequest linkRequest;

  public WebApp(Session session, SecureRandom random) throws Exception {
    this.session = session;
    this.random = random;
    this.client = session.client();
    this.me = session.card();
    this.myName = IdentityFile.name(session.profile().readIdentity()).orElse("me");
    this.views = new Views(session.output()::time);
    this.log = new EventLog(Long.toString(random.nextLong() & Long.MAX_VALUE, 36));
    this.activity = new Activity(session.context().clock());
    this.gate = new LoopbackGate(random);
    this.scratch = privateDirectory();
    this.server = routes(new WebServer(gate));
  }

  /** A new directory only this user may enter (where the file system knows no POSIX modes, the system's default). */
  private static Path privateDirectory() throws IOException {
    try {
      return Files.createTempDirectory("reschat-web-", PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException noPosix) {
      return Files.createTempDirectory("reschat-web-");
    }
  }

  /** Starts receiving and serving on 127.0.0.1:{@code port} (0: any free port); returns the port. */
  public int start(int port) throws Exception {
    Duration every = session.settings().pollInterval();
    subscription = client.receiver().follow(Receiver.Scope.everything(), every,
        every.compareTo(Receiver.DEFAULT_PUSH_FALLBACK) > 0 ? every : Receiver.DEFAULT_PUSH_FALLBACK, this::onEvent);
    return server.start(port);
  }

  /** The URL to open, with the one-time token. */
  public String launchUrl() {
    return gate.launchUrl();
  }

  /** This server's origin ({@code http://rc-….localhost:PORT}), for messages. */
  public String origin() {
    return gate.origin();
  }

  /**
   * Writes a page (mode 0600, in a 0700 directory) that sends the browser to the launch URL, to hand to a browser
   * instead of the URL: another user can read a process's arguments in /proc, but not this file. It is removed
   * once the link is used.
   */
  public Path launchFile() throws IOException {
    Path file = scratch.resolve("open.html");
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException noPosix) {
      Files.createFile(file);
    }
    String url = Html.attr(launchUrl()).toString();
    Files.writeString(file, "<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url=" + url
        + "\"><title>ResChat</title><p><a href=\"" + url + "\">Open ResChat</a></p>\n", StandardCharsets.UTF_8);
    return file;
  }

  /** Why the following stopped on its own, if it did. */
  public Optional<Exception> receiverFailure() {
    return subscription == null ? Optional.empty() : subscription.failure();
  }

  @Override
  public void close() {
    log.close(); // event streams end first, so the server's stop does not wait for them
    server.close();
    if (subscription != null) {
      subscription.close();
    }
    try (Stream<Path> files = Files.walk(scratch)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // the directory is private and under the temporary directory
    }
  }

  /** One event of the receiver (on its thread): noted for the chat list, then logged for the pages. Never throws. */
  private void onEvent(Event e) {
    // A change from another device of this identity (§15.6): made here, said on every page, the chat list redrawn.
    if (org.reschat.cli.SelfSync.onEvent(session, e, text -> log.append(new EventLog.Notice(null, text)))) {
      log.append(new EventLog.ChatsChanged());
      return;
    }
    try {
      activity.note(e);
    } catch (RuntimeException ignored) {
      // the list's counts are a convenience; the event still goes to the pages
    }
    log.append(new EventLog.FromEngine(e));
  }

  /** Names as the terminal gives them (the friend list read afresh each time: it may have changed). */
  private Views.Names names() {
    People people = new People(session);
    return new Views.Names() {
      @Override
      public String nameOf(PublicCard card) throws Exception {
        return people.nameOf(card);
      }

      @Override
      public boolean isMe(PublicCard card) {
        return people.isMe(card); // by the card: a friend may be nicknamed "me"
      }
    };
  }

  // ================================================================ routes

  private WebServer routes(WebServer s) {
    String chat = "/chat/([dg]-[A-Za-z0-9_-]{1,80})";
    String hex = "([0-9a-f]{64})";
    return s
        .onFailure(this::failure)
        .onLaunch(() -> {
          try {
            Files.deleteIfExists(scratch.resolve("open.html"));
          } catch (IOException e) {
            // removed at stop
          }
        })
        .get("/", r -> r.html(page(r, "Chats", null, views.welcome(myName))))
        .get("/assets/([a-z.-]+)", Assets::serve)
        .get("/events", this::events)
        .get(chat, this::chatPage)
        .get(chat + "/history", this::history)
        .get(chat + "/message", this::messageNow)
        .post(chat + "/read", this::read)
        .post(chat + "/send", this::send)
        .post(chat + "/file", this::upload)
        .post(chat + "/react", this::react)
        .post(chat + "/edit", this::edit)
        .post(chat + "/delete", this::delete)
        .get(chat + "/file/([^/]{1,200})", this::download)
        .get(chat + "/info", this::info)
        .post(chat + "/verify", this::verify)
        .post(chat + "/add", this::groupAdd)
        .post(chat + "/remove", this::groupRemove)
        .post(chat + "/link", this::groupLink)
        .post(chat + "/revoke-links", this::groupRevokeLinks)
        .post(chat + "/approve", r -> answerJoin(r, true))
        .post(chat + "/deny", r -> answerJoin(r, false))
        .post(chat + "/leave", this::groupLeave)
        .get("/add", r -> r.html(page(r, "Add a friend", null, views.addPage(me, myName, pendingJoins))))
        .get("/directory", this::directory)
        .post("/friends/add", this::addFriend)
        .post("/friends/add-from-directory", this::addFromDirectory)
        .get("/new-group", r -> r.html(page(r, "New group", null, views.newGroupPage(session.profile().friends().list()))))
        .post("/groups/create", this::createGroup)
        .post("/groups/join", this::joinGroup)
        .get("/devices", this::devicesPage)
        .post("/devices/link", this::linkOffer)
        .get("/devices/link/request", this::linkRequest)
        .post("/devices/link/approve", r -> answerLink(r, true))
        .post("/devices/link/deny", r -> answerLink(r, false))
        .get("/requests", this::requestsPage)
        .post("/requests/" + hex + "/accept", this::acceptRequest)
        .post("/requests/" + hex + "/ignore", this::ignoreRequest);
  }

  /** A failure as the page shows it: the terminal's sentence, in the flash area (or as a page when one was asked for). */
  private void failure(WebRequest r, Exception e) throws IOException {
    int status;
    String sentence;
    if (e instanceof WebException) {
      status = ((WebException) e).status();
      sentence = e.getMessage();
    } else {
      int code = ErrorText.exitCode(e);
      status = code == ExitCodes.USAGE ? 400 : code == ExitCodes.NOT_FOUND ? 404 : code == ExitCodes.SECURITY ? 409
          : code == ExitCodes.STORE ? 503 : 500;
      sentence = ErrorText.sentence(e);
    }
    if (r.header("HX-Request") != null) {
      r.setHeader("HX-Retarget", "#flash");
      r.setHeader("HX-Reswap", "innerHTML");
      r.html(status, views.error(sentence));
    } else {
      try {
        r.html(status, page(r, "Error", null, views.error(sentence)));
      } catch (Exception again) {
        r.html(status, views.error(sentence));
      }
    }
  }

  // ================================================================ pages

  private Html page(WebRequest r, String title, Chat current, Html main) throws Exception {
    String key = current == null ? ("Message requests".equals(title) ? "requests" : null) : current.key();
    String events = "/events?after=" + log.cursorText(log.cursor()) + (current == null ? "" : "&chat=" + current.key());
    Html problems = Html.join(views.store(activity.storeProblem()), receiverFailure()
        .map(e -> views.error("New messages no longer arrive here (" + ErrorText.sentence(e) + "); stop reschat web and"
            + " start it again.")).orElse(Html.EMPTY));
    return views.page(title, r.csrf(), events, views.sidebar(sidebar(key)), problems, main);
  }

  private Html storeBanner(String problem) {
    return Html.t("<div id=\"store\" role=\"status\" hx-swap-oob=\"true\">{}</div>", views.store(problem));
  }

  /** The chat list: friends and groups, the most recently active first. */
  private Views.Sidebar sidebar(String current) throws Exception {
    List<Views.ListEntry> entries = new ArrayList<>();
    for (Friend f : session.profile().friends().list()) {
      ChatId id = ChatId.direct(f.card());
      entries.add(new Views.ListEntry(new Chat(id, Chat.key(id), f.nickname()), f.verified(), unread(id, current), 0,
          null, activity.lastActivity(id).orElse(null)));
    }
    for (GroupInfo g : client.groups().list()) {
      String note = g.active() ? null : g.status() == GroupInfo.Status.LEFT ? "left" : "removed";
      int asking = g.isAdmin(me) && g.active() ? activity.joinRequests(g.id()).size() : 0;
      entries.add(new Views.ListEntry(new Chat(g.id(), Chat.key(g.id()), g.name()), true, unread(g.id(), current), asking,
          note, activity.lastActivity(g.id()).orElse(null)));
    }
    entries.sort(Comparator.comparing((Views.ListEntry e) -> e.lastActivity() == null ? Instant.MIN : e.lastActivity())
        .reversed().thenComparing(e -> e.chat().name().toLowerCase(Locale.ROOT)));
    return new Views.Sidebar(myName, entries, activity.messageRequests().size(), current);
  }

  /** Unread in {@code id}, except in the chat the page shows (it is in front of the person). */
  private int unread(ChatId id, String current) {
    return Chat.key(id).equals(current) ? 0 : activity.unread(id);
  }

  /** The chat a URL names: a friend, a group this person holds, or (for a request) a stranger who wrote. */
  private Chat chat(WebRequest r) throws Exception {
    return chat(r.pathPart(1));
  }

  private Chat chat(String key) throws Exception {
    if (key.startsWith("g-")) {
      ChatId.Group id;
      try {
        id = ChatId.group(key.substring(2));
      } catch (IllegalArgumentException e) {
        throw new WebException(404, "There is no such chat.");
      }
      GroupInfo g = client.groups().info(id).orElseThrow(() -> new WebException(404, "You are in no such group."));
      return new Chat(id, key, g.name());
    }
    String hex = key.substring(2);
    for (Friend f : session.profile().friends().list()) {
      if (Chat.hex(f.card()).equals(hex)) {
        return new Chat(ChatId.direct(f.card()), key, f.nickname());
      }
    }
    throw new WebException(404, "You have no such friend (any more).");
  }

  private Friend friend(Chat chat) throws Exception {
    return session.profile().friends().list().stream().filter(f -> ChatId.direct(f.card()).equals(chat.id())).findFirst()
        .orElseThrow(() -> new WebException(404, "That is not a friend's chat."));
  }

  private GroupInfo group(Chat chat) throws Exception {
    if (!chat.isGroup()) {
      throw new WebException(404, "That is not a group.");
    }
    return client.groups().info((ChatId.Group) chat.id()).orElseThrow(() -> new WebException(404, "You are in no such group."));
  }

  private void chatPage(WebRequest r) throws Exception {
    Chat chat = chat(r);
    activity.read(chat.id());
    r.html(page(r, chat.name(), chat, chatPane(chat)));
  }

  private Html chatPane(Chat chat) throws Exception {
    Views.Names people = names();
    int pages = session.settings().pagesAtStart();
    History h = client.history(chat.id(), HistoryRequest.newest(pages));
    if (chat.isGroup()) {
      GroupInfo g = group(chat);
      List<Groups.JoinRequest> asks = g.isAdmin(me) && g.active() ? activity.joinRequests(g.id()) : List.of();
      String sub = g.members().size() + " members" + (g.active() ? "" : g.status() == GroupInfo.Status.LEFT
          ? " · you left" : " · you were removed");
      return views.chatPane(chat, sub, true, views.history(chat, pages, h, people), outbox(chat),
          views.joinRequests(chat, asks), g.active() && g.confirmed());
    }
    Friend f = friend(chat);
    return views.chatPane(chat, f.card().fingerprintText().substring(0, 9), f.verified(),
        views.history(chat, pages, h, people), outbox(chat), Html.EMPTY, true);
  }

  private Html outbox(Chat chat) throws Exception {
    return views.outbox(client.pending(chat.id()), activity.storeProblem());
  }

  /** The page says it shows the chat in a visible tab: what arrived is read. */
  private void read(WebRequest r) throws Exception {
    Chat chat = chat(r);
    if (activity.read(chat.id())) {
      log.append(new EventLog.ChatsChanged()); // the other tabs' lists drop the count too
    }
    r.send(204, null, new byte[0]);
  }

  /** The history again, with {@code pages} pages of each member's feed (older messages on demand). */
  private void history(WebRequest r) throws Exception {
    Chat chat = chat(r);
    int pages;
    try {
      pages = Math.max(1, Math.min(MAX_PAGES, Integer.parseInt(Optional.ofNullable(r.query("pages")).orElse("2"))));
    } catch (NumberFormatException e) {
      pages = 2;
    }
    History h = client.history(chat.id(), HistoryRequest.newest(pages));
    r.html(views.history(chat, pages, h, names()));
  }

  /**
   * One message as it stands now, for a page that shows it to draw it again where it is: the stream says which
   * messages changed ({@code changed}), and each page asks only for those it shows, whatever page they came from.
   */
  private void messageNow(WebRequest r) throws Exception {
    Chat chat = chat(r);
    String id = Optional.ofNullable(r.query("id")).orElse("");
    Optional<Message> m = id.isEmpty() || id.length() > 100 ? Optional.empty() : shown(chat, id);
    r.html(views.message(chat, m.orElseThrow(() -> new WebException(404, "There is no such message in this chat.")),
        names()));
  }

  /**
   * Message {@code id} of the chat as it stands now, from whichever page holds it: the newest pages first, then
   * twice as many each time (as "Show older messages" goes), until it is there or nothing is older. Asked for a
   * message a page shows, or one the core has just acted on: the search ends at a message this client holds, and
   * costs at most about twice what loading the history down to it costs.
   */
  private Optional<Message> shown(Chat chat, String id) throws Exception {
    for (int pages = session.settings().pagesAtStart(); ; pages *= 2) {
      History h = client.history(chat.id(), HistoryRequest.newest(pages));
      Optional<Message> m = h.messages().stream().filter(x -> x.id().equals(id)).findFirst();
      if (m.isPresent() || !h.hasOlder() || pages > MAX_PAGES / 2) {
        return m;
      }
    }
  }

  // ================================================================ sending

  private void send(WebRequest r) throws Exception {
    Chat chat = chat(r);
    String text = r.form("text");
    if (text == null || text.isBlank()) {
      throw new WebException(400, "Type a message first.");
    }
    // As 'reschat send' sends: a Draft, answering a message when the page's "replying to" bar names one, and in a
    // group mentioning the members its @names name.
    Draft draft = Draft.of(text).mentioning(SendCommand.mentions(session, new NamedChat(chat.id(), chat.name()), text));
    String replyTo = Optional.ofNullable(r.form("reply_to")).map(String::strip).orElse("");
    SendResult sent = client.send(chat.id(), replyTo.isEmpty() ? draft : draft.replyingTo(replyTo));
    activity.sent(chat.id());
    log.append(new EventLog.Sent(chat.id(), sent.message()));
    r.html(Html.join(views.message(chat, sent.message(), names()),
        Html.t("<div id=\"outbox\" hx-swap-oob=\"true\">{}</div>", outbox(chat))));
  }

  // ================================================================ reactions, edits, deletes

  /** A reaction to a message ({@code emoji}), or taking this person's back ({@code remove}), as {@code react} does. */
  private void react(WebRequest r) throws Exception {
    Chat chat = chat(r);
    String id = messageId(r);
    String emoji = Optional.ofNullable(r.form("emoji")).orElse("");
    boolean remove = "1".equals(r.form("remove"));
    if (!remove && emoji.isEmpty()) {
      throw new WebException(400, "Choose a reaction.");
    }
    related(r, chat, id, remove ? client.removeReaction(chat.id(), id) : client.react(chat.id(), id, emoji));
  }

  /** A new text for one of this person's texts, as {@code edit} does (the core refuses anyone else's). */
  private void edit(WebRequest r) throws Exception {
    Chat chat = chat(r);
    String id = messageId(r);
    String text = r.form("text");
    if (text == null || text.isBlank()) {
      throw new WebException(400, "Type the new text, or leave the message as it is.");
    }
    related(r, chat, id, client.edit(chat.id(), id, text));
  }

  /** Deletes one of this person's messages, as {@code delete} does (the core refuses anyone else's). */
  private void delete(WebRequest r) throws Exception {
    Chat chat = chat(r);
    String id = messageId(r);
    related(r, chat, id, client.delete(chat.id(), id));
  }

  private static String messageId(WebRequest r) throws IOException {
    String id = Optional.ofNullable(r.form("id")).map(String::strip).orElse("");
    if (id.isEmpty()) {
      throw new WebException(400, "Which message? The page sent none.");
    }
    return id;
  }

  /**
   * After a reaction, edit or delete: logged (the other tabs show it in place, as a friend's arrives), and the message
   * it changed, drawn again from whichever page holds it, as the answer (a sentence instead only if the history no
   * longer shows the message the core just acted on).
   */
  private void related(WebRequest r, Chat chat, String target, SendResult sent) throws Exception {
    activity.sent(chat.id());
    log.append(new EventLog.Sent(chat.id(), sent.message()));
    Optional<Message> now = shown(chat, target);
    Html outboxNow = Html.t("<div id=\"outbox\" hx-swap-oob=\"true\">{}</div>", outbox(chat));
    if (now.isPresent()) {
      r.html(Html.join(views.message(chat, now.get(), names()), outboxNow));
    } else {
      r.setHeader("HX-Retarget", "#flash");
      r.setHeader("HX-Reswap", "innerHTML");
      r.html(Html.join(views.ok(sent.confirmed() ? "Done." : "Queued: sent automatically once the store answers."),
          outboxNow));
    }
  }

  /**
   * This person's newest message once others have shown they read it: a friend's new page says how far they read, as
   * the chat view's status line shows. It is among the newest pages, which every page of the chat shows.
   */
  private Optional<Message> newestOwnSeen(Chat chat) throws Exception {
    History h = client.history(chat.id(), HistoryRequest.newest(session.settings().pagesAtStart()));
    Optional<Message> own = Optional.empty();
    for (Message m : h.messages()) {
      if (m.direction() == Message.Direction.SENT && Relations.canReactTo(m)) {
        own = Optional.of(m);
      }
    }
    return own.filter(m -> m.relations().seen().isPresent());
  }

  /**
   * A file from the page (the body is the file; its name in the query): saved in the private scratch directory,
   * sent by the engine with its progress on the event stream, then removed.
   */
  private void upload(WebRequest r) throws Exception {
    Chat chat = chat(r);
    String name = r.query("name");
    String transfer = r.query("transfer");
    if (name == null || name.isBlank() || name.getBytes(StandardCharsets.UTF_8).length > ChatFiles.MAX_NAME_BYTES) {
      throw new WebException(400, "The file name is empty or longer than 255 bytes; rename it first.");
    }
    if (transfer == null || !transfer.matches("[a-z0-9]{6,40}")) {
      throw new WebException(400, "The upload has no transfer id.");
    }
    String caption = Optional.ofNullable(r.query("caption")).orElse("");
    String length = r.header("Content-Length");
    if (length != null && Long.parseLong(length) > MAX_UPLOAD) {
      throw new WebException(413, "A file sent is at most 100 MiB.");
    }
    Path dir = Files.createTempDirectory(scratch, "up");
    Path file = dir.resolve(ChatFiles.safeFileName(name));
    try {
      try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(file)) {
        copy(in, out, MAX_UPLOAD);
      }
      String type = Optional.ofNullable(r.header("X-File-Type")).map(t -> t.toLowerCase(Locale.ROOT))
          .filter(ChatFiles::isMediaType).orElse("application/octet-stream");
      String id = "up-" + transfer;
      String label = "Sending " + name + " to the store";
      SendResult sent = client.files().send(chat.id(), file, name, type, caption, progress(chat, id, label));
      activity.sent(chat.id());
      log.append(new EventLog.Sent(chat.id(), sent.message()));
      r.html(views.message(chat, sent.message(), names()));
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  private static void copy(InputStream in, OutputStream out, long max) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > max) {
        throw new WebException(413, "A file sent is at most 100 MiB.");
      }
      out.write(buf, 0, n);
    }
  }

  /** A transfer's progress for the event stream: at most about five updates a second, and always the last. */
  private ChatFiles.Progress progress(Chat chat, String id, String label) {
    return new ChatFiles.Progress() {
      private long lastAt;

      @Override
      public synchronized void bytes(long done, long total) {
        long now = System.nanoTime();
        if (done >= total || now - lastAt > 200_000_000L) {
          lastAt = now;
          log.append(new EventLog.Progress(chat.id(), id, label, done, total));
        }
      }
    };
  }

  /**
   * A file of the chat, fetched and verified by the engine (progress on the event stream), then handed to the
   * browser as a download: never shown inline, whatever its type says.
   */
  private void download(WebRequest r) throws Exception {
    Chat chat = chat(r);
    String id = java.net.URLDecoder.decode(r.pathPart(2), StandardCharsets.UTF_8);
    History all = client.history(chat.id(), HistoryRequest.all());
    Message m = FileMessages.find(all, id).orElseThrow(() -> new WebException(404, "There is no such file in this chat."));
    ChatFiles.FileInfo f = FileMessages.offer(m).orElseThrow(() -> new WebException(404, "That message is no file."));
    Path dir = Files.createTempDirectory(scratch, "dl");
    Path file = dir.resolve("file");
    try {
      try {
        client.files().fetch(m, file, false, progress(chat, Views.transferId("dl", m.id()), "Fetching"));
      } catch (Exception e) {
        log.append(new EventLog.Notice(chat.id(), "Could not fetch " + f.name() + ": " + ErrorText.sentence(e)));
        throw e;
      }
      String safe = ChatFiles.safeFileName(f.name());
      r.setHeader("Content-Disposition", "attachment; filename=\"" + safe.replaceAll("[^A-Za-z0-9._-]", "_")
          + "\"; filename*=UTF-8''" + URLEncoder.encode(safe, StandardCharsets.UTF_8).replace("+", "%20"));
      r.exchange().getResponseHeaders().set("Content-Type", "application/octet-stream");
      r.exchange().sendResponseHeaders(200, Files.size(file));
      try (OutputStream out = r.exchange().getResponseBody()) {
        Files.copy(file, out);
      }
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  // ================================================================ a chat's details

  private void info(WebRequest r) throws Exception {
    Chat chat = chat(r);
    r.html(page(r, chat.name(), chat, infoPane(chat, null)));
  }

  private Html infoPane(Chat chat, String newLink) throws Exception {
    if (!chat.isGroup()) {
      Friend f = friend(chat);
      return views.friendInfo(chat, f, me, SafetyNumber.between(me, f.card()));
    }
    GroupInfo g = group(chat);
    List<Groups.JoinRequest> asks = List.of();
    if (g.isAdmin(me) && g.active()) {
      asks = client.groups().joinRequests(g.id()); // asked for by opening this page: reads the links' boards
      activity.joinRequests(g.id(), asks);
      g = group(chat); // with the other admins' links that reading brought
    }
    List<Friend> addable = new ArrayList<>();
    for (Friend f : session.profile().friends().list()) {
      if (!g.isMember(f.card())) {
        addable.add(f);
      }
    }
    return views.groupInfo(chat, g, me, names(), addable, asks, newLink);
  }

  private void verify(WebRequest r) throws Exception {
    Chat chat = chat(r);
    Friend before = friend(chat);
    Friend marked = session.profile().friends().markVerified(before.nickname());
    if (!before.verified()) {
      org.reschat.cli.SelfSync.friendChanged(session, marked.card(), Optional.of(marked)); // the other devices too
    }
    log.append(new EventLog.ChatsChanged());
    r.hxRedirect("/chat/" + chat.key() + "/info");
  }

  private void groupAdd(WebRequest r) throws Exception {
    Chat chat = chat(r);
    GroupInfo g = group(chat);
    Friend f = session.profile().friends().get(Optional.ofNullable(r.form("nick")).orElse(""));
    client.groups().add(g.id(), f.card(), "1".equals(r.form("share_history")));
    log.append(new EventLog.ChatsChanged());
    r.hxRedirect("/chat/" + chat.key() + "/info");
  }

  private PublicCard member(GroupInfo g, String hex) {
    return g.members().stream().filter(m -> Chat.hex(m).equals(hex)).findFirst()
        .orElseThrow(() -> new WebException(404, "That is not a member of the group."));
  }

  private void groupRemove(WebRequest r) throws Exception {
    Chat chat = chat(r);
    GroupInfo g = group(chat);
    client.groups().remove(g.id(), member(g, Optional.ofNullable(r.form("member")).orElse("")));
    log.append(new EventLog.ChatsChanged());
    r.hxRedirect("/chat/" + chat.key() + "/info");
  }

  private void groupLink(WebRequest r) throws Exception {
    Chat chat = chat(r);
    String link = client.groups().link(group(chat).id());
    r.html(page(r, chat.name(), chat, infoPane(chat, link)));
  }

  private void groupRevokeLinks(WebRequest r) throws Exception {
    Chat chat = chat(r);
    client.groups().revokeLinks(group(chat).id());
    r.hxRedirect("/chat/" + chat.key() + "/info");
  }

  /** Approves or denies a request to join: the requester named by their whole fingerprint, never a guess. */
  private void answerJoin(WebRequest r, boolean approve) throws Exception {
    Chat chat = chat(r);
    GroupInfo g = group(chat);
    String hex = Optional.ofNullable(r.form("requester")).orElse("");
    Optional<Groups.JoinRequest> known = activity.joinRequests(g.id()).stream().filter(q -> Chat.hex(q.card()).equals(hex))
        .findFirst();
    Groups.JoinRequest q = known.isPresent() ? known.get() : client.groups().joinRequests(g.id()).stream()
        .filter(x -> Chat.hex(x.card()).equals(hex)).findFirst()
        .orElseThrow(() -> new GroupException(GroupException.Reason.NOT_A_MEMBER, "Nobody with that fingerprint asks to join."));
    if (approve) {
      client.groups().approve(g.id(), q.card(), false);
    } else {
      client.groups().deny(g.id(), q.card());
    }
    activity.answered(g.id(), q.card());
    log.append(new EventLog.ChatsChanged());
    r.setHeader("HX-Refresh", "true");
    r.send(204, null, new byte[0]);
  }

  private void groupLeave(WebRequest r) throws Exception {
    Chat chat = chat(r);
    client.groups().leave(group(chat).id());
    log.append(new EventLog.ChatsChanged());
    r.hxRedirect("/chat/" + chat.key());
  }

  // ================================================================ friends, groups, requests

  // ================================================================ linked devices (protocol §15.5)

  private void devicesPage(WebRequest r) throws Exception {
    boolean first = IdentityFile.device(session.profile().readIdentity()) == 0;
    r.html(page(r, "Your devices", null, views.devicesPage(client.devices().mine(), first)));
  }

  /** A new link code; an earlier one not used yet is spent (one code at a time). */
  private synchronized void linkOffer(WebRequest r) throws Exception {
    Devices.LinkOffer old = linkOffer;
    if (old != null) {
      client.devices().deny(old);
    }
    linkOffer = client.devices().offer();
    linkRequest = null;
    r.html(views.linkCode(linkOffer.code(), session.output().time(linkOffer.expires()),
        DeviceCommand.qrSvg(linkOffer.code())));
  }

  private synchronized void linkRequest(WebRequest r) throws Exception {
    if (linkOffer == null) {
      throw new WebException(404, "No link code is waiting; make one with 'Link a new device'.");
    }
    Optional<Devices.LinkRequest> q = client.devices().request(linkOffer); // EXPIRED once its 10 minutes are over
    if (q.isEmpty()) {
      r.html(views.linkWaiting());
      return;
    }
    linkRequest = q.get();
    r.html(views.linkCheck(linkRequest.check(), linkRequest.name()));
  }

  /**
   * The person's answer to the request shown; a yes names the check it was given for, so a click on a page older
   * than the request links nothing. The code is spent either way.
   */
  private synchronized void answerLink(WebRequest r, boolean approve) throws Exception {
    if (linkOffer == null || linkRequest == null) {
      throw new WebException(404, "No new device is waiting to be linked; make a code with 'Link a new device'.");
    }
    Devices.LinkOffer offer = linkOffer;
    Devices.LinkRequest request = linkRequest;
    if (approve && !request.check().equals(Optional.ofNullable(r.form("check")).orElse(""))) {
      throw new WebException(409, "The check on this page is not the request's; reload the page.");
    }
    linkOffer = null;
    linkRequest = null;
    if (!approve) {
      client.devices().deny(offer);
      r.html(views.ok("Nothing was linked, and the code is spent; make a new one."));
      return;
    }
    DeviceInfo linked = client.devices().approve(offer, request, DeviceCommand.applicationState(session));
    r.html(views.ok("Linked device " + linked.number() + " (" + linked.id() + ") \"" + request.name() + "\": it now has"
        + " your friends, groups and history, and your friends see its messages as yours."));
  }

  private void addFriend(WebRequest r) throws Exception {
    String nick = Optional.ofNullable(r.form("nick")).orElse("").strip();
    // A card copied with line breaks or spaces is one card, as on the command line.
    PublicCard card = PublicCard.parse(Optional.ofNullable(r.form("card")).orElse("").replaceAll("\\s", ""));
    added(r, session.profile().friends().add(nick, card, me));
  }

  private void addFromDirectory(WebRequest r) throws Exception {
    String nick = Optional.ofNullable(r.form("nick")).orElse("").strip();
    org.reschat.localdb.Nicknames.check(nick); // a bad nickname is refused before the store is read
    PublicCard card = DirectoryCommand.pick(session, Optional.ofNullable(r.form("name")).orElse(""),
        Optional.ofNullable(r.form("fingerprint")).orElse(""));
    added(r, session.profile().friends().add(nick, card, me));
  }

  private void added(WebRequest r, Friend f) throws Exception {
    org.reschat.cli.SelfSync.friendChanged(session, f.card(), Optional.of(f)); // the other devices too (§15.6)
    log.append(new EventLog.ChatsChanged());
    r.hxRedirect("/chat/" + Chat.key(ChatId.direct(f.card())) + "/info");
  }

  private void directory(WebRequest r) throws Exception {
    String name = Optional.ofNullable(r.query("name")).orElse("").strip();
    if (name.isEmpty()) {
      throw new WebException(400, "Type a name to look up.");
    }
    Directory directory = new Directory(session.store(), session.context().clock());
    r.html(views.directoryResults(name, directory.lookup(name).claimants()));
  }

  private void createGroup(WebRequest r) throws Exception {
    String name = Optional.ofNullable(r.form("name")).orElse("").strip();
    GroupCommand.checkNewName(session, name); // the terminal's rule: never a friend's nickname, nor another group's
    List<PublicCard> cards = new ArrayList<>();
    for (String nick : r.formAll("members")) {
      cards.add(session.profile().friends().get(nick).card());
    }
    ChatId.Group id = client.groups().create(name, cards);
    activity.sent(id);
    log.append(new EventLog.ChatsChanged());
    r.hxRedirect("/chat/" + Chat.key(id));
  }

  /**
   * Asks to join by a link, or joins when an admin approved. The engine does not join by itself once approved
   * (as {@code group join} is run again on the terminal), so the page offers to check again.
   */
  private void joinGroup(WebRequest r) throws Exception {
    String link = Optional.ofNullable(r.form("link")).orElse("").strip();
    String as = Optional.ofNullable(r.form("name")).filter(s -> !s.isBlank()).orElse(myName);
    session.profile().checkWritable("join a group");
    Groups.JoinResult first = client.groups().join(link, as, false);
    if (!first.warnings().isEmpty() && first.joined().isEmpty()) {
      throw new WebException(409, "Security warning: " + first.warnings().get(0).detail());
    }
    Groups.JoinResult result = first.joined().isPresent() ? first : client.groups().join(link, as, true);
    if (result.joined().isPresent()) {
      pendingJoins.remove(link);
      log.append(new EventLog.ChatsChanged());
      r.hxRedirect("/chat/" + Chat.key(result.joined().get().id()));
      return;
    }
    if (!pendingJoins.contains(link)) {
      pendingJoins.add(link);
    }
    r.html(views.ok("Your request to join was posted. Once an admin approves it, press \"Check again\" on this page."));
  }

  private void requestsPage(WebRequest r) throws Exception {
    List<PublicCard> friends = session.profile().friends().list().stream().map(Friend::card).toList();
    List<MessageRequest> requests = client.requests().pending(friends); // opening the page is asking: reads the inbox
    activity.messageRequests(requests);
    r.html(page(r, "Message requests", null, views.requestsPage(requests, names())));
  }

  private MessageRequest request(WebRequest r) throws Exception {
    String hex = r.pathPart(1);
    return activity.messageRequests().stream().filter(q -> Chat.hex(q.from()).equals(hex)).findFirst()
        .orElseThrow(() -> new WebException(404, "There is no such message request (any more)."));
  }

  private void acceptRequest(WebRequest r) throws Exception {
    String nick = Optional.ofNullable(r.form("nick")).orElse("").strip();
    org.reschat.localdb.Nicknames.check(nick);
    session.profile().checkWritable("accept a message request");
    MessageRequest q = request(r);
    Friend f = RequestsCommand.accept(session, q, nick);
    activity.answered(q.from());
    added(r, f);
  }

  private void ignoreRequest(WebRequest r) throws Exception {
    session.profile().checkWritable("ignore a message request");
    MessageRequest q = request(r);
    client.requests().ignore(q.from());
    activity.answered(q.from());
    log.append(new EventLog.ChatsChanged());
    r.hxRedirect("/requests");
  }

  // ================================================================ the event stream

  /**
   * A page's server-sent event stream: every item of the log after the page's cursor ({@code Last-Event-ID} when
   * the browser reconnects, else {@code after} from the page), shown as this page needs it, until the tab closes
   * or the server stops.
   */
  private void events(WebRequest r) throws Exception {
    Chat chat = r.query("chat") == null ? null : chatOrNull(r.query("chat"));
    String given = r.header("Last-Event-ID") != null ? r.header("Last-Event-ID") : r.query("after");
    long cursor = log.parse(given);
    boolean reload = cursor < 0;
    if (reload) {
      cursor = log.cursor();
    }
    try (OutputStream out = r.stream(200, "text/event-stream; charset=utf-8")) {
      SseWriter sse = new SseWriter(out);
      sse.retry(1000);
      if (reload) {
        sse.event(log.cursorText(cursor), "reload", Html.markup("reload"));
        return; // a cursor from another run: the page reads everything afresh
      }
      while (true) {
        EventLog.Batch batch = log.after(cursor, KEEPALIVE);
        if (batch.closed()) {
          return;
        }
        if (batch.gap()) {
          sse.event(log.cursorText(log.cursor()), "reload", Html.markup("reload"));
          return;
        }
        if (batch.entries().isEmpty()) {
          sse.comment("keepalive");
          continue;
        }
        new StreamBatch(chat).write(sse, batch.entries());
        cursor = batch.entries().get(batch.entries().size() - 1).seq();
      }
    } catch (IOException closedTab) {
      // the tab went away; its next stream starts from its cursor
    }
  }

  private Chat chatOrNull(String key) {
    try {
      if (!key.matches("[dg]-[A-Za-z0-9_-]{1,80}")) {
        return null;
      }
      return chat(key);
    } catch (Exception e) {
      return null;
    }
  }

  /** What one batch of log entries shows on one page. */
  private final class StreamBatch {
    private final Chat chat;
    private final Views.Names people = names();
    private boolean chats;
    private final List<Html> updates = new ArrayList<>();

    StreamBatch(Chat chat) {
      this.chat = chat;
    }

    void write(SseWriter sse, List<EventLog.Entry> entries) throws IOException {
      String lastId = null;
      for (EventLog.Entry e : entries) {
        String id = log.cursorText(e.seq());
        lastId = id;
        try {
          Html message = render(e);
          if (message != null) {
            sse.event(id, "message", message);
            lastId = null;
          }
        } catch (IOException gone) {
          throw gone;
        } catch (Exception renderFailed) {
          // one item that cannot be shown does not stop the stream
        }
      }
      if (chats) {
        try {
          sse.event(lastId, "chats", views.sidebar(sidebar(chat == null ? null : chat.key())));
          lastId = null;
        } catch (IOException gone) {
          throw gone;
        } catch (Exception renderFailed) {
          // the list is drawn again with the next change
        }
      }
      if (othersWrote) {
        try {
          Optional<Message> own = newestOwnSeen(chat);
          if (own.isPresent() && !related.contains(own.get().id())) {
            updates.add(views.messageInPlace(chat, own.get(), people)); // redrawn where it is shown, not added again
          }
        } catch (Exception unreadable) {
          // the history's next reload shows it
        }
      }
      if (!updates.isEmpty()) {
        sse.event(lastId, "update", Html.join(updates));
        lastId = null;
      }
      if (!related.isEmpty()) {
        // Which messages changed, by element id (hex: nothing anyone wrote): each page asks again for those it shows,
        // from whatever page of the history they came, and never for one it does not.
        sse.event(lastId, "changed", Html.text(String.join(" ", related.stream().map(Chat::domId).toList())));
        lastId = null;
      }
      if (history) {
        sse.event(lastId, "history", Html.markup("reload")); // queued messages are on the store now: shown as sent
        lastId = null;
      }
      if (lastId != null) {
        sse.idOnly(lastId); // nothing to show here, but the cursor moves on
      }
    }

    private boolean here(ChatId id) {
      return chat != null && chat.id().equals(id);
    }

    /** The message (or history line) the entry adds to this page, if any; the rest is noted for the end. */
    private Html render(EventLog.Entry entry) throws Exception {
      EventLog.Item item = entry.item();
      if (item instanceof EventLog.Sent) {
        EventLog.Sent s = (EventLog.Sent) item;
        chats = true;
        if (here(s.chat()) && relatedTo(s.message()) != null) {
          related.add(relatedTo(s.message()));
          return null;
        }
        return here(s.chat()) ? views.message(chat, s.message(), people) : null;
      }
      if (item instanceof EventLog.ChatsChanged) {
        chats = true;
        return null;
      }
      if (item instanceof EventLog.Progress) {
        EventLog.Progress p = (EventLog.Progress) item;
        if (here(p.chat())) {
          updates.add(views.transfer(p.transfer(), p.label(), p.done(), p.total()));
        }
        return null;
      }
      if (item instanceof EventLog.Notice) {
        EventLog.Notice n = (EventLog.Notice) item;
        if (n.chat() == null || here(n.chat())) {
          updates.add(Html.t("<div id=\"flash\" role=\"alert\" hx-swap-oob=\"true\">{}</div>", views.error(n.text())));
        }
        return null;
      }
      Event e = ((EventLog.FromEngine) item).event();
      if (e instanceof Event.MessageReceived) {
        Event.MessageReceived m = (Event.MessageReceived) e;
        chats = true;
        if (here(m.in()) && relatedTo(m.message()) != null) {
          related.add(relatedTo(m.message()));
          return null;
        }
        if (here(m.in())) {
          othersWrote |= m.message().direction() == Message.Direction.RECEIVED;
          return views.message(chat, m.message(), people);
        }
        return null;
      }
      if (e instanceof Event.Warning) {
        Event.Warning w = (Event.Warning) e;
        return here(w.in()) ? views.warning(chat, w.warning(), people, Long.toString(entry.seq())) : null;
      }
      if (e instanceof Event.Published || e instanceof Event.StillQueued) {
        if (here(e.chat().orElse(null))) {
          updates.add(Html.t("<div id=\"outbox\" hx-swap-oob=\"true\">{}</div>", outbox(chat)));
          if (e instanceof Event.Published) {
            history = true;
          }
        }
        updates.add(storeBanner(activity.storeProblem()));
        return null;
      }
      if (e instanceof Event.GroupJoined) {
        chats = true;
        return here(e.chat().orElse(null)) ? views.notice("n-" + entry.seq(), "You are in this group now.") : null;
      }
      if (e instanceof Event.RemovedFromGroup) {
        Event.RemovedFromGroup g = (Event.RemovedFromGroup) e;
        chats = true;
        return here(g.in()) ? views.notice("n-" + entry.seq(), "You were removed from this group by "
            + (g.by() == null ? "an admin" : people.nameOf(g.by())) + ".") : null;
      }
      if (e instanceof Event.JoinRequested) {
        Event.JoinRequested j = (Event.JoinRequested) e;
        chats = true;
        if (here(j.in())) {
          updates.add(Html.t("<div id=\"join-requests\" hx-swap-oob=\"true\">{}</div>",
              views.joinRequests(chat, activity.joinRequests(j.in()))));
        }
        return null;
      }
      if (e instanceof Event.MessageRequested) {
        chats = true;
        return null;
      }
      if (e instanceof Event.RequestNotPosted) {
        updates.add(Html.t("<div id=\"notices\" role=\"status\" hx-swap-oob=\"beforeend\">{}</div>", views.error(
            RequestsCommand.notPosted(people.nameOf(((Event.RequestNotPosted) e).to())))));
        return null;
      }
      if (e instanceof Event.StoreUnreachable) {
        updates.add(storeBanner(activity.storeProblem()));
        return null;
      }
      return null; // public channels have no page here: 'reschat channel read' shows them
    }

    private boolean history;
    /** Messages of this page's chat that a reaction, edit or delete in the batch changed. */
    private final java.util.Set<String> related = new java.util.LinkedHashSet<>();
    /** Whether someone else wrote in this page's chat: their page may show they read this person's newest message. */
    private boolean othersWrote;
  }

  /** The message {@code m} reacts to, edits or deletes; null when it is none of those. */
  private static String relatedTo(Message m) {
    Content c = m.content();
    if (c instanceof Content.Reaction) {
      return ((Content.Reaction) c).to().id();
    }
    if (c instanceof Content.Edit) {
      return ((Content.Edit) c).to().id();
    }
    if (c instanceof Content.Delete) {
      return ((Content.Delete) c).to().id();
    }
    return null;
  }
}
