package org.reschat.cli;

import com.google.gson.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.reschat.cli.commands.ChannelCommand;
import org.reschat.cli.commands.GroupCommand;
import org.reschat.cli.commands.RequestsCommand;
import org.reschat.cli.text.SafeText;
import org.reschat.core.ChatId;
import org.reschat.core.Event;

/**
 * Shows the chat engine's {@link Event}s as {@code receive} prints them: lines for people, one JSON object
 * per line with {@code --json}. The daemon sends the same JSON objects as notifications ({@link #json}), so
 * a script sees the same data whichever way it receives. Not thread-safe: one receiving thread prints.
 */
public final class EventPrinter {
  private final Session session;
  private final Output out;
  private final ChatPrinter chats;
  private final Map<ChatId, NamedChat> names = new HashMap<>();

  public EventPrinter(Session session, Output out) {
    this.session = session;
    this.out = out;
    this.chats = new ChatPrinter(out, new People(session));
  }

  /** Prints {@code e}: data on stdout, notes and warnings on stderr. */
  public void print(Event e) throws Exception {
    if (e instanceof Event.MessageReceived) {
      Event.MessageReceived m = (Event.MessageReceived) e;
      chats.message(named(m.in()), m.message());
    } else if (e instanceof Event.Warning) {
      Event.Warning w = (Event.Warning) e;
      chats.warning(named(w.in()), w.warning());
    } else if (e instanceof Event.Published) {
      Event.Published p = (Event.Published) e;
      if (!out.json()) {
        out.note("Published " + p.count() + " queued message(s) to " + SafeText.line(named(p.in()).name()) + ".");
      }
    } else if (e instanceof Event.StillQueued) {
      Event.StillQueued q = (Event.StillQueued) e;
      out.warn(q.pending() + " message(s) to " + SafeText.line(named(q.in()).name()) + " still queued: " + q.problem());
    } else if (e instanceof Event.GroupJoined) {
      Event.GroupJoined g = (Event.GroupJoined) e;
      names.remove(g.in());
      if (!out.json()) {
        out.note("You are in the group \"" + SafeText.line(g.name()) + "\" now: 'reschat chat "
            + SafeText.line(g.name()) + "' opens it.");
      }
    } else if (e instanceof Event.RemovedFromGroup) {
      Event.RemovedFromGroup r = (Event.RemovedFromGroup) e;
      if (!out.json()) {
        out.warn("you were removed from \"" + SafeText.line(r.name()) + "\" by "
            + (r.by() == null ? "an admin" : chats.people().nameOf(r.by())) + ".");
      }
    } else if (e instanceof Event.JoinRequested) {
      Event.JoinRequested j = (Event.JoinRequested) e;
      GroupCommand.printRequest(out, j.name(), j.request());
    } else if (e instanceof Event.MessageRequested) {
      RequestsCommand.print(out, ((Event.MessageRequested) e).request());
    } else if (e instanceof Event.RequestNotPosted) {
      out.warn(RequestsCommand.notPosted(chats.people().nameOf(((Event.RequestNotPosted) e).to())));
    } else if (e instanceof Event.ChannelPosted) {
      Event.ChannelPosted c = (Event.ChannelPosted) e;
      ChannelCommand.print(out, c.channel(), c.post());
    } else if (e instanceof Event.ChannelProblem) {
      Event.ChannelProblem c = (Event.ChannelProblem) e;
      out.warn("security (channel " + c.channel() + "): " + c.problem());
    } else if (e instanceof Event.StoreUnreachable) {
      out.warn("could not reach the store (" + ((Event.StoreUnreachable) e).cause().getMessage()
          + "); trying again at the next change or poll.");
    }
  }

  /**
   * The event as one JSON object, as {@code receive --json} prints it (what the daemon notifies), or empty for
   * events that {@code receive --json} shows only as a warning on stderr.
   */
  public Optional<JsonObject> json(Event e) throws Exception {
    if (e instanceof Event.MessageReceived) {
      Event.MessageReceived m = (Event.MessageReceived) e;
      return Optional.of(chats.json(named(m.in()), m.message()));
    } else if (e instanceof Event.Warning) {
      Event.Warning w = (Event.Warning) e;
      return Optional.of(Json.warning(w.warning(), chats.people().whose(named(w.in()), w.warning())));
    } else if (e instanceof Event.JoinRequested) {
      Event.JoinRequested j = (Event.JoinRequested) e;
      return Optional.of(Json.joinRequest(j.name(), j.request()));
    } else if (e instanceof Event.MessageRequested) {
      return Optional.of(Json.messageRequest(((Event.MessageRequested) e).request()));
    } else if (e instanceof Event.ChannelPosted) {
      Event.ChannelPosted c = (Event.ChannelPosted) e;
      return Optional.of(Json.channelPost(c.channel(), c.post()));
    }
    return Optional.empty();
  }

  /** The chat's name as this person calls it (a nickname, a group's name); a placeholder when it cannot be found. */
  public String nameOf(ChatId id) {
    try {
      return named(id).name();
    } catch (Exception e) {
      return "a chat";
    }
  }

  private NamedChat named(ChatId id) throws Exception {
    NamedChat known = names.get(id);
    if (known == null) {
      known = NamedChat.named(session, id);
      names.put(id, known);
    }
    return known;
  }
}
