package org.reschat.core.internal.group;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.internal.conversation.ChainMerge;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.internal.conversation.PairTaking;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.conversation.Received;
import org.reschat.core.Message;
import org.reschat.core.Update;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;

/**
 * Reads a group's epochs and follows it through the ops it finds: each checked by {@link MembershipRules}
 * against the epoch it was written in, applied in order, the graph merged when siblings appear. What it
 * writes in answer (a leave's completion, a merge entrusted, a confirmation) goes through {@link OpWriter}.
 */
final class GroupSync {
  private final Identity me;
  private final ConversationClient client;
  private final GroupStore store;
  private final OpWriter writer;
  private final PairTaking pairs;
  private final LinkSharing links;
  private final EpochConversations conversations;
  /** Who reads records in each epoch (protocol §4.9): the notices read, and this device's own written. */
  private final GroupReads reads;

  GroupSync(Identity me, ConversationClient client, GroupStore store, OpWriter writer, PairTaking pairs,
      LinkSharing links, EpochConversations conversations, GroupReads reads) {
    this.me = me;
    this.reads = reads;
    this.client = client;
    this.store = store;
    this.writer = writer;
    this.pairs = pairs;
    this.links = links;
    this.conversations = conversations;
  }

  /** Who reads records in this client's groups (tests turn its notices off: a client without records). */
  GroupReads reads() {
    return reads;
  }

  /** The group's history over every epoch this member holds, merged by time; applies the ops it finds. */
  History history(Group g, HistoryRequest request) throws LocalStateException, KvException {
    List<PublicCard> tookKeys = new ArrayList<>();
    History out = history(g, request, tookKeys);
    pairs.followUp(tookKeys); // may start a new epoch of this group: after its lock is let go
    return out;
  }

  private History history(Group g, HistoryRequest request, List<PublicCard> tookKeys)
      throws LocalStateException, KvException {
    try (LocalState.Lock lock = store.lock(g.id())) {
      Group now = store.find(g.id()).orElse(g);
      ChainMerge merged = new ChainMerge();
      for (int i = 0; i < now.epochs().size(); i++) { // by index: an op read here may add the epochs after it
        Epoch e = now.epochs().get(i);
        Conversation c = conversations.of(e);
        History h = client.history(c, request);
        if (reads.learnt(c, withinCuts(e, h.messages()))) {
          h = client.history(c, request); // the notices read complete who reads records: the open records, now
        }
        List<Message> kept = withinCuts(e, h.messages());
        pairs.adopt(c, PairTaking.Carrier.GROUP, kept, merged.warnings()); // before the ops: a wrap may need it
        tookKeys.addAll(pairs.takenInGroup(c, kept));
        now = absorb(now, e, kept, merged.warnings());
        merged.add(h, reads.take(c, withinCuts(now.epoch(e.id()).orElse(e), kept))); // an op just read may cut what follows it
      }
      acknowledgeOwed(now);
      reads.announce(now);
      return merged.history();
    }
  }

  /** What is new in the group, marked delivered at once. */
  Update update(Group g, LocalState state) throws LocalStateException, KvException {
    GroupReceipt r = receive(g);
    for (Received m : r.marks()) {
      m.commit(state);
    }
    return r.update();
  }

  /** What is new in the group: reads the epochs ops may still arrive in, applies ops, follows new epochs. */
  GroupReceipt receive(Group g) throws LocalStateException, KvException {
    List<PublicCard> tookKeys = new ArrayList<>();
    GroupReceipt out = receive(g, tookKeys);
    pairs.followUp(tookKeys); // may start a new epoch of this group: after its lock is let go
    return out;
  }

