package org.reschat.core.internal.conversation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.reschat.core.FeedWarning;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;

/**
 * Takes the pair epochs (protocol §3.1) that {@code PAIR_ROTATE}s hand over wherever they are found: in a direct
 * chat, or in a group epoch for a member who is not a friend of the writer (no direct chat to carry it). One rule
 * for both: a rotation counts only from a member's identity feed (device 0, which alone revokes), only when it opens
 * here for the pair of this identity and its writer (or, in this identity's own feed, for this identity and another
 * member) and to the epoch it names, at most {@link PairEpochs#MAX_LATER} per person; a replay changes nothing.
 * What the other member wrote and is refused is a {@code NOT_APPLIED} warning naming them.
 */
public final class PairTaking {
  /** Refusals said per read of a conversation; the rest are counted in one more. */
  public static final int MAX_REFUSALS = 8;

  private final Identity me;
  private final ConversationClient client;
  private final PairEpochs pairs;
  private final LocalState state;
  private final Taken taken;

  /** What follows when a member first shows it holds an epoch this identity started. */
  public interface Taken {
    void by(PublicCard member) throws LocalStateException, KvException;
  }

  public PairTaking(Identity me, ConversationClient client, PairEpochs pairs, LocalState state, Taken taken) {
    this.me = me;
    this.client = client;
    this.pairs = pairs;
    this.state = state;
    this.taken = taken;
  }

  /** Where the member who takes an epoch acknowledges it: the new epoch of a direct chat, or the group epoch read. */
  public enum Carrier { DIRECT, GROUP }

  /**
   * Takes the epochs the {@code PAIR_ROTATE}s among {@code messages} (read in {@code c}) hand to this device, and
   * acknowledges one the other member made with {@code PAIR_TAKEN}: in a direct chat as this device's first message
   * in the new epoch (again at a replay, in case the store kept the first from being written: one, however often
   * read); in a group once, in {@code c}, when the epoch is first kept (each acknowledgement there counts), or, when
   * the store failed then, at a later read of a group ({@link #acknowledgeOwed}).
   */
  public void adopt(Conversation c, Carrier carrier, List<Message> messages, List<FeedWarning> warnings)
      throws LocalStateException, KvException {
    int refused = 0;
    PublicCard lastRefused = null;
    for (Message m : messages) {
      int index = c.indexOf(m.sender());
      if (!m.type().equals(PairRotate.TYPE) || index < 0) {
        continue;
      }
      boolean fromOther = !m.sender().equals(me.card());
      if (!fromOther && me.deviceNumber() == 0) {
        continue; // this device wrote it: it holds the secret, and the seals are for the others
      }
      String why = null;
      Optional<Opened> opened = Optional.empty();
      if (!m.id().startsWith(c.feed(index).writer() + ":")) {
        why = "wrote a new key of your pair from a device other than their first";
      } else {
        opened = open(c, m);
        if (opened.isEmpty()) {
          why = "wrote a new key of your pair that does not open here";
        } else if (held(opened.get())) {
          if (fromOther && carrier == Carrier.DIRECT) {
            acknowledgeDirect(c, opened.get().secret());
          }
          continue;
        } else if (!pairs.keep(opened.get().other(), opened.get().secret(), fromOther)) {
          why = "wrote more than " + PairEpochs.MAX_LATER + " new keys of your pair";
        }
      }
      if (why != null) {
        if (fromOther && refused++ < MAX_REFUSALS) {
          warnings.add(new FeedWarning(FeedWarning.Kind.NOT_APPLIED, false, m.page(), FeedWarning.shortName(m.sender())
              + " " + why + " (message " + m.id() + "): not applied", m.sender()));
        }
        lastRefused = fromOther ? m.sender() : lastRefused;
        continue;
      }
      if (fromOther) {
        if (carrier == Carrier.DIRECT) {
          acknowledgeDirect(c, opened.get().secret());
        } else if (!write(c)) {
          pairs.owe(opened.get().other());
        }
      }
    }
    if (refused > MAX_REFUSALS) {
      warnings.add(new FeedWarning(FeedWarning.Kind.NOT_APPLIED, false, 0, (refused - MAX_REFUSALS)
          + " more new keys of your pair were refused as above: not applied", lastRefused));
    }
  }

