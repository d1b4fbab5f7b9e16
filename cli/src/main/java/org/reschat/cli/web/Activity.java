package org.reschat.cli.web;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.Groups;
import org.reschat.core.Message;
import org.reschat.core.MessageRequest;
import org.reschat.core.identity.PublicCard;

/**
 * What the chat list shows beside each chat, learnt from the receiver's events while this process runs:
 * unread counts, the latest activity (the list's order), who asks to join, message requests, and whether the
 * store is answering. Kept in memory: the messages themselves are in the history on disk.
 *
 * <p>Message requests and join requests are taken from the events (and from the pages that list them, when a
 * person opens one) rather than asked of the core for every list: listing message requests reads the inbox,
 * which the threat model rations (each read tells a ledger operator that this client is its owner), and join
 * requests read each link's board.
 */
final class Activity {
  private final Clock clock;
  private final Map<ChatId, Integer> unread = new ConcurrentHashMap<>();
  private final Map<ChatId, Instant> last = new ConcurrentHashMap<>();
  private final Map<ChatId.Group, Map<PublicCard, Groups.JoinRequest>> joinRequests = new ConcurrentHashMap<>();
  private final Map<PublicCard, MessageRequest> messageRequests = new LinkedHashMap<>();
  private volatile String storeProblem;

  Activity(Clock clock) {
    this.clock = clock;
  }

  /** Takes in one event of the receiver (on its thread). */
  void note(Event e) {
    if (e instanceof Event.MessageReceived) {
      Event.MessageReceived m = (Event.MessageReceived) e;
      last.put(m.in(), clock.instant());
      if (m.message().direction() == Message.Direction.RECEIVED) {
        unread.merge(m.in(), 1, Integer::sum); // until a page shows it in a tab someone can see
      }
      storeProblem = null;
    } else if (e instanceof Event.Published) {
      storeProblem = null;
    } else if (e instanceof Event.GroupJoined) {
      last.put(((Event.GroupJoined) e).in(), clock.instant());
    } else if (e instanceof Event.JoinRequested) {
      Event.JoinRequested j = (Event.JoinRequested) e;
      joinRequests.computeIfAbsent(j.in(), g -> new ConcurrentHashMap<>()).put(j.request().card(), j.request());
      last.put(j.in(), clock.instant());
    } else if (e instanceof Event.MessageRequested) {
      MessageRequest r = ((Event.MessageRequested) e).request();
      synchronized (messageRequests) {
        messageRequests.put(r.from(), r);
      }
    } else if (e instanceof Event.StoreUnreachable) {
      storeProblem = ((Event.StoreUnreachable) e).cause().getMessage();
    }
  }

  /** This person sent something in {@code chat} (it moves up the list). */
  void sent(ChatId chat) {
    last.put(chat, clock.instant());
  }

  int unread(ChatId chat) {
    return unread.getOrDefault(chat, 0);
  }

  Optional<Instant> lastActivity(ChatId chat) {
    return Optional.ofNullable(last.get(chat));
  }

  /**
   * A page shows {@code chat} in a tab someone can see (it was opened, or its page says it is visible): what was
   * unread in it is read. A stream writing to a tab is not enough: the tab may be hidden, or already closed.
   */
  boolean read(ChatId chat) {
    return unread.remove(chat) != null;
  }

  List<Groups.JoinRequest> joinRequests(ChatId.Group group) {
    Map<PublicCard, Groups.JoinRequest> m = joinRequests.get(group);
    return m == null ? List.of() : List.copyOf(m.values());
  }

  /** Replaces what is known of {@code group}'s requests with a fresh list (the group's page read its links). */
  void joinRequests(ChatId.Group group, List<Groups.JoinRequest> now) {
    Map<PublicCard, Groups.JoinRequest> m = new ConcurrentHashMap<>();
    now.forEach(r -> m.put(r.card(), r));
    joinRequests.put(group, m);
  }

  void answered(ChatId.Group group, PublicCard requester) {
    Map<PublicCard, Groups.JoinRequest> m = joinRequests.get(group);
    if (m != null) {
      m.remove(requester);
    }
  }

  List<MessageRequest> messageRequests() {
    synchronized (messageRequests) {
      return new ArrayList<>(messageRequests.values());
    }
  }

  /** Replaces what is known of message requests with a fresh list (the requests page read the inbox). */
  void messageRequests(List<MessageRequest> now) {
    synchronized (messageRequests) {
      messageRequests.clear();
      now.forEach(r -> messageRequests.put(r.from(), r));
    }
  }

  void answered(PublicCard from) {
    synchronized (messageRequests) {
      messageRequests.remove(from);
    }
  }

  /** Why the store is not answering, while it is not; null when it is. */
  String storeProblem() {
    return storeProblem;
  }
}