  private GroupReceipt receive(Group g, List<PublicCard> tookKeys) throws LocalStateException, KvException {
    try (LocalState.Lock lock = store.lock(g.id())) {
      Group now = store.find(g.id()).orElse(g);
      ChainMerge merged = new ChainMerge();
      Set<String> read = new HashSet<>();
      List<Received> marks = new ArrayList<>();
      for (int round = 0; round < GroupCodec.MAX_EPOCHS; round++) {
        List<Epoch> toRead = EpochGraph.watched(now).stream().filter(e -> !read.contains(e.id())).toList();
        if (toRead.isEmpty()) {
          break;
        }
        for (Epoch e : toRead) {
          read.add(e.id());
          Conversation c = conversations.of(e);
          Received r = client.receive(c);
          if (reads.learnt(c, withinCuts(e, r.update().received()))) {
            // The notices read complete who reads records here: read again (nothing is marked delivered yet), so the
            // open records come in this call, not the next; what only the first read found is still said.
            Update first = r.update();
            r = client.receive(c);
            List<FeedWarning> again = r.update().warnings();
            first.warnings().stream().filter(w -> !again.contains(w)).forEach(merged.warnings()::add);
          }
          marks.add(r);
          Update u = r.update();
          List<Message> kept = withinCuts(e, u.received());
          pairs.adopt(c, PairTaking.Carrier.GROUP, kept, merged.warnings()); // before the ops: a wrap may need it
          tookKeys.addAll(pairs.takenInGroup(c, kept));
          now = absorb(now, e, kept, merged.warnings());
          merged.add(u, reads.take(c, withinCuts(now.epoch(e.id()).orElse(e), kept))); // an op just read may cut what follows it
        }
      }
      acknowledgeOwed(now);
      reads.announce(now);
      if (me.holdsIdentityKey()) { // device 0 acts for the person (protocol §15.1): one writer, not one per device
        links.share(now); // an admin appointed or gone since: seal them the open links, or revoke what they held
      }
      return new GroupReceipt(merged.update(), marks);
    }
  }

  /** Writes in the current epoch a {@code PAIR_TAKEN} the store kept from being written when a key was taken. */
  private void acknowledgeOwed(Group g) throws LocalStateException {
    if (g.status() == Group.Status.ACTIVE && g.current().isMember(me.card())) {
      pairs.acknowledgeOwed(conversations.of(g.current()));
    }
  }

