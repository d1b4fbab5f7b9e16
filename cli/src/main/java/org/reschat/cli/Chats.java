package org.reschat.cli;

import java.util.Optional;
import org.reschat.core.ChatClient;
import org.reschat.core.GroupException;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.group.Group;
import org.reschat.core.group.Groups;
import org.reschat.core.identity.PublicCard;
import org.reschat.localdb.Friend;
import org.reschat.localdb.FriendList;
import org.reschat.localdb.ProfileException;
import org.reschat.kv.KvException;

/**
 * What {@code send}, {@code history} and {@code receive} talk to: a friend or a group, by the name the
 * person gave it. Nicknames and group names never clash (a group cannot be created with a friend's name).
 */
public sealed interface Chats permits Chats.WithFriend, Chats.InGroup {

  String name();

  SendResult send(ChatClient client, String text) throws Exception;

  /** Sends a message of any type (a file's offer, say). */
  SendResult send(ChatClient client, String type, byte[] extension, byte[] body) throws Exception;

  /** Own messages to this chat still queued. */
  int pending(ChatClient client) throws Exception;

  /** Names the audience a file's chunks are for (chunks do not depend on it; the upload journal does). */
  String scope();

  History history(ChatClient client, HistoryRequest request) throws Exception;

  Update update(ChatClient client) throws Exception;

  /** How a message's sender is shown: "me", a nickname, or for a stranger in a group a short fingerprint. */
  String sender(Message m) throws LocalStateException;

  /** Names whose feed a warning is about: the friend, or in a group the group and the member. */
  default String whose(org.reschat.core.FeedWarning w) throws LocalStateException {
    return name();
  }

  /** A member of this chat as this person knows them (a friend's nickname, "you", or a short fingerprint). */
  String nameOf(PublicCard card) throws LocalStateException;

  /** {@link #nameOf} for warnings that name who claims what; a short fingerprint when the friend list fails. */
  default java.util.function.Function<PublicCard, String> names() {
    return card -> {
      try {
        return nameOf(card);
      } catch (LocalStateException e) {
        return org.reschat.core.FeedWarning.shortName(card);
      }
    };
  }

  /** Prints one message of this chat as data or as a line. */
  default void print(Output out, Message m) throws LocalStateException {
    if (out.json()) {
      out.json(this instanceof InGroup ? Json.groupMessage(m, name(), sender(m)) : Json.message(m, name()));
    } else {
      out.line(out.format(m, sender(m)));
    }
  }

  /** The friend or group called {@code name}, needing the identity only for a group. */
  static Chats resolve(Session session, String name) throws Exception {
    FriendList friends = session.profile().friends();
    Optional<Friend> friend = friends.find(name);
    if (friend.isPresent()) {
      return new WithFriend(friend.get());
    }
    // Group names are sealed with the identity: look only when there are groups, so an unknown name in a
    // profile without any is refused before any passphrase or store.
    Optional<Group> group = session.profile().state().groupIds().isEmpty() ? Optional.empty()
        : findGroup(session.client().groups(), name);
    if (group.isPresent()) {
      return new InGroup(group.get(), friends);
    }
    throw new ProfileException(ProfileException.Kind.UNKNOWN_FRIEND, "You have no friend or group called \""
        + org.reschat.cli.text.SafeText.line(name) + "\"; 'reschat friend list' and 'reschat group list' show them.");
  }

  static Optional<Group> findGroup(Groups groups, String name) throws LocalStateException {
    return groups.list().stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /** A conversation with one friend. */
  record WithFriend(Friend friend) implements Chats {
    @Override
    public String name() {
      return friend.nickname();
    }

    @Override
    public SendResult send(ChatClient client, String text) throws Exception {
      return client.send(friend.card(), text);
    }

    @Override
    public SendResult send(ChatClient client, String type, byte[] extension, byte[] body) throws Exception {
      return client.send(friend.card(), type, extension, body);
    }

    @Override
    public String scope() {
      return org.reschat.core.crypto.Base64Url.encode(friend.card().signingKey());
    }

    @Override
    public int pending(ChatClient client) throws Exception {
      return client.pending(friend.card());
    }

    @Override
    public History history(ChatClient client, HistoryRequest request) throws Exception {
      return client.history(friend.card(), request);
    }

    @Override
    public Update update(ChatClient client) throws Exception {
      return client.update(friend.card());
    }

    @Override
    public String sender(Message m) {
      return friend.nickname();
    }

    /** In a conversation of two, anyone but the friend is this person. */
    @Override
    public String nameOf(PublicCard card) {
      return card.equals(friend.card()) ? friend.nickname() : "you";
    }
  }

  /** A group. */
  record InGroup(Group group, FriendList friends) implements Chats {
    @Override
    public String name() {
      return group.name();
    }

    @Override
    public SendResult send(ChatClient client, String text) throws InvalidMessageException, LocalStateException,
        KvException, GroupException {
      return client.groups().send(group, text);
    }

    @Override
    public SendResult send(ChatClient client, String type, byte[] extension, byte[] body) throws Exception {
      return client.groups().send(group, type, extension, body);
    }

    @Override
    public String scope() {
      return "g:" + group.id();
    }

    @Override
    public int pending(ChatClient client) throws Exception {
      return client.groups().pending(group);
    }

    @Override
    public History history(ChatClient client, HistoryRequest request) throws LocalStateException, KvException {
      return client.groups().history(group, request);
    }

    @Override
    public Update update(ChatClient client) throws LocalStateException, KvException {
      return client.groups().update(group);
    }

    @Override
    public String sender(Message m) throws LocalStateException {
      return nameOf(m.sender());
    }

    @Override
    public String whose(org.reschat.core.FeedWarning w) throws LocalStateException {
      return group.name() + ", " + (w.ownFeed() ? "you" : nameOf(w.writer()));
    }

    /** A member as this person knows them: a friend's nickname, else the start of the fingerprint. */
    @Override
    public String nameOf(PublicCard card) throws LocalStateException {
      for (Friend f : friends.list()) {
        if (f.card().equals(card)) {
          return f.nickname();
        }
      }
      return Groups.shortName(card);
    }
  }
}
