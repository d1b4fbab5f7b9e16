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

  public People(Session session) {
    this.session = session;
  }

  /** "me" for this person, a friend's nickname, else the start of the fingerprint. */
  public String nameOf(PublicCard card) throws Exception {
    return card.equals(me()) ? "me" : otherName(card);
  }

  /** As {@link #nameOf}, but "you" for this person: how a sentence about someone names them. */
  public String whom(PublicCard card) throws Exception {
    return card.equals(me()) ? "you" : otherName(card);
  }

  private String otherName(PublicCard card) throws Exception {
    if (nicknames == null) {
      nicknames = new HashMap<>();
      for (Friend f : session.profile().friends().list()) {
        nicknames.put(f.card(), f.nickname());
        shortNames.put(FeedWarning.shortName(f.card()), f.nickname());
      }
    }
    String nick = nicknames.get(card);
    return nick != null ? nick : FeedWarning.shortName(card);
  }

  private PublicCard me() throws Exception {
    if (me == null) {
      me = session.card();
    }
    return me;
  }

  private PublicCard me;
  /** Friends by the start of their fingerprint, as a group's notes name members. */
  private final Map<String, String> shortNames = new HashMap<>();
  private static final java.util.regex.Pattern SHORT_FINGERPRINT = java.util.regex.Pattern.compile("\\b[0-9a-f]{4} [0-9a-f]{4}\\b");

  /**
   * A group's note ("[added 98bd efe8]", written by whoever made the change, naming members by the start of
   * their fingerprint) as this person reads it: "you" for them, a friend's nickname for a friend.
   */
  public String groupNote(String text) throws Exception {
    otherName(me()); // loads the friends
    String mine = FeedWarning.shortName(me());
    java.util.regex.Matcher m = SHORT_FINGERPRINT.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group().equals(mine) ? "you" : shortNames.getOrDefault(m.group(), m.group());
      m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(name));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** A person as lines about them name them: "you" for this person (as {@link #whom}). */
  @Override
  public String of(PublicCard card) {
    try {
      return whom(card);
    } catch (Exception e) {
      return FeedWarning.shortName(card);
    }
  }

  @Override
  public boolean isMe(PublicCard card) {
    try {
      return card.equals(me());
    } catch (Exception e) {
      return false; // no identity to compare with: nobody is this person
    }
  }

  @Override
  public String note(String summary) {
    try {
      return groupNote(summary);
    } catch (Exception e) {
      return summary;
    }
  }

  /** {@link #whom} as a function, for a warning that names who claims what; a short fingerprint if naming fails. */
  public java.util.function.Function<PublicCard, String> namer() {
    return this::of;
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
