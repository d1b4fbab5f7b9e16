package org.reschat.cli.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import com.google.gson.JsonObject;
import org.reschat.cli.Fingerprints;
import org.reschat.cli.MessageActions;
import org.reschat.cli.Output;
import org.reschat.cli.People;
import org.reschat.cli.commands.DeleteCommand;
import org.reschat.cli.commands.FileMessages;
import org.reschat.core.ChatFiles;
import org.reschat.core.Content;
import org.reschat.core.FeedWarning;
import org.reschat.core.GroupInfo;
import org.reschat.core.Groups;
import org.reschat.core.History;
import org.reschat.core.Message;
import org.reschat.core.MessageRequest;
import org.reschat.core.Relations;
import org.reschat.core.directory.Claimant;
import org.reschat.core.identity.PublicCard;
import org.reschat.localdb.Friend;

/**
 * Every page and fragment of {@code reschat web}, as HTML built only through {@link Html}: what others wrote
 * (messages, names, file names, captions, a store's sentences) goes in as a {@code String} and comes out as
 * text. Names are the terminal's ({@link People}: a friend's nickname, "me", or a short fingerprint), sizes
 * and file ids are {@link FileMessages}'s, times are {@link Output#time}'s, so the web says what the terminal says.
 */
final class Views {
  /** How a person is named beside what they wrote: {@link People#nameOf}. */
  @FunctionalInterface
  interface Names {
    String nameOf(PublicCard card) throws Exception;

    /** Whether {@code card} is this person's; by default, whether it is named "me" (the web app compares cards). */
    default boolean isMe(PublicCard card) {
      try {
        return "me".equals(nameOf(card));
      } catch (Exception e) {
        return false;
      }
    }

    /** As a function for a warning's claimant: a short fingerprint when naming fails. */
    default java.util.function.Function<PublicCard, String> function() {
      return card -> {
        try {
          return nameOf(card);
        } catch (Exception e) {
          return FeedWarning.shortName(card);
        }
      };
    }
  }

  private final java.util.function.Function<Instant, String> time;

  /** @param time how a moment is shown ({@link Output#time}: the terminal's form and time zone) */
  Views(java.util.function.Function<Instant, String> time) {
    this.time = time;
  }

  /** One entry of the chat list. */
  record ListEntry(Chat chat, boolean verified, int unread, int joinRequests, String note, Instant lastActivity) {}

  /** What the chat list shows. */
  record Sidebar(String me, List<ListEntry> chats, int messageRequests, String current) {}

  // ---------------------------------------------------------------- page shell

  /**
   * A whole page: the chat list and {@code main}, with the event stream that keeps both current. The CSRF token
   * goes into every htmx request as a header ({@code hx-headers}); scripts and styles are this server's files only.
   */
  Html page(String title, String csrf, String events, Html sidebar, Html store, Html main) {
    return Html.t("""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,\
        "selfRequestsOnly":true,"historyCacheSize":0,"refreshOnHistoryMiss":true,"responseHandling":[{"code":"204",\
        "swap":false},{"code":"[23]..","swap":true},{"code":"[45]..","swap":true,"error":true}]}'>
        <meta name="csrf-token" content="{}">
        <title>{} · ResChat</title>
        <link rel="stylesheet" href="/assets/app.css">
        <script defer src="/assets/htmx.min.js"></script>
        <script defer src="/assets/sse.js"></script>
        <script defer src="/assets/app.js"></script>
        </head>
        <body hx-ext="sse" hx-headers='{"X-CSRF-Token":"{}"}'>
        <a class="skip" href="#main">Skip to the conversation</a>
        <div class="app" sse-connect="{}">
        <p id="live" data-state="connecting" role="status">connecting…</p>
        <nav id="sidebar" aria-label="Chats" sse-swap="chats" hx-swap="innerHTML">{}</nav>
        <main id="main" tabindex="-1">
        <div id="store" role="status">{}</div>
        <div id="flash" role="alert"></div>
        <div id="notices" role="status"></div>
        {}
        </main>
        <div id="updates" sse-swap="update" hx-swap="none" hidden></div>
        <div id="changed" sse-swap="changed" hx-swap="none" hidden></div>
        <div id="reload" sse-swap="reload" hx-swap="none" hidden></div>
        </div>
        </body>
        </html>
        """, Html.attr(csrf), title, Html.attr(csrf), Html.attr(events), sidebar, store, main);
  }

  /** Whether the store answers: a line while it does not. */
  Html store(String problem) {
    return problem == null ? Html.EMPTY : Html.t("<p class=\"warning\">The store is not answering ({}); still trying. "
        + "Messages you send wait in the outbox.</p>", problem);
  }

  // ---------------------------------------------------------------- chat list

