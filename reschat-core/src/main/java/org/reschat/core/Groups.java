package org.reschat.core;

import java.util.List;
import java.util.Optional;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvException;

/**
 * Group membership: create a group, add and remove members, name admins, leave, and joining by link with
 * an admin's approval. Messages, history and files go through {@link ChatClient} with the group's
 * {@link ChatId.Group}, as for any chat. Every change starts a new key for the group; see the protocol.
 * Reached through {@link ChatClient#groups()}; thread-safe.
 *
 * <p>Failures: {@link GroupException} when the change is not allowed (not a member, not an admin, the
 * last admin stepping down…), {@link KvException} when the store cannot be read to write it,
 * {@link InvalidMessageException} when an operation would not fit a page, {@link LocalStateException}
 * when local files fail.
 *
 * <p>Linked devices (protocol §15.6): a group created, joined or left here, or a new epoch started here,
 * reaches this identity's other devices by itself. On a linked device, what needs the identity's signing key
 * fails with {@link GroupException.Reason#NOT_ALLOWED} naming device 0: {@link #create}, {@link #add},
 * {@link #remove}, {@link #setAdmin}, {@link #approve}, {@link #join}, and {@link #leave} where this person is
 * the last admin while others remain.
 */
public interface Groups {

  /** Someone who asks to join by a link: the name is their claim, the card the fact. */
  record JoinRequest(PublicCard card, String name) {}

  /**
   * What {@link #join} did: joined (an admin approved earlier), or asked; with warnings when a welcome was
   * refused or conflicts with the group held.
   */
  record JoinResult(Optional<GroupInfo> joined, boolean requested, List<FeedWarning> warnings) {
    public JoinResult {
      warnings = List.copyOf(warnings);
    }
  }

  /** Creates a group of this person (its first admin) and {@code members}, and invites each of them. */
  ChatId.Group create(String name, List<PublicCard> members)
      throws GroupException, InvalidMessageException, LocalStateException, KvException;

  /** Every group this person holds, by name. */
  List<GroupInfo> list() throws LocalStateException;

  /** The group {@code group} names, if this person holds it. */
  Optional<GroupInfo> info(ChatId.Group group) throws LocalStateException;

  /** Adds a friend (any member may): a new key, and an invitation (to all of the history with {@code shareHistory}). */
  GroupInfo add(ChatId.Group group, PublicCard newcomer, boolean shareHistory)
      throws GroupException, InvalidMessageException, LocalStateException, KvException;

  /** Removes a member (admins only): a new key without them; what they wrote before stays readable. */
  GroupInfo remove(ChatId.Group group, PublicCard member)
      throws GroupException, InvalidMessageException, LocalStateException, KvException;

  /** Makes a member an admin, or no longer one (admins only); a group keeps at least one. */
  GroupInfo setAdmin(ChatId.Group group, PublicCard member, boolean admin)
      throws GroupException, InvalidMessageException, LocalStateException, KvException;

  /** Leaves the group; an admin's client then starts a key without this person. */
  GroupInfo leave(ChatId.Group group) throws GroupException, InvalidMessageException, LocalStateException, KvException;

  /**
   * A link to ask to join (admins only), to share; requests come to every admin (the group's other admins
   * get the link's key through the group).
   */
  String link(ChatId.Group group) throws GroupException, LocalStateException, KvException;

  /** Revokes every open link of the group, whoever made it, for every admin: requests through them are no longer read. */
  GroupInfo revokeLinks(ChatId.Group group) throws GroupException, LocalStateException, KvException;

  /**
   * The group's open join links, any admin's, with who made each (admins only). Reads the group's ops first, as
   * {@link #joinRequests} does.
   */
  List<GroupInfo.Link> links(ChatId.Group group) throws GroupException, LocalStateException, KvException;

  /**
   * Who asks to join by the group's open links, any admin's (admins only). Reads the group's ops first (the
   * links, denials and revocations of the other admins); its messages are left for the next receive.
   */
  List<JoinRequest> joinRequests(ChatId.Group group) throws GroupException, LocalStateException, KvException;

  /** Lets a requester in (admins only): a new key, and a welcome only they can open. */
  GroupInfo approve(ChatId.Group group, PublicCard requester, boolean shareHistory)
      throws GroupException, InvalidMessageException, LocalStateException, KvException;

  /** Refuses a requester (admins only): their request is no longer shown. */
  GroupInfo deny(ChatId.Group group, PublicCard requester) throws GroupException, LocalStateException, KvException;

  /**
   * Asks to join by {@code link} under the name {@code name} (a claim the admins see), or completes the
   * join when an admin has approved; with {@code ask} false it only looks for an approval.
   */
  JoinResult join(String link, String name, boolean ask) throws GroupException, LocalStateException, KvException;
}
