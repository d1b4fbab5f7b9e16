package org.reschat.cli;

import java.util.HashMap;
import java.util.Map;
import org.reschat.core.FeedWarning;
import org.reschat.core.Message;
import org.reschat.core.identity.PublicCard;
import org.reschat.localdb.Friend;

/**
 * How people are shown: "me", a friend's nickname, or for anyone else the start of their fingerprint. The
 * friend list is read once, when first needed.
 */
public final class People implements Names {
  private final Session session;
  private Map<PublicCard, String> nicknames;
  private PublicCard me;

  public People(Session session) {
    this.session = session;
  }

  /** "you" for this person, a friend's nickname, else the start of the fingerprint. */
  public String nameOf(PublicCard card) throws Exception {
    if (nicknames == null) {
      nicknames = new HashMap<>();
      for (Friend f : session.profile().friends().list()) {
        nicknames.put(f.card(), f.nickname());
      }
      nicknames.put(session.card(), "you");
    }
    String nick = nicknames.get(card);
    return nick != null ? nick : FeedWarning.shortName(card);
  }

  @Override
  public String of(PublicCard card) {
    return namer().apply(card);
  }

  @Override
  public boolean isMe(PublicCard card) {
    try {
      if (me == null) {
        me = session.card();
      }
      return card.equals(me);
    } catch (Exception e) {
      return false; // no identity to compare with: nobody is this person
    }
  }

  /** {@link #nameOf} as a function, for a warning that names who claims what; a short fingerprint if naming fails. */
  public java.util.function.Function<PublicCard, String> namer() {
    return card -> {
      try {
        return nameOf(card);
      } catch (Exception e) {
        return FeedWarning.shortName(card);
      }
    };
  }

  /** Who wrote {@code m}, as shown beside it ("me" for this person's own). */
  public String senderOf(Message m) throws Exception {
    return m.direction() == Message.Direction.SENT ? "me" : nameOf(m.sender());
  }

  /** Whose feed a warning is about: the friend, or in a group the group and the member. */
  public String whose(NamedChat chat, FeedWarning w) throws Exception {
    return chat.isGroup() ? chat.name() + ", " + (w.ownFeed() ? "you" : nameOf(w.writer())) : chat.name();
  }
}