  Html sidebar(Sidebar s) {
    Html.Builder items = new Html.Builder();
    for (ListEntry e : s.chats()) {
      boolean here = e.chat().key().equals(s.current());
      items.add(Html.t("<li><a href=\"/chat/{}\" class=\"chat{}\"{}><span class=\"kind\" aria-hidden=\"true\">{}</span>"
              + "<span class=\"name\">{}</span>{}{}{}</a></li>",
          Html.attr(e.chat().key()), Html.markup(e.chat().isGroup() ? " group" : ""),
          Html.markup(here ? " aria-current=\"page\"" : ""), e.chat().isGroup() ? "#" : "@", e.chat().name(),
          e.note() == null ? Html.EMPTY : Html.t(" <span class=\"note\">{}</span>", e.note()),
          e.joinRequests() > 0 ? Html.t(" <span class=\"badge ask\" title=\"asking to join\">{} asking</span>", e.joinRequests())
              : Html.EMPTY,
          e.unread() > 0 ? Html.t(" <span class=\"badge\" aria-label=\"{} unread\">{}</span>", e.unread(), e.unread())
              : Html.EMPTY));
    }
    Html list = s.chats().isEmpty()
        ? Html.markup("<p class=\"empty\">No chats yet: add a friend by their card, or from the directory.</p>")
        : Html.t("<ul class=\"chats\">{}</ul>", items.build());
    return Html.t("""
        <div class="me"><span class="who">{}</span>
        <a class="action" href="/add" accesskey="n">Add a friend</a>
        <a class="action" href="/new-group">New group</a></div>
        {}
        <a class="requests{}" href="/requests">Message requests{}</a>
        """, s.me(), list, Html.markup("requests".equals(s.current()) ? " current" : ""),
        s.messageRequests() > 0 ? Html.t(" <span class=\"badge\">{}</span>", s.messageRequests()) : Html.EMPTY);
  }

  // ---------------------------------------------------------------- a chat

  /** The pane of one chat: its header, history, join requests (a group's admins), outbox and composer. */
  Html chatPane(Chat chat, String subtitle, boolean verified, Html history, Html outbox, Html joinRequests,
      boolean canWrite) {
    Html badge = chat.isGroup() ? Html.EMPTY : verified ? Html.markup(" <span class=\"verified\">verified</span>")
        : Html.t(" <a class=\"unverified\" href=\"/chat/{}/info\">not verified</a>", Html.attr(chat.key()));
    Html composer = canWrite ? Html.t("""
        <form id="composer" class="composer" data-send="/chat/{}/send">
        <div id="replying" class="replying" hidden><span class="label">Replying to</span> <span class="who"></span>
        <span class="excerpt"></span><input type="hidden" name="reply_to" id="reply-to" value="">
        <button type="button" class="cancel-reply quiet" aria-label="Cancel the reply" title="Cancel the reply (Esc)">×</button></div>
        <label for="text" class="sr">Message to {}</label>
        <textarea id="text" name="text" rows="2" autofocus data-enter-sends
         placeholder="Message {} (Enter sends, Shift+Enter starts a new line)"></textarea>
        <input id="file" type="file" class="sr" data-upload="/chat/{}/file" multiple>
        <label class="attach button" for="file">Send a file</label>
        <button type="submit">Send</button>
        </form>
        """, Html.attr(chat.key()), chat.name(), Html.attr(chat.name()), Html.attr(chat.key()))
        : Html.markup("<p class=\"composer closed\">You are no longer in this group: nothing you write would be read.</p>");
    return Html.t("""
        <header class="chat-head"><h1>{}</h1>{}<span class="sub">{}</span>
        <a class="action" href="/chat/{}/info">{}</a></header>
        <div id="join-requests">{}</div>
        {}
        <div id="outbox">{}</div>
        <div id="transfers" aria-live="polite"></div>
        {}
        """, chat.name(), badge, subtitle, Html.attr(chat.key()), chat.isGroup() ? "Members and settings"
        : "Safety number", joinRequests, history, outbox, composer);
  }

  /**
   * The history of a chat: a button for older messages (when there are any), then the messages, which the event
   * stream extends ({@code sse-swap="message"}). A Published event reloads it ({@code sse:history}) so queued
   * messages show as sent. A message the stream says changed is asked for again from {@code data-message}.
   */
  Html history(Chat chat, int pages, History h, Names people) throws Exception {
    Html.Builder items = new Html.Builder();
    for (Message m : h.messages()) {
      items.add(message(chat, m, people));
    }
    int n = 0;
    for (FeedWarning w : h.warnings()) {
      items.add(warning(chat, w, people, "h" + n++));
    }
    Html older = h.hasOlder()
        ? Html.t("<button class=\"older\" hx-get=\"/chat/{}/history?pages={}\" hx-target=\"#history\" hx-swap=\"outerHTML\">"
            + "Show older messages</button>", Html.attr(chat.key()), pages * 2)
        : Html.markup(h.messages().isEmpty() ? "<p class=\"start\">No messages yet.</p>"
            : "<p class=\"start\">This is the beginning of the conversation.</p>");
    Html problem = h.storeProblem().isPresent()
        ? Html.t("<p class=\"warning\">The store could not be read ({}): this is the copy kept on this computer, "
            + "which may miss the newest messages.</p>", h.storeProblem().get().sentence())
        : Html.EMPTY;
    return Html.t("""
        <section id="history" class="history" aria-label="Messages" hx-get="/chat/{}/history?pages={}"
         hx-trigger="sse:history" hx-swap="outerHTML" data-read="/chat/{}/read" data-message="/chat/{}/message">
        {}{}
        <ol id="messages" class="messages" role="log" aria-live="polite" sse-swap="message" hx-swap="beforeend">{}</ol>
        </section>
        """, Html.attr(chat.key()), pages, Html.attr(chat.key()), Html.attr(chat.key()), older, problem, items.build());
  }

