package org.reschat.core.internal.group;

import java.util.List;
import java.util.Optional;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.PageLimits;

/**
 * Who may change a group. Every reader checks each op it reads against the epoch the op was written in,
 * as the ops before it there left that epoch; an op that fails is ignored by every member, so a hostile
 * client gains nothing by writing it. Invitations are not judged here: they travel outside the group and
 * prove themselves by signature ({@link EpochCert}).
 */
final class MembershipRules {
  /** Most members of a group: the limit of a conversation ({@link PageLimits#MAX_MEMBERS}). */
  static final int MAX_MEMBERS = PageLimits.MAX_MEMBERS;

  private MembershipRules() {}

  /**
   * May {@code writer} make the change {@code op} in epoch {@code in} of {@code g}?
   *
   * <ul>
   *   <li>Every op names this group, and its writer is a member of {@code in}.</li>
   *   <li><b>Rotate</b> (a new epoch): it follows {@code in}; its members are distinct, at most
   *       {@value #MAX_MEMBERS}, include every admin it names, and it wraps one key per member. An admin of
   *       {@code in} may rotate into any such membership (add, remove, name or drop admins). Any other member
   *       must keep the admins exactly (those of {@code in} still members), and may drop nobody but itself
   *       (it adds friends, or starts a new key) with one exception: a member who left or was cut in
   *       {@code in} or an epoch it follows may be rotated out by the first admin of {@code in} without
   *       them, who may not have been an admin while they were there (a leave completing; when no admin
   *       is left the longest-standing member is the first).</li>
   *   <li><b>Leave</b>: written in the epoch it names, by a member not already cut there.</li>
   *   <li><b>Entrust</b> (a merge handed over): by an admin of {@code in}, and the merge follows {@code in}.
   *       A reader lacking a branch cannot check the merge's members, admins or parents, so only someone
   *       who could as well have rotated {@code in} into any membership is believed.</li>
   *   <li><b>Confirm</b>: the statement is of {@code in} and signed by its writer. (Whether it proves
   *       anything is the statement's {@link EpochCert#standing()}.)</li>
   *   <li><b>Link</b> (a join link's facts and sealed boxes): by an admin of {@code in}, naming {@code in}, whose
   *       credential leads from the founder to it (in a founded group): links are the admins' own, and an
   *       admin who can prove nothing (named by one who had no credential) shares none.</li>
   * </ul>
   */
  static boolean allows(Group g, Epoch in, PublicCard writer, GroupOp op) {
    if (!in.isMember(writer)) {
      return false;
    }
    if (op instanceof GroupOp.Rotate r) {
      return r.group().equals(g.id()) && r.parent().equals(in.id()) && rotationAllowed(g, in, writer, r);
    }
    if (op instanceof GroupOp.Leave l) {
      return l.group().equals(g.id()) && l.epoch().equals(in.id()) && in.cutOf(writer).isEmpty();
    }
    if (op instanceof GroupOp.Entrust t) {
      return t.group().equals(g.id()) && in.isAdmin(writer) && t.parents().contains(in.id());
    }
    if (op instanceof GroupOp.Confirm c) {
      return c.cert().groupId().equals(g.id()) && c.cert().epochId().equals(in.id())
          && c.cert().signerCard().equals(writer);
    }
    if (op instanceof GroupOp.Link l) {
      return l.group().equals(g.id()) && l.epoch().equals(in.id()) && in.isAdmin(writer)
          && g.trust().founder().map(f -> AdminLink.chain(g.id(), f.card(), l.credential(), writer)).orElse(true);
    }
    return false; // an invitation is no op of the group's own
  }

  private static boolean rotationAllowed(Group g, Epoch in, PublicCard writer, GroupOp.Rotate r) {
    Optional<List<PublicCard>> resolved = r.members(in);
    if (resolved.isEmpty()) {
      return false;
    }
    List<PublicCard> members = resolved.get();
    if (members.size() > MAX_MEMBERS || r.wraps().size() != members.size() || !members.containsAll(r.admins())) {
      return false;
    }
    if (in.isAdmin(writer)) {
      return true;
    }
    List<PublicCard> gone = in.members().stream().filter(c -> !members.contains(c) && !c.equals(writer)).toList();
    PublicCard leaver = gone.size() == 1 && EpochGraph.leftOrCut(g, in, gone.get(0)) ? gone.get(0) : null;
    List<PublicCard> keptAdmins = in.effectiveAdminsWithout(leaver).stream().filter(members::contains).toList();
    return r.admins().equals(keptAdmins) && (gone.isEmpty()
        || (leaver != null && in.effectiveAdminsWithout(leaver).get(0).equals(writer)));
  }
}
