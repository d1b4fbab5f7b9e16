package org.reschat.core.internal.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.reschat.core.ChatId;
import org.reschat.core.GroupException;
import org.reschat.core.GroupInfo;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvException;

/**
 * The {@link org.reschat.core.Groups} API over the engine's {@link Groups} and {@link GroupLinks}: group
 * ids in, {@link GroupInfo} out, so no epoch, secret or link key crosses the API.
 */
public final class LedgerGroups implements org.reschat.core.Groups {
  private final Groups groups;
  private final Runnable ensureOpen;
  private final Told told;

  /** Tells the identity's other devices a group's state now (protocol §15.6, {@code SELF_GROUP}). */
  @FunctionalInterface
  public interface Told {
    void group(String id) throws LocalStateException;
  }

  /** {@code ensureOpen} throws {@link IllegalStateException} once the client is closed. */
  public LedgerGroups(Groups groups, Runnable ensureOpen) {
    this(groups, ensureOpen, id -> { });
  }

  /** As above; {@code told} hears of each group created, joined or left here. */
  public LedgerGroups(Groups groups, Runnable ensureOpen, Told told) {
    this.groups = groups;
    this.ensureOpen = ensureOpen;
    this.told = told;
  }

  /** What the API shows of a group this member holds. */
  public static GroupInfo info(Group g) {
    Epoch now = g.current();
    List<GroupInfo.Link> links = new ArrayList<>();
    for (JoinLink l : g.status() == Group.Status.ACTIVE ? g.activeLinks() : List.<JoinLink>of()) {
      links.add(new GroupInfo.Link(l.toString(), l.maker()));
    }
    return new GroupInfo(ChatId.group(g.id()), g.name(), now.members(), now.effectiveAdmins(),
        GroupInfo.Status.valueOf(g.status().name()), g.removedBy(), g.confirmed(), g.unconfirmedFrom(), now.id(), links);
  }

  /** Tells the other devices {@code g}'s state now (a rotation made here), and returns what the API shows. */
  private GroupInfo told(Group g) throws LocalStateException {
    told.group(g.id());
    return info(g);
  }

  private Group held(ChatId.Group id) throws GroupException, LocalStateException {
    ensureOpen.run();
    return groups.find(id.id()).orElseThrow(() -> new GroupException(GroupException.Reason.NOT_A_MEMBER,
        "You are not in that group."));
  }

  @Override
  public ChatId.Group create(String name, List<PublicCard> members)
      throws GroupException, InvalidMessageException, LocalStateException, KvException {
    ensureOpen.run();
    groups.requireIdentityKey("create a group");
    String id = groups.create(name, members).id();
    told.group(id);
    return ChatId.group(id);
  }

  @Override
  public List<GroupInfo> list() throws LocalStateException {
    ensureOpen.run();
    List<GroupInfo> out = new ArrayList<>();
    for (Group g : groups.list()) {
      out.add(info(g));
    }
    return out;
  }

  @Override
  public Optional<GroupInfo> info(ChatId.Group group) throws LocalStateException {
    ensureOpen.run();
    return groups.find(group.id()).map(LedgerGroups::info);
  }

  @Override
  public GroupInfo add(ChatId.Group group, PublicCard newcomer, boolean shareHistory)
      throws GroupException, InvalidMessageException, LocalStateException, KvException {
    Group g = held(group);
    groups.requireIdentityKey("add a member");
    return told(groups.add(g, newcomer, shareHistory));
  }

  @Override
  public GroupInfo remove(ChatId.Group group, PublicCard member)
      throws GroupException, InvalidMessageException, LocalStateException, KvException {
    Group g = held(group);
    groups.requireIdentityKey("remove a member");
    return told(groups.remove(g, member));
  }

  @Override
  public GroupInfo setAdmin(ChatId.Group group, PublicCard member, boolean admin)
      throws GroupException, InvalidMessageException, LocalStateException, KvException {
    Group g = held(group);
    groups.requireIdentityKey("change who is an admin");
    return told(groups.setAdmin(g, member, admin));
  }

  @Override
  public GroupInfo leave(ChatId.Group group) throws GroupException, InvalidMessageException, LocalStateException,
      KvException {
    Group left = groups.leave(held(group));
    told.group(left.id());
    return info(left);
  }

  @Override
  public String link(ChatId.Group group) throws GroupException, LocalStateException, KvException {
    return groups.links().link(held(group));
  }

  @Override
  public GroupInfo revokeLinks(ChatId.Group group) throws GroupException, LocalStateException, KvException {
    return info(groups.links().revokeLinks(held(group)));
  }

  @Override
  public List<JoinRequest> joinRequests(ChatId.Group group) throws GroupException, LocalStateException, KvException {
    List<JoinRequest> out = new ArrayList<>();
    for (GroupLinks.JoinRequest r : groups.links().requests(synced(group))) {
      out.add(new JoinRequest(r.card(), r.name()));
    }
    return out;
  }

  @Override
  public List<GroupInfo.Link> links(ChatId.Group group) throws GroupException, LocalStateException, KvException {
    Group g = synced(group);
    groups.requireAdmin(g.id());
    return info(g).links();
  }

  /**
   * The group after its ops were read (another admin's links, denials, revocations); its messages stay for the
   * next receive to deliver.
   */
  private Group synced(ChatId.Group group) throws GroupException, LocalStateException, KvException {
    groups.receive(held(group));
    return held(group);
  }

  @Override
  public GroupInfo approve(ChatId.Group group, PublicCard requester, boolean shareHistory)
      throws GroupException, InvalidMessageException, LocalStateException, KvException {
    Group g = held(group);
    groups.requireIdentityKey("approve a join request");
    return told(groups.links().approve(g, requester, shareHistory));
  }

  @Override
  public GroupInfo deny(ChatId.Group group, PublicCard requester) throws GroupException, LocalStateException,
      KvException {
    return info(groups.links().deny(held(group), requester));
  }

  @Override
  public JoinResult join(String link, String name, boolean ask) throws GroupException, LocalStateException,
      KvException {
    ensureOpen.run();
    groups.requireIdentityKey("join a group by link (the request is signed with it)");
    GroupLinks.JoinResult r = groups.links().join(link, name, ask);
    if (r.joined().isPresent()) {
      told.group(r.joined().get().id());
    }
    return new JoinResult(r.joined().map(LedgerGroups::info), r.requested(), r.warnings());
  }
}