  /**
   * One message, with its controls. A text is the sender's words, shown as text; a file offers its download;
   * anything else (a group operation, a type this version cannot show) is a line of its own form
   * ({@link Output#operation}), which no text can imitate: a text always has its sender's name above it.
   *
   * <p>What the core folded onto it is shown with it: the message it answers (quoted, a link to it), its reactions
   * grouped by emoji, "edited" with the earlier texts, "This message was deleted." instead of a deleted message's
   * text, and for this person's own messages how far the others read. A reaction, edit or delete that arrives on
   * its own (not folded: a message request's list) is a line saying what it did, as the terminal's.
   */
  Html message(Chat chat, Message m, Names people) throws Exception {
    return message(chat, m, people, true, false);
  }

  /** As {@link #message(Chat, Message, Names)}, replacing the message shown with the same id (htmx out of band). */
  Html messageInPlace(Chat chat, Message m, Names people) throws Exception {
    return message(chat, m, people, true, true);
  }

  private Html message(Chat chat, Message m, Names people, boolean controls, boolean inPlace) throws Exception {
    boolean sent = m.direction() == Message.Direction.SENT;
    String who = sent ? "me" : chat.isGroup() ? people.nameOf(m.sender()) : chat.name();
    boolean queued = m.status() == Message.Status.QUEUED;
    Html oob = Html.markup(inPlace ? " hx-swap-oob=\"true\"" : "");
    Content c = m.content();
    Relations r = m.relations();
    Html seen = Html.EMPTY;
    if (sent) {
      Optional<String> words = MessageActions.seen(r.seen(), chat.isGroup());
      seen = words.isPresent() ? Html.t(" <span class=\"seen\">{}</span>", words.get()) : Html.EMPTY;
    }
    Html meta = Html.t("<div class=\"meta\"><span class=\"who\">{}</span> <time datetime=\"{}\">{}</time>{}{}{}</div>",
        who, Html.attr(m.sentAt().toString()), time.apply(m.sentAt()),
        queued ? Html.markup(" <span class=\"status\">queued: sent automatically once the store answers</span>")
            : Html.EMPTY,
        c instanceof Content.Text && ((Content.Text) c).mentions().stream().anyMatch(people::isMe)
            ? Html.markup(" <span class=\"mention\">mentions you</span>") : Html.EMPTY,
        seen);
    String domId = Chat.domId(m.id());
    if (r.deleted()) {
      return Html.t("<li id=\"{}\" class=\"msg {} deleted\" data-id=\"{}\"{}>{}<div class=\"body\">"
          + "<em>This message was deleted.</em></div></li>", Html.attr(domId), Html.markup(sent ? "sent" : "received"),
          Html.attr(m.id()), oob, meta);
    }
    if (c instanceof Content.Reaction || c instanceof Content.Edit || c instanceof Content.Delete) {
      return Html.t("<li id=\"{}\" class=\"op relation\" data-id=\"{}\"{}><span class=\"star\">*</span> "
              + "<span class=\"who\">{}</span> <span class=\"what\" hx-disable>{}</span> <time datetime=\"{}\">{}</time></li>",
          Html.attr(domId), Html.attr(m.id()), oob, who, relation(c, people), Html.attr(m.sentAt().toString()),
          time.apply(m.sentAt()));
    }
    Optional<ChatFiles.FileInfo> file = FileMessages.offer(m);
    Html body;
    String kind;
    if (file.isPresent()) {
      kind = "file";
      body = fileBody(chat, m, file.get());
    } else if (ChatFiles.TYPE.equals(m.type())) {
      kind = "file";
      body = Html.markup("<div class=\"body\">[a file whose description is damaged]</div>");
    } else if (Message.TEXT.equals(m.type())) {
      kind = "text";
      body = Html.t("<div class=\"body\" hx-disable>{}</div>", Html.lines(m.text()));
    } else {
      return Html.t("<li id=\"{}\" class=\"op\" data-id=\"{}\"{}><span class=\"star\">*</span> <span class=\"who\">{}</span> "
              + "<span class=\"what\" hx-disable>{}</span> <time datetime=\"{}\">{}</time></li>",
          Html.attr(domId), Html.attr(m.id()), oob, who, Output.operation(m), Html.attr(m.sentAt().toString()),
          time.apply(m.sentAt()));
    }
    Html replyTo = c instanceof Content.Text && ((Content.Text) c).replyTo().isPresent()
        ? quote(((Content.Text) c).replyTo().get(), people) : Html.EMPTY;
    return Html.t("<li id=\"{}\" class=\"msg {} {}{}\" data-id=\"{}\"{}>{}{}{}{}{}{}</li>", Html.attr(domId),
        Html.markup(sent ? "sent" : "received"), Html.markup(kind), Html.markup(queued ? " queued" : ""),
        Html.attr(m.id()), oob, meta, replyTo, body, reactions(chat, m, people, controls), edited(r),
        controls ? actions(chat, m, people) : Html.EMPTY);
  }

  /** A message another one refers to: its author and the start of its text, a link to it; or what is known of it. */
  Html quote(Content.Quote q, Names people) throws Exception {
    Html what;
    if (q.deleted()) {
      what = Html.markup("<span class=\"excerpt\">a deleted message</span>");
    } else if (!q.held()) {
      what = Html.markup("<span class=\"excerpt\">a message you do not have</span>");
    } else {
      String author = q.author().isPresent() ? people.nameOf(q.author().get()) : "someone";
      what = q.start().isEmpty() ? Html.t("<span class=\"excerpt\">a message of {}&#39;s</span>", author)
          : Html.t("<span class=\"who\">{}</span> <span class=\"excerpt\">{}</span>", author, q.start().get());
    }
    return Html.t("<a class=\"quote\" href=\"#{}\" hx-disable><span class=\"sr\">In reply to </span>{}</a>",
        Html.attr(Chat.domId(q.id())), what);
  }