  /**
   * The members whose {@code PAIR_TAKEN} in group epoch {@code c} (from their identity feed) marks the epochs this
   * identity started with them and is waiting for taken ({@link PairEpochs#takeWaiting}): they took them where they
   * read them, having no direct chat with this person. Returns those newly taken; {@link #followUp} acts on them
   * once no group is locked.
   */
  public List<PublicCard> takenInGroup(Conversation c, List<Message> messages) throws LocalStateException {
    List<PublicCard> out = new ArrayList<>();
    for (Message m : messages) {
      int index = c.indexOf(m.sender());
      if (m.type().equals(PairRotate.TAKEN) && index >= 0 && !m.sender().equals(me.card())
          && m.id().startsWith(c.feed(index).writer() + ":") && pairs.takeWaiting(m.sender())) {
        out.add(m.sender());
      }
    }
    return out;
  }

  /**
   * Writes in group epoch {@code c} (the current one, just read) the {@code PAIR_TAKEN} this device owes a member of
   * it ({@link PairEpochs#owe}): one, whatever the number owed, since each marks every epoch with its reader; nothing
   * once it is written (or queued: the outbox publishes it), so a pass writes at most one per group.
   */
  public void acknowledgeOwed(Conversation c) throws LocalStateException {
    List<PublicCard> owed = pairs.owedAmong(c.members());
    if (owed.isEmpty() || !write(c)) {
      return;
    }
    for (PublicCard m : owed) {
      pairs.paid(m);
    }
  }

  /** What follows for each member who took a new key ({@link Taken}). */
  public void followUp(List<PublicCard> members) throws LocalStateException, KvException {
    for (PublicCard m : members) {
      taken.by(m);
    }
  }

  /** A rotation's secret, and the other member of the pair it is for. */
  private record Opened(PublicCard other, byte[] secret) {}

  /**
   * Opens {@code m}: the writer's pair with this identity when another member wrote it; when this identity's device 0
   * did, the pair with whichever other member it opens for (a direct chat has one; a group at most 63).
   */
  private Optional<Opened> open(Conversation c, Message m) {
    List<PublicCard> others = m.sender().equals(me.card())
        ? c.members().stream().filter(x -> !x.equals(me.card())).toList() : List.of(m.sender());
    for (PublicCard other : others) {
      Optional<byte[]> secret = PairRotate.open(me, other, m.sender(), m.body());
      if (secret.isPresent()) {
        return Optional.of(new Opened(other, secret.get()));
      }
    }
    return Optional.empty();
  }

  /** Whether the epoch of {@code o} is held already. */
  private boolean held(Opened o) throws LocalStateException {
    String id = PairRotate.epochId(me, o.other(), o.secret());
    return client.conversationsWith(o.other()).stream().anyMatch(x -> x.id().equals(id));
  }

  /**
   * Writes {@code PAIR_TAKEN} as this device's first message in the direct chat's epoch of {@code secret}, unless
   * its feed there holds anything (written or queued).
   */
  private void acknowledgeDirect(Conversation c, byte[] secret) throws LocalStateException {
    Conversation next = Conversation.of(me, secret, c.members());
    if (state.readOnly() || state.newestPage(next.myFeed()) > 0 || client.pending(next) > 0) {
      return;
    }
    client.signOpenTail(c); // first: unsigned versions in the epoch left no longer count for the friend (§4.7)
    write(next);
  }

  /**
   * Writes {@code PAIR_TAKEN} in {@code c}; a copy opened read-only writes nothing (the writable profile does). False
   * when the store could not be read to start the feed: in a direct chat written at a later read, which finds the
   * feed empty; in a group the caller notes it owed.
   */
  private boolean write(Conversation c) throws LocalStateException {
    if (state.readOnly()) {
      return true;
    }
    try {
      client.send(c, PairRotate.TAKEN, "took the new key of this chat".getBytes(StandardCharsets.UTF_8),
          "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
      return true;
    } catch (KvException e) {
      return false;
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("An acknowledgement is always a valid message", e);
    }
  }
}
