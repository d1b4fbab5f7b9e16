package org.reschat.core.internal.group;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvException;

/** The ops this member writes into a group's epochs (each sealed like any message, in its own feed). */
final class OpWriter {
  private final Identity me;
  private final ConversationClient client;
  private final GroupStore store;
  private final SecureRandom random = new SecureRandom();
  private final Rosters rosters;
  private final java.util.concurrent.atomic.AtomicLong started = new java.util.concurrent.atomic.AtomicLong();

  /** Writes an epoch's roster to the ledger ({@link Invitations#publish}). */
  @FunctionalInterface
  interface Rosters {
    void publish(String groupId, Epoch e) throws KvException;
  }

  OpWriter(Identity me, ConversationClient client, GroupStore store, Rosters rosters) {
    this.me = me;
    this.client = client;
    this.store = store;
    this.rosters = rosters;
  }

  /** A new epoch of {@code members}; its admins are the current ones still members (see {@link MembershipRules}). */
  Group rotate(Group g, List<PublicCard> members, Map<PublicCard, Epoch.Cut> removed, String summary)
      throws LocalStateException, KvException, InvalidMessageException {
    PublicCard leaving = removed.size() == 1 ? removed.keySet().iterator().next() : null;
    List<PublicCard> admins = g.current().effectiveAdminsWithout(leaving).stream().filter(members::contains).toList();
    return rotate(g, members, removed, summary, admins, Optional.empty());
  }

  /**
   * A new epoch of {@code members} and {@code admins}: a fresh secret wrapped to each member under the
   * secret of the pair (this member, them), written as a {@code GROUP_ROTATE} in the old epoch. Naming
   * {@code appointee} an admin hands them a credential: this member's and one link more.
   */
  Group rotate(Group g, List<PublicCard> members, Map<PublicCard, Epoch.Cut> removed, String summary,
      List<PublicCard> admins, Optional<PublicCard> appointee) throws LocalStateException, KvException,
      InvalidMessageException {
    Epoch old = g.current();
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String newId = Epoch.idOf(secret);
    List<Integer> keep = new ArrayList<>();
    List<PublicCard> add = new ArrayList<>();
    List<String> wraps = new ArrayList<>();
    for (PublicCard m : members) {
      int at = old.members().indexOf(m);
      if (at >= 0) {
        keep.add(at);
      } else {
        add.add(m);
      }
      wraps.add(m.equals(me.card()) ? "" : Base64Url.encode(client.currentWith(m).secretWraps() // §3.1: the current pair
          .encrypt(secret, Groups.wrapAad(g.id(), newId))));
    }
    Map<String, Epoch.Cut> cuts = new HashMap<>();
    removed.forEach((card, cut) -> cuts.put(Epoch.hex(card), cut));
    List<AdminLink> appoint = appointee.flatMap(a -> appointment(g, newId, a)).orElse(List.of());
    GroupOp.Rotate op = new GroupOp.Rotate(g.id(), old.id(), newId, keep, add, admins, cuts, wraps, appoint);
    Epoch next = new Epoch(newId, secret, members, admins, List.of(old.id()), Map.of());
    if (!add.isEmpty()) {
      rosters.publish(g.id(), next); // what the newcomers' invitations name; before the op: nothing half-done
    }
    client.send(Group.conversation(me, old), Groups.ROTATE, summary.getBytes(StandardCharsets.UTF_8), op.encode());
    Epoch withCuts = old;
    for (Map.Entry<PublicCard, Epoch.Cut> r : removed.entrySet()) {
      withCuts = withCuts.withCut(r.getKey(), r.getValue());
    }
    List<Epoch> epochs = new ArrayList<>(g.epochs());
    epochs.set(epochs.size() - 1, withCuts);
    epochs.add(next);
    Group rotated = g.withEpochs(epochs);
    store.save(rotated);
    started.incrementAndGet();
    return rotated;
  }

  /** How many epochs this client started since it was opened: only those are its own devices' to learn from it. */
  long epochsStarted() {
    return started.get();
  }

  /**
   * The credential that makes {@code appointee} an admin from epoch {@code epochId}: this member's links and
   * one more; empty when this member cannot prove its own (a legacy group needs none).
   */
  Optional<List<AdminLink>> appointment(Group g, String epochId, PublicCard appointee) {
    if (g.trust().founder().isEmpty() || g.trust().credential().isEmpty()
        || g.trust().credential().get().size() >= AdminLink.MAX_CHAIN) {
      return Optional.empty();
    }
    List<AdminLink> links = new ArrayList<>(g.trust().credential().get());
    links.add(AdminLink.sign(me, g.id(), epochId, appointee));
    return Optional.of(links);
  }

  /**
   * Leaves: a {@code GROUP_LEAVE} in the current epoch. The last admin leaving appoints the member the rule
   * makes admin after it (the longest-standing), so that member can still prove what it hands out.
   */
  void leave(Group g) throws LocalStateException, KvException, InvalidMessageException {
    Epoch now = g.current();
    List<AdminLink> appoint = List.of();
    if (now.effectiveAdmins().equals(List.of(me.card()))) {
      Optional<PublicCard> next = now.effectiveAdminsWithout(me.card()).stream().findFirst();
      appoint = next.flatMap(n -> appointment(g, now.id(), n)).orElse(List.of());
    }
    GroupOp.Leave op = new GroupOp.Leave(g.id(), now.id(), appoint);
    client.send(Group.conversation(me, now), Groups.LEAVE, "left the group".getBytes(StandardCharsets.UTF_8),
        op.encode());
  }