  /** What a reaction, edit or delete handed out on its own did, in the terminal's words. */
  private Html relation(Content c, Names people) throws Exception {
    if (c instanceof Content.Reaction) {
      Content.Reaction x = (Content.Reaction) c;
      return x.removed() ? Html.t("took back their reaction to {}", quote(x.to(), people))
          : Html.t("reacted {} to {}", x.emoji().get(), quote(x.to(), people));
    }
    if (c instanceof Content.Edit) {
      Content.Edit x = (Content.Edit) c;
      return Html.t("edited {}, which now reads: {}", quote(x.to(), people), Html.lines(x.text()));
    }
    return Html.t("deleted {} (it stays on the ledger, sealed)", quote(((Content.Delete) c).to(), people));
  }

  /**
   * The reactions standing on a message, one button per emoji with its count and who (in the title); pressing one
   * adds this person's reaction with that emoji, or takes it back when it is theirs.
   */
  private Html reactions(Chat chat, Message m, Names people, boolean controls) throws Exception {
    if (m.relations().reactions().isEmpty()) {
      return Html.EMPTY;
    }
    Map<String, List<PublicCard>> byEmoji = new LinkedHashMap<>();
    for (Relations.Reaction x : m.relations().reactions()) {
      byEmoji.computeIfAbsent(x.emoji(), k -> new ArrayList<>()).add(x.from());
    }
    Html.Builder chips = new Html.Builder();
    for (Map.Entry<String, List<PublicCard>> e : byEmoji.entrySet()) {
      List<String> whoNames = new ArrayList<>();
      boolean mine = false;
      for (PublicCard card : e.getValue()) {
        whoNames.add(people.nameOf(card));
        mine |= people.isMe(card);
      }
      String title = String.join(", ", whoNames);
      int n = e.getValue().size();
      if (controls && Relations.canReactTo(m)) {
        chips.add(Html.t("<button type=\"button\" class=\"chip{}\" title=\"{}\" aria-pressed=\"{}\" aria-label=\"{} {}: {}\""
                + " {}><span class=\"emoji\">{}</span> <span class=\"count\">{}</span></button>",
            Html.markup(mine ? " mine" : ""), Html.attr(title), Html.markup(mine ? "true" : "false"), Html.attr(e.getKey()),
            n, Html.attr(title), react(chat, m, mine ? null : e.getKey()), e.getKey(), n));
      } else {
        chips.add(Html.t("<span class=\"chip{}\" title=\"{}\"><span class=\"emoji\">{}</span> <span class=\"count\">{}</span></span>",
            Html.markup(mine ? " mine" : ""), Html.attr(title), e.getKey(), n));
      }
    }
    return Html.t("<div class=\"reactions\">{}</div>", chips.build());
  }

  /** The htmx attributes of a button that reacts to {@code m} with {@code emoji} (null: takes the reaction back). */
  private Html react(Chat chat, Message m, String emoji) {
    JsonObject vals = new JsonObject();
    vals.addProperty("id", m.id());
    if (emoji == null) {
      vals.addProperty("remove", "1");
    } else {
      vals.addProperty("emoji", emoji);
    }
    return Html.t("hx-post=\"/chat/{}/react\" hx-vals=\"{}\" hx-target=\"#{}\" hx-swap=\"outerHTML\"",
        Html.attr(chat.key()), Html.attr(vals.toString()), Html.attr(Chat.domId(m.id())));
  }

  /** "edited", and the earlier texts under it. */
  private Html edited(Relations r) {
    if (r.edited().isEmpty()) {
      return Html.EMPTY;
    }
    Html.Builder versions = new Html.Builder();
    if (r.edits() > r.earlier().size()) {
      versions.add(Html.t("<li class=\"hint\">{} older texts not kept</li>", r.edits() - r.earlier().size()));
    }
    for (Relations.Version v : r.earlier()) {
      versions.add(Html.t("<li><time datetime=\"{}\">{}</time> <span class=\"before\" hx-disable>{}</span></li>",
          Html.attr(v.at().toString()), time.apply(v.at()), Html.lines(v.text())));
    }
    return Html.t("<details class=\"edited\"><summary>edited <time datetime=\"{}\">{}</time></summary>"
        + "<ol class=\"versions\" aria-label=\"Earlier texts\">{}</ol></details>",
        Html.attr(r.edited().get().toString()), time.apply(r.edited().get()), versions.build());
  }

