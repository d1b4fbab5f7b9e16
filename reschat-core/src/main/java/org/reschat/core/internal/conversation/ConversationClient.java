package org.reschat.core.internal.conversation;

import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.kv.KvException;

/**
 * The operations of {@link ChatClient} on any conversation this identity is a member of: a friend's
 * (derived from both cards) or a group epoch's (a secret handed out). What group chat is built on.
 */
public interface ConversationClient {

  SendResult send(Conversation c, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, LocalStateException, KvException;

  History history(Conversation c, HistoryRequest request) throws LocalStateException, KvException;

  Update update(Conversation c) throws LocalStateException, KvException;

  /** What is new in {@code c}, not yet marked delivered (see {@link Received#commit}). */
  Received receive(Conversation c) throws LocalStateException, KvException;

  int pending(Conversation c) throws LocalStateException;

  /**
   * Writes this device's tail page of {@code c} once more, signed, if it carries a sender tag (protocol §4.7,
   * "Leaving an epoch"): before this device moves to a newer epoch of the chat, so the friend's devices, to whom
   * unsigned versions of a retired epoch no longer count, still see those messages. A store failure leaves it queued.
   */
  void signOpenTail(Conversation c) throws LocalStateException;

  /**
   * Writes every page of {@code c} this client has verified (every member's, sealed and signed as they
   * were on the ledger) to the store where it holds nothing: after a move to another store, readers there
   * find the history instead of missing pages. Returns how many pages were written.
   */
  int copyVerifiedPages(Conversation c) throws LocalStateException, KvException;

  /**
   * Whether this client follows the open record pages of {@code c} (protocol §4.8, §4.9): every feed of it that
   * counts (its members' linked devices included, as this client's kept lists name them) showed version 5.
   */
  boolean followsRecords(Conversation c) throws LocalStateException;

  /** The conversation with a friend (X25519 of both keys): epoch 0 of the direct chat (protocol §3.1). */
  Conversation conversationWith(org.reschat.core.identity.PublicCard contact);

  /** Every conversation of the direct chat with {@code contact}, oldest first (protocol §3.1). */
  java.util.List<Conversation> conversationsWith(org.reschat.core.identity.PublicCard contact) throws LocalStateException;

  /** The conversation of the direct chat with {@code contact} this client writes in, and wraps secrets under. */
  Conversation currentWith(org.reschat.core.identity.PublicCard contact) throws LocalStateException;
}