  /**
   * Vouches for epoch {@code e} (made by another member, adding someone): a
   * {@code GROUP_CONFIRM} in this member's feed of {@code e}, with its signed statement, which the newcomer
   * takes as the proof its invitation lacked.
   */
  void confirm(Group g, Epoch e, String summary) throws LocalStateException, KvException {
    EpochCert cert = EpochCert.sign(me, g.id(), g.name(), e, g.trust().founder(), g.trust().credential().orElse(List.of()));
    send(Group.conversation(me, e), Groups.CONFIRM, summary, new GroupOp.Confirm(cert).encode());
  }

  /** States what this member (an admin) knows of a join link: a {@code GROUP_LINK} in its feed of the current epoch. */
  void link(Group g, GroupOp.Link op, String summary) throws LocalStateException, KvException {
    send(Group.conversation(me, g.current()), Groups.LINK, summary, op.encode());
  }

  /**
   * Hands the merged secret to members who cannot derive it, in a branch epoch each of them reads: those
   * who lack a branch, and newcomers of the branches (one added in two branches at once holds only one of
   * them). Into each branch it is written by that branch's first admin who holds every branch (readers take
   * an entrust only from an admin of the epoch it is written in: see {@link MembershipRules}).
   */
  void entrust(Group g, Epoch merged, List<Epoch> leaves) throws LocalStateException, KvException {
    Optional<Epoch> base = EpochGraph.commonAncestor(g, leaves);
    for (Epoch leaf : leaves) {
      Optional<PublicCard> writer = leaf.effectiveAdmins().stream()
          .filter(a -> leaves.stream().allMatch(l -> l.isMember(a))).findFirst();
      if (writer.isEmpty() || !writer.get().equals(me.card()) || !leaf.isMember(me.card())) {
        continue;
      }
      Map<String, String> wraps = new HashMap<>();
      for (PublicCard m : merged.members()) {
        boolean lacksSome = leaves.stream().anyMatch(l -> !l.isMember(m)) || base.map(b -> !b.isMember(m)).orElse(false);
        if (lacksSome && leaf.isMember(m) && !m.equals(me.card())) {
          wraps.put(Epoch.hex(m), Base64Url.encode(client.currentWith(m).secretWraps()
              .encrypt(merged.secret(), Groups.wrapAad(g.id(), merged.id()))));
        }
      }
      if (!wraps.isEmpty()) {
        GroupOp.Entrust op = new GroupOp.Entrust(g.id(), merged.id(), merged.parents(), merged.members(), merged.admins(),
            wraps);
        for (GroupOp.Entrust part : fitting(op)) {
          send(Group.conversation(me, leaf), Groups.ENTRUST, "merged concurrent changes", part.encode());
        }
      }
    }
  }

  /**
   * {@code op} as entrusts that each fit a message: its wraps split in halves as often as needed (a reader
   * takes the first one holding its wrap; the rest change nothing). At the member limit a merge's member and
   * admin lists fit, with room for some wraps; all its wraps may not.
   */
  static List<GroupOp.Entrust> fitting(GroupOp.Entrust op) {
    if (op.encode().length <= org.reschat.core.internal.page.PageLimits.MAX_MESSAGE_BYTES || op.wraps().size() <= 1) {
      return List.of(op);
    }
    List<Map.Entry<String, String>> all = new ArrayList<>(new java.util.TreeMap<>(op.wraps()).entrySet());
    List<GroupOp.Entrust> out = new ArrayList<>();
    for (List<Map.Entry<String, String>> half : List.of(all.subList(0, all.size() / 2), all.subList(all.size() / 2,
        all.size()))) {
      Map<String, String> wraps = new HashMap<>();
      half.forEach(w -> wraps.put(w.getKey(), w.getValue()));
      out.addAll(fitting(new GroupOp.Entrust(op.group(), op.epoch(), op.parents(), op.members(), op.admins(), wraps)));
    }
    return out;
  }

  private void send(org.reschat.core.internal.conversation.Conversation c, String type, String summary, byte[] body)
      throws LocalStateException, KvException {
    try {
      client.send(c, type, summary.getBytes(StandardCharsets.UTF_8), body);
    } catch (InvalidMessageException ex) {
      // Bounded by the member limit well under a message's 16 KiB (GroupLimitsTest): a bug if it happens.
      throw new IllegalStateException("A group op does not fit a message", ex);
    }
  }

  /** Where this member has seen {@code member}'s feed end in epoch {@code e}: what a cut keeps. */
  Epoch.Cut positionOf(Epoch e, PublicCard member) throws LocalStateException, KvException {
    History h = client.history(Group.conversation(me, e), HistoryRequest.newest(1));
    Epoch.Cut cut = new Epoch.Cut(1, 0);
    for (Message m : h.messages()) {
      if (m.sender().equals(member)) {
        cut = new Epoch.Cut(m.page(), m.slot() + 1);
      }
    }
    return cut;
  }
}