  /**
   * Controls beside a message: Reply (fills the composer's "replying to" bar), React (a few emoji; this person's
   * own reaction again takes it back), Edit (own texts, an inline form) and Delete (own messages, confirmed in a
   * second step that says what a delete cannot do). What may be done is the core's rule ({@link Relations}).
   */
  Html actions(Chat chat, Message m, Names people) throws Exception {
    if (!Relations.canReactTo(m) || m.status() == Message.Status.QUEUED) {
      return Html.EMPTY;
    }
    String mine = m.relations().reactions().stream().filter(x -> people.isMe(x.from())).map(Relations.Reaction::emoji)
        .findFirst().orElse(null);
    String who = m.direction() == Message.Direction.SENT ? "me" : chat.isGroup() ? people.nameOf(m.sender()) : chat.name();
    Optional<ChatFiles.FileInfo> file = FileMessages.offer(m);
    String excerpt = file.isPresent() ? file.get().name() : m.text();
    String line = excerpt.lines().findFirst().orElse("");
    if (line.codePointCount(0, line.length()) > Content.Quote.START_CHARACTERS) {
      line = line.substring(0, line.offsetByCodePoints(0, Content.Quote.START_CHARACTERS)) + "…";
    }
    String domId = Chat.domId(m.id());
    Html.Builder picks = new Html.Builder();
    for (String emoji : MessageActions.QUICK_REACTIONS) {
      boolean pressed = emoji.equals(mine);
      picks.add(Html.t("<button type=\"button\" class=\"pick{}\" aria-pressed=\"{}\" aria-label=\"{}\" {}>{}</button>",
          Html.markup(pressed ? " mine" : ""), Html.markup(pressed ? "true" : "false"),
          Html.attr(pressed ? "take back " + emoji : "react " + emoji), react(chat, m, pressed ? null : emoji), emoji));
    }
    if (mine != null && !MessageActions.QUICK_REACTIONS.contains(mine)) {
      picks.add(Html.t("<button type=\"button\" class=\"pick mine\" aria-pressed=\"true\" aria-label=\"take back {}\" {}>{}</button>",
          Html.attr(mine), react(chat, m, null), mine));
    }
    Html edit = Relations.canEdit(m, own(m)) ? Html.t("""
        <details class="edit"><summary>Edit</summary>
        <form hx-post="/chat/{}/edit" hx-target="#{}" hx-swap="outerHTML">
        <input type="hidden" name="id" value="{}">
        <label class="sr" for="edit-{}">New text</label>
        <textarea id="edit-{}" name="text" rows="2" required>{}</textarea>
        <button type="submit">Save</button></form></details>""", Html.attr(chat.key()), Html.attr(domId), Html.attr(m.id()),
        Html.attr(domId), Html.attr(domId), Html.field(m.text())) : Html.EMPTY;
    Html delete = Relations.canDelete(m, own(m)) ? Html.t("""
        <details class="delete"><summary>Delete</summary>
        <p class="hint">{}</p>
        <button type="button" class="danger" hx-post="/chat/{}/delete" hx-vals="{}" hx-target="#{}" hx-swap="outerHTML">\
        Delete for everyone</button></details>""", DeleteCommand.HONEST, Html.attr(chat.key()),
        Html.attr(idJson(m)), Html.attr(domId)) : Html.EMPTY;
    return Html.t("""
        <div class="actions" role="group" aria-label="Actions on this message">
        <button type="button" class="reply" data-reply="{}" data-who="{}" data-excerpt="{}">Reply</button>
        <details class="react"><summary>React</summary><div class="picker">{}</div></details>
        {}{}</div>""", Html.attr(m.id()), Html.attr(who), Html.attr(line), picks.build(), edit, delete);
  }

  /** This person's card when {@code m} is theirs (a message sent is this person's by definition), else null. */
  private static PublicCard own(Message m) {
    return m.direction() == Message.Direction.SENT ? m.sender() : null;
  }

  private static String idJson(Message m) {
    JsonObject vals = new JsonObject();
    vals.addProperty("id", m.id());
    return vals.toString();
  }

  private Html fileBody(Chat chat, Message m, ChatFiles.FileInfo f) {
    String url = "/chat/" + chat.key() + "/file/" + URLEncoder.encode(FileMessages.fileId(m), StandardCharsets.UTF_8);
    return Html.t("""
        <div class="body file" hx-disable><a class="download" href="{}" download>{}</a>
        <span class="size">{}</span><span class="caption">{}</span>
        <span class="transfer" id="{}"></span></div>""", Html.attr(url), f.name(), FileMessages.size(f.size()),
        f.caption(), Html.attr(transferId("dl", m.id())));
  }

  /** The element a file's progress is shown in: {@code up-…} for a send, {@code dl-…} for a download. */
  static String transferId(String kind, String id) {
    return kind + "-" + Chat.domId(id).substring(2);
  }

  /** A problem the store showed while reading this chat, as a line of the history. */
  Html warning(Chat chat, FeedWarning w, Names people, String id) throws Exception {
    String whose = w.ownFeed() ? "your" : (chat.isGroup() ? people.nameOf(w.writer()) : chat.name()) + "'s";
    return Html.t("<li id=\"w-{}\" class=\"warning{}\" role=\"alert\"><strong>{}</strong> {} page {}: {}</li>",
        Html.attr(id), Html.markup(w.kind().isSecurityProblem() ? " security" : ""),
        w.kind().isSecurityProblem() ? "Security warning (" + w.kind().name().toLowerCase(Locale.ROOT) + "):" : "Note:",
        whose, w.page(), w.detail(people.function()));
  }

  /** A line in the history that is no one's message (joined, removed). */
  Html notice(String id, String text) {
    return Html.t("<li id=\"{}\" class=\"notice\">{}</li>", Html.attr(id), text);
  }

  Html outbox(int pending, String problem) {
    if (pending == 0) {
      return Html.EMPTY;
    }
    return Html.t("<p class=\"outbox\">{} message(s) queued{}; they are sent automatically once the store answers.</p>",
        pending, problem == null ? "" : ": " + problem);
  }

