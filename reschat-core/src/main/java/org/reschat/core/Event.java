package org.reschat.core;

import java.util.Optional;
import org.reschat.core.channel.ChannelId;
import org.reschat.core.channel.ChannelPost;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvException;

/**
 * Something a {@link Receiver} found: what every front end (the terminal, the chat view, the daemon, an
 * embedding application) shows. Immutable values; what they say others wrote is as others wrote it, so
 * render it as text (never as markup or terminal control).
 */
public sealed interface Event permits Event.MessageReceived, Event.Warning, Event.Published, Event.StillQueued,
    Event.GroupJoined, Event.RemovedFromGroup, Event.JoinRequested, Event.MessageRequested, Event.RequestNotPosted,
    Event.ChannelPosted, Event.ChannelProblem, Event.StoreUnreachable, Event.FromOtherDevice {

  /** The chat the event is about; empty for message requests, channels and the store. */
  default Optional<ChatId> chat() {
    return Optional.empty();
  }

  /**
   * A message new to this client: someone else's, or this person's own sent from another process or
   * device (then {@link Message#direction()} is {@code SENT}). Delivered once.
   */
  record MessageReceived(ChatId in, Message message) implements Event {
    @Override
    public Optional<ChatId> chat() {
      return Optional.of(in);
    }
  }

  /** Something wrong found on the store while reading a chat (see {@link FeedWarning}). */
  record Warning(ChatId in, FeedWarning warning) implements Event {
    @Override
    public Optional<ChatId> chat() {
      return Optional.of(in);
    }
  }

  /** {@code count} of this person's queued messages in the chat are now confirmed on the store. */
  record Published(ChatId in, int count) implements Event {
    @Override
    public Optional<ChatId> chat() {
      return Optional.of(in);
    }
  }

  /** {@code pending} of this person's messages in the chat are still queued, because {@code problem}. */
  record StillQueued(ChatId in, int pending, String problem) implements Event {
    @Override
    public Optional<ChatId> chat() {
      return Optional.of(in);
    }
  }

  /** This person joined a group (an invitation taken), or came back to one they had left or been removed from. */
  record GroupJoined(ChatId.Group in, String name) implements Event {
    @Override
    public Optional<ChatId> chat() {
      return Optional.of(in);
    }
  }

  /** This person was removed from a group by {@code by}. */
  record RemovedFromGroup(ChatId.Group in, String name, PublicCard by) implements Event {
    @Override
    public Optional<ChatId> chat() {
      return Optional.of(in);
    }
  }

  /** Someone asks to join a group this person is an admin of, by one of its links. Announced once per run. */
  record JoinRequested(ChatId.Group in, String name, Groups.JoinRequest request) implements Event {
    @Override
    public Optional<ChatId> chat() {
      return Optional.of(in);
    }
  }

  /** Someone who is not a contact wrote to this person (announced once). */
  record MessageRequested(MessageRequest request) implements Event {}

  /**
   * This person's message request to {@code to} could not be posted (their inbox kept refusing it): {@code to}
   * sees this person's messages only once they add this card some other way. Reported once.
   */
  record RequestNotPosted(PublicCard to) implements Event {}

  /** A new post in a followed public channel. */
  record ChannelPosted(ChannelId channel, ChannelPost post) implements Event {}

  /** A followed channel was rolled back or rewritten on the store: one sentence. */
  record ChannelProblem(ChannelId channel, String problem) implements Event {}

  /** While following: the store could not be read this time; reading goes on at the next hint or interval. */
  record StoreUnreachable(KvException cause) implements Event {}

  /**
   * A change another device of this identity told through the self channel (protocol §15.6, {@link
   * Devices#tellOtherDevices}), for the application to make here too. Delivered once, in the order every device
   * merges them, first in a pass (before the chats, which a change may concern), whatever the pass's scope.
   */
  record FromOtherDevice(Devices.SelfChange change) implements Event {}
}