  private static List<Message> withinCuts(Epoch e, List<Message> messages) {
    List<Message> out = new ArrayList<>();
    for (Message m : messages) {
      Optional<Epoch.Cut> cut = e.cutOf(m.sender());
      if (cut.isEmpty() || cut.get().includes(m.page(), m.slot())) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * Applies the ops among {@code messages} (verified, within cuts, read in epoch {@code e}), each to the
   * epoch as the ones before it left it (a leave's cut), not as the batch began.
   */
  private Group absorb(Group g, Epoch e, List<Message> messages, List<FeedWarning> warnings)
      throws LocalStateException, KvException {
    Group now = g;
    for (Message m : messages) {
      if (!m.type().startsWith("GROUP_") || m.sender().equals(me.card()) && !m.type().equals(Groups.LINK)) {
        continue; // this person's own ops are its own doing, but a link another of its devices made is news here
      }
      Optional<GroupOp> op = GroupOp.parse(m.type(), m.body());
      Optional<Epoch> at = now.epoch(e.id());
      if (op.isEmpty() || at.isEmpty() || !MembershipRules.allows(now, at.get(), m.sender(), op.get())) {
        continue; // malformed, or not a change its writer may make: ignored, as garbage is
      }
      if (op.get() instanceof GroupOp.Rotate r) {
        now = applyRotation(now, at.get(), m, r, warnings);
      } else if (op.get() instanceof GroupOp.Leave l) {
        now = applyLeave(now, at.get(), m, l);
      } else if (op.get() instanceof GroupOp.Entrust t) {
        now = applyEntrust(now, m, t);
      } else if (op.get() instanceof GroupOp.Confirm c) {
        now = applyConfirm(now, at.get(), m, c, warnings);
      } else if (op.get() instanceof GroupOp.Link l) {
        now = links.apply(now, m.sender(), l);
      }
    }
    return converge(now);
  }

  private Group applyRotation(Group g, Epoch e, Message m, GroupOp.Rotate r, List<FeedWarning> warnings)
      throws LocalStateException, KvException {
    if (g.epoch(r.epoch()).isPresent()) {
      return g; // already applied: ops are idempotent
    }
    List<PublicCard> members = r.members(e).orElseThrow(); // resolvable: MembershipRules checked it
    Epoch withCuts = e;
    for (PublicCard c : e.members()) {
      Optional<Epoch.Cut> cut = Optional.ofNullable(r.removed().get(Epoch.hex(c)));
      if (cut.isPresent()) {
        withCuts = withCuts.withCut(c, cut.get());
      }
    }
    List<Epoch> epochs = replaced(g.epochs(), withCuts);
    int mine = members.indexOf(me.card());
    if (mine < 0) {
      Group out = g.withEpochs(epochs).withStatus(Group.Status.REMOVED, m.sender());
      store.save(out);
      return out;
    }
    byte[] secret;
    try {
      secret = Groups.unwrap(client, m.sender(), Base64Url.decode(r.wraps().get(mine)).orElseThrow(),
          Groups.wrapAad(g.id(), r.epoch()));
    } catch (OneTimeKeyAead.OpenFailedException ex) {
      warnings.add(cutOff(m)); // not a secret for us: the others move on without us
      return g;
    }
    if (!Epoch.idOf(secret).equals(r.epoch())) {
      warnings.add(cutOff(m)); // the secret handed over is not the one the op names
      return g;
    }
    Epoch next = new Epoch(r.epoch(), secret, members, r.admins(), List.of(e.id()), Map.of());
    epochs.add(next);
    Group out = g.withEpochs(epochs);
    if (appoints(out, r.appoint(), r.epoch()) && r.admins().contains(me.card())) {
      out = out.withTrust(out.trust().withCredential(r.appoint()));
    }
    store.save(out);
    if (!r.add().isEmpty() && canVouch(out, next)) {
      // Its newcomers may hold only the word of a member who cannot prove an admin's authority (one who is no
      // admin, or an admin without a credential): vouch for the epoch they were handed, in it.
      writer.confirm(out, next, "vouched for the new key (" + Groups.shortName(m.sender()) + " added "
          + String.join(", ", r.add().stream().map(Groups::shortName).toList()) + ")");
    }
    return out;
  }

  /** Whether {@code links} make this member an admin from {@code epochId}, leading back to the founder. */
  private boolean appoints(Group g, List<AdminLink> links, String epochId) {
    return !links.isEmpty() && g.trust().founder().isPresent()
        && links.get(links.size() - 1).epochId().equals(epochId)
        && AdminLink.chain(g.id(), g.trust().founder().get().card(), links, me.card());
  }

  /** Whether this member, an admin of {@code e}, can sign a statement of it that proves itself. */
  private boolean canVouch(Group g, Epoch e) {
    return me.holdsIdentityKey() && g.status() == Group.Status.ACTIVE && g.confirmed() && e.isAdmin(me.card())
        && (g.trust().founder().isEmpty() || g.trust().credential().isPresent());
  }

  private Group applyLeave(Group g, Epoch e, Message m, GroupOp.Leave l) throws LocalStateException, KvException {
    Group out = g.withEpochs(replaced(g.epochs(), e.withCut(m.sender(), new Epoch.Cut(m.page(), m.slot() + 1))));
    if (appoints(out, l.appoint(), e.id())) {
      out = out.withTrust(out.trust().withCredential(l.appoint())); // the last admin left and named this member
    }
    store.save(out);
    // The leave may have been written in the epoch before the current one (a change the leaver had not
    // seen): whoever is first admin of the current epoch without them still rotates them out of it.
    Epoch current = out.current();
    List<PublicCard> admins = current.effectiveAdminsWithout(m.sender());
    if (out.status() == Group.Status.ACTIVE && out.confirmed() && current.isMember(m.sender()) && !admins.isEmpty()
        && admins.get(0).equals(me.card()) && me.holdsIdentityKey()) { // device 0 acts for the person (protocol §15.1)
      List<PublicCard> members = new ArrayList<>(out.members());
      members.remove(m.sender());
      Epoch.Cut cut = current.id().equals(e.id()) ? new Epoch.Cut(m.page(), m.slot() + 1)
          : writer.positionOf(current, m.sender());
      try {
        return writer.rotate(out, members, Map.of(m.sender(), cut), Groups.shortName(m.sender()) + " left");
      } catch (InvalidMessageException ex) {
        throw new IllegalStateException("A rotation op no longer fits a page", ex);
      }
    }
    return out;
  }

  /** Takes a merge handed over by an admin of the epoch it is written in (see {@link MembershipRules}). */
  private Group applyEntrust(Group g, Message m, GroupOp.Entrust t) throws LocalStateException {
    Optional<String> wrap = Optional.ofNullable(t.wraps().get(Epoch.hex(me.card())));
    if (g.epoch(t.epoch()).isPresent() || wrap.isEmpty() || !t.members().contains(me.card())) {
      return g;
    }
    try {
      byte[] secret = Groups.unwrap(client, m.sender(), Base64Url.decode(wrap.get()).orElseThrow(),
          Groups.wrapAad(g.id(), t.epoch()));
      if (!Epoch.idOf(secret).equals(t.epoch())) {
        return g;
      }
      List<Epoch> epochs = new ArrayList<>(g.epochs());
      epochs.add(new Epoch(t.epoch(), secret, t.members(), t.admins(), t.parents(), Map.of()));
      Group out = g.withEpochs(epochs);
      store.save(out);
      return out;
    } catch (OneTimeKeyAead.OpenFailedException notForUs) {
      return g;
    }
  }

  /**
   * An admin's statement of epoch {@code e}, for a member whose invitation only a member who is not an
   * admin signed: once it proves itself and states {@code e} as this member holds it, the group is confirmed.
   */
  private Group applyConfirm(Group g, Epoch e, Message m, GroupOp.Confirm c, List<FeedWarning> warnings)
      throws LocalStateException {
    if (g.confirmed() || c.cert().standing() != EpochCert.Standing.PROVEN) {
      return g;
    }
    Group out;
    if (c.cert().describes(e)) {
      out = g.withTrust(g.trust().confirmed());
    } else {
      PublicCard inviter = g.unconfirmedFrom().orElseThrow();
      boolean current = g.current().id().equals(e.id());
      warnings.add(new FeedWarning(FeedWarning.Kind.CONFLICT, false, m.page(), Groups.shortName(inviter) + " handed you \""
          + g.name() + "\" with members or admins other than those " + Groups.shortName(c.cert().signerCard())
          + ", an admin, vouches for" + (current ? "; the admin's are taken" : "; you stay unconfirmed"), inviter));
      if (!current) {
        return g;
      }
      out = g.withEpochs(replaced(g.epochs(), e.as(c.cert().members(), c.cert().admins(), c.cert().parents())))
          .withTrust(g.trust().confirmed());
    }
    store.save(out);
    return out;
  }

  /**
   * Concurrent changes leave sibling epochs; every member holding them all merges them the same way
   * ({@link EpochGraph#merge}), and an admin of each branch who holds every branch entrusts the merge to
   * those who cannot derive it.
   */
  private Group converge(Group g) throws LocalStateException, KvException {
    if (g.status() != Group.Status.ACTIVE) {
      return g;
    }
    List<Epoch> leaves = EpochGraph.leaves(g);
    if (leaves.size() <= 1) {
      if (leaves.size() == 1 && !g.current().id().equals(leaves.get(0).id())) { // make the leaf the current one
        List<Epoch> epochs = new ArrayList<>(g.epochs());
        epochs.remove(leaves.get(0));
        epochs.add(leaves.get(0));
        Group out = g.withEpochs(epochs);
        store.save(out);
        return out;
      }
      return g;
    }
    Epoch merged = EpochGraph.merge(g, leaves);
    List<Epoch> epochs = new ArrayList<>(g.epochs());
    epochs.add(merged);
    Group out = g.withEpochs(epochs);
    store.save(out);
    if (out.confirmed() && leaves.stream().allMatch(l -> l.isMember(me.card())) && me.holdsIdentityKey()) {
      writer.entrust(out, merged, leaves);
    }
    return out;
  }

  /** {@code epochs} with the one of {@code e}'s id replaced by {@code e}. */
  private static List<Epoch> replaced(List<Epoch> epochs, Epoch e) {
    List<Epoch> out = new ArrayList<>(epochs);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).id().equals(e.id())) {
        out.set(i, e);
      }
    }
    return out;
  }

  /**
   * A change of the group's key whose copy for this member does not open: the others move to a key this
   * member lacks, so what they write next is unread here. A broken or hostile client; never quiet.
   */
  private static FeedWarning cutOff(Message op) {
    return new FeedWarning(FeedWarning.Kind.UNDECRYPTABLE, false, op.page(), "a new key for the group whose copy"
        + " for you does not open: the others may go on where you cannot read them; ask them to re-add you",
        op.sender());
  }
}