  /** Requests to join a group, for its admins: the name is the requester's claim, the fingerprint the fact. */
  Html joinRequests(Chat chat, List<Groups.JoinRequest> requests) {
    if (requests.isEmpty()) {
      return Html.EMPTY;
    }
    Html.Builder items = new Html.Builder();
    for (Groups.JoinRequest r : requests) {
      items.add(Html.t("""
          <li class="join-request"><span class="claim">{}</span> <span class="fp">{}</span> asks to join.
          <button hx-post="/chat/{}/approve" hx-vals='{"requester":"{}"}'>Approve</button>
          <button class="quiet" hx-post="/chat/{}/deny" hx-vals='{"requester":"{}"}'>Deny</button></li>
          """, r.name(), r.card().fingerprintText(), Html.attr(chat.key()), Html.attr(Chat.hex(r.card())),
          Html.attr(chat.key()), Html.attr(Chat.hex(r.card()))));
    }
    return Html.t("<section class=\"requests-banner\" aria-label=\"Requests to join\"><h2>Asking to join</h2>"
        + "<p class=\"hint\">A name is only what they call themselves: compare the fingerprint with them.</p><ul>{}</ul></section>",
        items.build());
  }

  // ---------------------------------------------------------------- details of a chat

  /** A friend's details: the safety number both see, and whether it was compared. */
  Html friendInfo(Chat chat, Friend f, PublicCard me, String safetyNumber) {
    Html mark = f.verified()
        ? Html.t("<p class=\"verified\">You marked {} as verified: you compared this number before.</p>", f.nickname())
        : Html.t("<p>Compare this number with {} in person or on a call you trust. If it matches:</p>"
            + "<button hx-post=\"/chat/{}/verify\">Mark as verified</button>",
            f.nickname(), Html.attr(chat.key()));
    return Html.t("""
        <header class="chat-head"><h1>{}</h1><a class="action" href="/chat/{}">Back to the chat</a></header>
        <section class="panel" aria-label="Safety number">
        <h2>Safety number</h2>
        <p class="safety" aria-label="safety number">{}</p>
        {}
        <dl><dt>Their fingerprint</dt><dd class="fp">{}</dd><dt>Yours</dt><dd class="fp">{}</dd>
        <dt>Their card</dt><dd><textarea class="card" readonly rows="3" aria-label="their card">{}</textarea></dd></dl>
        </section>
        """, f.nickname(), Html.attr(chat.key()), safetyNumber, mark, f.card().fingerprintText(), me.fingerprintText(),
        f.card().toString());
  }

  /** A group's members, its links and requests (admins), adding a friend, leaving. */
  Html groupInfo(Chat chat, GroupInfo g, PublicCard me, Names people, List<Friend> addable, List<Groups.JoinRequest> asks,
      String newLink) throws Exception {
    boolean admin = g.isAdmin(me);
    Html.Builder members = new Html.Builder();
    for (PublicCard m : g.members()) {
      boolean self = m.equals(me);
      members.add(Html.t("<li><span class=\"name\">{}</span>{} <span class=\"fp\">{}</span>{}</li>",
          self ? "me" : people.nameOf(m), g.isAdmin(m) ? Html.markup(" <span class=\"badge\">admin</span>") : Html.EMPTY,
          m.fingerprintText(),
          admin && !self && g.active()
              ? Html.t(" <button class=\"quiet\" hx-post=\"/chat/{}/remove\" hx-vals='{\"member\":\"{}\"}' "
                  + "hx-confirm=\"Remove this member? The group gets a new key they do not hold.\">Remove</button>",
                  Html.attr(chat.key()), Html.attr(Chat.hex(m)))
              : Html.EMPTY));
    }
    Html.Builder options = new Html.Builder();
    for (Friend f : addable) {
      options.add(Html.t("<option value=\"{}\">{}</option>", Html.attr(f.nickname()), f.nickname()));
    }
    Html add = !g.active() || addable.isEmpty() ? Html.EMPTY : Html.t("""
        <form class="row" hx-post="/chat/{}/add">
        <label for="add-nick">Add a friend</label> <select id="add-nick" name="nick">{}</select>
        <label><input type="checkbox" name="share_history" value="1"> with the earlier messages</label>
        <button type="submit">Add</button></form>""", Html.attr(chat.key()), options.build());
    Html.Builder open = new Html.Builder();
    for (GroupInfo.Link l : g.links()) {
      if (!l.text().equals(newLink)) {
        open.add(Html.t("<li><textarea class=\"card\" readonly rows=\"2\" aria-label=\"open link\">{}</textarea>"
            + "<span class=\"hint\">made by {}</span></li>", l.text(), people.nameOf(l.maker().orElse(me))));
      }
    }
    Html openLinks = open.build();
    Html links = !admin || !g.active() ? Html.EMPTY : Html.t("""
        <h2>Invite by link</h2>
        <p class="hint">Whoever holds a link can ask to join; every admin sees the requests, and any of you approves or denies each.</p>
        {}
        {}
        <div class="row"><button hx-post="/chat/{}/link" hx-target="#main" hx-select="#main > *">Make a link</button>
        {}</div>""",
        newLink != null ? Html.t("<textarea class=\"card\" readonly rows=\"2\" aria-label=\"link to join\">{}</textarea>", newLink)
            : Html.EMPTY,
        openLinks.isEmpty() ? Html.EMPTY : Html.t("<h3>Open links</h3><ul class=\"links\">{}</ul>", openLinks),
        Html.attr(chat.key()),
        g.links().isEmpty() ? Html.EMPTY : Html.t("<button class=\"quiet\" hx-post=\"/chat/{}/revoke-links\">"
            + "Revoke every link</button>", Html.attr(chat.key())));
    Html leave = g.active() ? Html.t("<button class=\"danger\" hx-post=\"/chat/{}/leave\" hx-confirm=\"Leave this group?\">"
        + "Leave the group</button>", Html.attr(chat.key())) : Html.EMPTY;
    String status = g.active() ? (g.confirmed() ? "" : "Read-only until an admin vouches for the key you were handed.")
        : g.status() == GroupInfo.Status.LEFT ? "You left this group." : "You were removed from this group.";
    return Html.t("""
        <header class="chat-head"><h1>{}</h1><a class="action" href="/chat/{}">Back to the chat</a></header>
        <section class="panel" aria-label="Members">
        <p>{}</p>
        <h2>Members ({})</h2><ul class="members">{}</ul>
        {}
        {}
        {}
        <p class="hint">Key (epoch) <span class="fp">{}</span>: the same for every member who reads the same group.</p>
        {}
        </section>
        """, chat.name(), Html.attr(chat.key()), status, g.members().size(), members.build(), add,
        admin ? joinRequests(chat, asks) : Html.EMPTY, links, g.epoch(), leave);
  }

