package org.reschat.core.internal.group;

import java.util.List;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.internal.conversation.ReadsRecord;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.spi.LocalState;

/**
 * Which devices of a group's epoch read slot records (protocol §4.9): the direct chat's {@code PAIR_READS} notice,
 * written once by each device in its feed of each epoch it is a member of, and noted per feed as in a direct chat
 * ({@link ReadsRecord}). A notice counts for the feed it was read in, which only that feed's signer writes, so a
 * member who lies about reading records makes the others write what its own devices cannot read, nobody else's.
 */
final class GroupReads {
  private final Identity me;
  private final ConversationClient client;
  private final LocalState state;
  private final ReadsRecord reads;
  private final EpochConversations conversations;
  /**
   * Whether this device writes the notice in groups: {@link TailRule#RECORDS_IN_GROUPS}, or off in a test standing
   * in for a client that does not read records (it writes none: nobody writes records in its groups).
   */
  private volatile boolean announces = TailRule.RECORDS_IN_GROUPS;

  GroupReads(Identity me, ConversationClient client, LocalState state, EpochConversations conversations) {
    this.me = me;
    this.client = client;
    this.state = state;
    this.reads = new ReadsRecord(state);
    this.conversations = conversations;
  }

  /** Tests: this device behaves as a client that does not read records ({@code false}) or as this one. */
  void announces(boolean on) {
    announces = on && TailRule.RECORDS_IN_GROUPS;
  }

  /**
   * Notes the notices among {@code messages} read in epoch {@code c}; whether they completed who reads records there
   * (every feed that counts, linked devices' included): a reader reads the epoch once more, so the open records
   * written since come in the same call.
   */
  boolean learnt(Conversation c, List<Message> messages) throws LocalStateException {
    return reads.learnt(client, c, messages);
  }

  /** Notes the notices among {@code messages} read in epoch {@code c}; returns the others, what the group shows. */
  List<Message> take(Conversation c, List<Message> messages) throws LocalStateException {
    return reads.take(c, messages);
  }

  /**
   * Writes this device's notice once in its feed of {@code g}'s current epoch, where it may write there (an active
   * member, the epoch vouched for: an unconfirmed member writes nothing, §9) and this profile is writable. Queued when
   * the store fails, as any message. Returns whether it wrote one.
   */
  boolean announce(Group g) throws LocalStateException {
    if (!announces || state.readOnly() || g.status() != Group.Status.ACTIVE || !g.current().isMember(me.card())
        || !g.confirmed()) {
      return false;
    }
    Conversation c = conversations.of(g.current());
    if (reads.shownByMe(c)) {
      return false;
    }
    return reads.write(client, c); // false when not sealed: written at the next read
  }
}
