package org.reschat.cli;

import java.util.Optional;
import org.reschat.cli.text.SafeText;
import org.reschat.core.ChatId;
import org.reschat.core.GroupInfo;
import org.reschat.localdb.Friend;
import org.reschat.localdb.ProfileException;

/**
 * A chat as this person named it: the core's {@link ChatId} and the name shown for it, a friend's nickname
 * or a group's name (nicknames and group names never clash: a group cannot take a friend's name).
 */
public record NamedChat(ChatId id, String name) {

  public boolean isGroup() {
    return id instanceof ChatId.Group;
  }

  public static NamedChat of(Friend f) {
    return new NamedChat(ChatId.direct(f.card()), f.nickname());
  }

  public static NamedChat of(GroupInfo g) {
    return new NamedChat(g.id(), g.name());
  }

  /** The friend or group called {@code name}; the identity is unlocked only when a group must be looked for. */
  public static NamedChat resolve(Session session, String name) throws Exception {
    Optional<NamedChat> friend = friend(session, name);
    if (friend.isPresent()) {
      return friend.get();
    }
    Optional<GroupInfo> group = findGroup(session, name);
    if (group.isPresent()) {
      return of(group.get());
    }
    throw unknown(session, name);
  }

  /**
   * The friend called {@code name}, found without the identity; empty when it may be a group (looking for
   * one needs the unlocked identity: group names are sealed). An unknown name in a profile without groups
   * is refused here, before any passphrase or store.
   */
  public static Optional<NamedChat> friend(Session session, String name) throws Exception {
    Optional<Friend> friend = session.profile().friends().find(name);
    if (friend.isPresent()) {
      return Optional.of(of(friend.get()));
    }
    if (session.profile().state().groupIds().isEmpty()) {
      throw unknown(session, name);
    }
    return Optional.empty();
  }

  /** A name nobody here holds; in a profile with no identity yet, that is what is said. */
  private static ProfileException unknown(Session session, String name) throws Exception {
    if (!session.profile().hasIdentity()) {
      return session.profile().noIdentity();
    }
    return new ProfileException(ProfileException.Kind.UNKNOWN_FRIEND, "You have no friend or group called \""
        + SafeText.line(name) + "\"; 'reschat friend list' and 'reschat group list' show them.");
  }

  /** The group this person holds under {@code name}. */
  public static Optional<GroupInfo> findGroup(Session session, String name) throws Exception {
    return session.client().groups().list().stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /** The chat {@code id} names, as this person calls it: a friend's nickname, a group's name, or a short fingerprint. */
  public static NamedChat named(Session session, ChatId id) throws Exception {
    if (id instanceof ChatId.Direct) {
      return new NamedChat(id, new People(session).nameOf(((ChatId.Direct) id).card()));
    }
    ChatId.Group group = (ChatId.Group) id;
    return new NamedChat(id, session.client().groups().info(group).map(GroupInfo::name).orElse("group " + group.id()));
  }
}