  // ---------------------------------------------------------------- adding people and groups

  Html addPage(PublicCard me, String myName, List<String> pendingJoins) {
    Html.Builder joins = new Html.Builder();
    for (String link : pendingJoins) {
      joins.add(Html.t("<li><span class=\"fp\">{}…</span> <button hx-post=\"/groups/join\" hx-vals='{\"link\":\"{}\"}' "
          + "hx-target=\"#join-result\">Check again</button></li>", link.substring(0, Math.min(24, link.length())),
          Html.attr(link)));
    }
    return Html.t("""
        <header class="chat-head"><h1>Add a friend</h1></header>
        <section class="panel">
        <h2>Your card</h2>
        <p class="hint">Give it to the people who should be able to write to you.</p>
        <textarea class="card" readonly rows="3" aria-label="your card">{}</textarea>
        <p class="hint">Fingerprint <span class="fp">{}</span></p>

        <h2>By their card</h2>
        <form hx-post="/friends/add">
        <label for="nick">Nickname</label> <input id="nick" name="nick" required autocomplete="off" maxlength="32">
        <label for="card">Their card</label> <textarea id="card" name="card" rows="3" required placeholder="rc2:…"></textarea>
        <button type="submit">Add</button>
        </form>

        <h2>From the directory</h2>
        <p class="hint">Names in the directory are hints: anyone can claim any name. Compare the safety number afterwards.</p>
        <form hx-get="/directory" hx-target="#directory-results">
        <label for="dir-name">Name</label> <input id="dir-name" name="name" required autocomplete="off">
        <button type="submit">Look up</button>
        </form>
        <div id="directory-results" aria-live="polite"></div>

        <h2>Join a group by its link</h2>
        <form hx-post="/groups/join" hx-target="#join-result">
        <label for="link">Link</label> <input id="link" name="link" required autocomplete="off" placeholder="rcg1:…">
        <label for="as">Name the admins see</label> <input id="as" name="name" value="{}">
        <button type="submit">Ask to join</button>
        </form>
        <div id="join-result" aria-live="polite"></div>
        {}
        </section>
        """, me.toString(), me.fingerprintText(), Html.attr(myName),
        pendingJoins.isEmpty() ? Html.EMPTY : Html.t("<h3>Waiting for an admin</h3><ul>{}</ul>", joins.build()));
  }

  Html directoryResults(String name, List<Claimant> claimants) {
    if (claimants.isEmpty()) {
      return Html.t("<p>Nobody has published a card under \"{}\".</p>", name);
    }
    Html.Builder items = new Html.Builder();
    for (Claimant c : claimants) {
      items.add(Html.t("""
          <li><span class="name">{}</span> <span class="fp">{}</span> <span class="hint">published {}</span>
          <form class="row" hx-post="/friends/add-from-directory">
          <input type="hidden" name="name" value="{}"><input type="hidden" name="fingerprint" value="{}">
          <label>Nickname <input name="nick" required autocomplete="off" maxlength="32"></label>
          <button type="submit">Add</button></form></li>""", c.name(), c.card().fingerprintText(),
          time.apply(c.published()), Html.attr(name), Html.attr(Chat.hex(c.card()))));
    }
    return Html.t("{}<ul class=\"claimants\">{}</ul>", claimants.size() > 1
        ? Html.markup("<p class=\"warning\">More than one person claims this name: none is picked for you. Ask them for "
            + "the start of their fingerprint.</p>") : Html.EMPTY, items.build());
  }

  Html newGroupPage(List<Friend> friends) {
    Html.Builder boxes = new Html.Builder();
    for (Friend f : friends) {
      boxes.add(Html.t("<li><label><input type=\"checkbox\" name=\"members\" value=\"{}\"> {}</label></li>",
          Html.attr(f.nickname()), f.nickname()));
    }
    return Html.t("""
        <header class="chat-head"><h1>New group</h1></header>
        <section class="panel">
        <form hx-post="/groups/create">
        <label for="group-name">Name</label> <input id="group-name" name="name" required maxlength="64" autocomplete="off">
        <fieldset><legend>Members (each gets an invitation through your chat with them)</legend><ul class="pick">{}</ul></fieldset>
        <button type="submit">Create</button>
        </form></section>
        """, friends.isEmpty() ? Html.markup("<li>Add friends first.</li>") : boxes.build());
  }

  /** Messages from strangers: who (a fingerprint, the only fact), what they wrote, accept or ignore. */
  Html requestsPage(List<MessageRequest> requests, Names people) throws Exception {
    Html.Builder items = new Html.Builder();
    for (MessageRequest r : requests) {
      String who = Fingerprints.shortForm(r.from());
      Chat chat = new Chat(org.reschat.core.ChatId.direct(r.from()), Chat.key(org.reschat.core.ChatId.direct(r.from())), who);
      Html.Builder msgs = new Html.Builder();
      for (Message m : r.messages()) {
        msgs.add(message(chat, m, people, false, false)); // a stranger's: nothing to answer or react to before accepting
      }
      items.add(Html.t("""
          <li class="request"><h2>From <span class="fp">{}</span></h2>
          <p class="hint">Not a friend. Seen {}. Anyone can write first: check who it is before you answer.</p>
          <ol class="messages">{}</ol>
          <form class="row" hx-post="/requests/{}/accept">
          <label>Nickname <input name="nick" required autocomplete="off" maxlength="32"></label>
          <button type="submit">Accept</button>
          <button type="button" class="quiet" hx-post="/requests/{}/ignore" hx-confirm="Hide this person's requests for good?">
          Ignore</button></form></li>""", r.from().fingerprintText(), time.apply(r.seen()), msgs.build(),
          Html.attr(Chat.hex(r.from())), Html.attr(Chat.hex(r.from()))));
    }
    return Html.t("""
        <header class="chat-head"><h1>Message requests</h1></header>
        <section class="panel">{}</section>
        """, requests.isEmpty() ? Html.markup("<p>No message requests.</p>") : Html.t("<ul class=\"requests\">{}</ul>", items.build()));
  }

  /** This identity's devices, and on the first device the button that makes a link code. */
  Html devicesPage(List<org.reschat.core.DeviceInfo> devices, boolean firstDevice) {
    Html.Builder items = new Html.Builder();
    for (org.reschat.core.DeviceInfo d : devices) {
      items.add(Html.t("<li>{} <span class=\"fp\">{}</span> {}{}{}</li>", d.number(), d.id(), d.name().orElse("-"),
          d.thisDevice() ? " (this device)" : "", d.revoked() ? " (revoked)" : ""));
    }
    return Html.t("""
        <header class="chat-head"><h1>Your devices</h1></header>
        <section class="panel">
        <ul class="devices">{}</ul>
        {}
        <div id="link" aria-live="polite"></div>
        </section>
        """, items.build(), firstDevice ? Html.markup("""
        <h2>Link a new device</h2>
        <p class="hint">Makes a one-time code, valid for 10 minutes, for 'reschat --home DIR device join CODE' on the new
        device. Both screens then show ten digits: link only if they are the same.</p>
        <button hx-post="/devices/link" hx-target="#link">Link a new device</button>
        """) : Html.markup("<p class=\"hint\">Devices are linked and revoked on your first device.</p>"));
  }

  /** A fresh link code: as text, as a QR code, and a poller that shows the new device's request once it comes. */
  Html linkCode(String code, String until, String svg) {
    return Html.t("""
        <p>On the new device, until {}, run:</p>
        <textarea class="card" readonly rows="2" aria-label="the link code">reschat --home DIR device join {}</textarea>
        {}
        {}
        """, until, code, Html.markup(svg), linkWaiting());
  }

  /** Waiting for the new device's request: asks again every 2 seconds. */
  Html linkWaiting() {
    return Html.markup("<div id=\"link-request\" hx-get=\"/devices/link/request\" hx-trigger=\"every 2s\" "
        + "hx-swap=\"outerHTML\"><p class=\"hint\">Waiting for the new device…</p></div>");
  }

  /** The new device's request: its name and check, and the person's answer. */
  Html linkCheck(String check, String name) {
    return Html.t("""
        <div id="link-request">
        <p>The new device "{}" asks to be linked. Does it show <strong class="check">{}</strong>?</p>
        <button hx-post="/devices/link/approve" hx-vals='{"check":"{}"}' hx-target="#link-request">Yes, link it</button>
        <button hx-post="/devices/link/deny" hx-target="#link-request">No</button>
        </div>
        """, name, check, Html.attr(check));
  }

  Html welcome(String me) {
    return Html.t("""
        <header class="chat-head"><h1>ResChat</h1></header>
        <section class="panel"><p>Signed in as {}. Choose a chat, or add a friend.</p>
        <p class="hint">This page talks only to the reschat web process on this computer; your keys stay there.</p>
        <p><a href="/devices">Your devices</a></p></section>
        """, me);
  }

  /** A transfer's progress, replacing its element wherever it is shown. */
  Html transfer(String id, String label, long done, long total) {
    int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
    return Html.t("<span class=\"transfer\" id=\"{}\" hx-swap-oob=\"true\">{} <progress max=\"100\" value=\"{}\">{}%</progress>"
        + " {}%</span>", Html.attr(id), label, percent, percent, percent);
  }

  /** One sentence saying what went wrong, for the flash area. */
  Html error(String sentence) {
    return Html.t("<p class=\"error\">{}</p>", sentence);
  }

  Html ok(String sentence) {
    return Html.t("<p class=\"ok\">{}</p>", sentence);
  }
}
