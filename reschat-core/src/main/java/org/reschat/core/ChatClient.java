package org.reschat.core;

import java.time.Clock;
import java.util.Objects;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.feed.LedgerChatClient;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.state.InMemoryLocalState;
import org.reschat.core.state.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * The chat engine other applications embed: one person's end of every conversation they have.
 *
 * <pre>{@code
 * try (ChatClient alice = ChatClient.builder().identity(aliceKeys).store(KvStores.open("embedded:/tmp/l.db")).build()) {
 *   SendResult sent = alice.send(bobCard, "hi Bob");
 *   History history = alice.history(bobCard, HistoryRequest.newest(2));
 * }
 * }</pre>
 *
 * <p>Each person writes only their own feed, a chain of signed pages; a conversation is the merge of
 * two feeds. Everything shown is verified first. Methods are thread-safe; calls for one contact are
 * serialised (across processes too when the {@link LocalState} is on disk).
 *
 * <p>Failures: {@link KvException} when the store cannot be read (sending never throws it for a store
 * that is merely down: the message is queued instead), {@link LocalStateException} when local files
 * fail, {@link InvalidMessageException} for a message that cannot be sent.
 */
public interface ChatClient extends AutoCloseable {

  /**
   * Checks a text message as {@link #send} would, without keys or a store: so a caller can refuse bad
   * input before asking for a passphrase, and check a batch before sending any of it.
   *
   * @throws InvalidMessageException empty, over 16 KiB of UTF-8, or not valid Unicode
   */
  static void checkText(String text) throws InvalidMessageException {
    org.reschat.core.feed.LedgerChatClient.encodeText(text);
  }

  /** This person's public card. */
  PublicCard card();

  /** The conversation with {@code contact} (its ids and key names). */
  Conversation conversationWith(PublicCard contact);

  /**
   * Sends a text message. Returns once the store has confirmed it, or once it is safely queued in the
   * outbox when the store could not confirm: check {@link SendResult#confirmed()}.
   *
   * @throws InvalidMessageException when the text is empty, too long or not valid Unicode
   * @throws KvException only when this is the first message to a contact and the store cannot be read to
   *     find where the feed stands; nothing was written
   */
  SendResult send(PublicCard contact, String text) throws InvalidMessageException, LocalStateException, KvException;

  /**
   * Sends a message of any type: {@code type} is field 1 ({@code [A-Z][A-Z0-9_]{0,15}}), {@code extension}
   * field 3 (at most 1,024 bytes of the type's metadata), {@code body} the bytes sealed (at most 16 KiB).
   * Receivers get it as a {@link Message} with the same type, extension and body; a type they cannot show
   * gets a note as its text. Returns and fails as {@link #send(PublicCard, String)}.
   */
  SendResult send(PublicCard contact, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, LocalStateException, KvException;

  /**
   * Loads, verifies and decrypts history with {@code contact}, and publishes queued messages. When the
   * store cannot be read, returns the verified copy kept locally, with {@link History#storeProblem()} set.
   */
  History history(PublicCard contact, HistoryRequest request) throws LocalStateException, KvException;

  /** Publishes queued messages and returns the contact's messages not returned by an earlier update. */
  Update update(PublicCard contact) throws LocalStateException, KvException;

  /** Group chat: create, list, send, read, add, remove, leave. Invitations arrive through {@link #update}. */
  org.reschat.core.group.Groups groups();

  /**
   * Messages from people who are not friends yet: they reach this person as requests, and this client
   * posts its own request to a contact with its first message (see {@code MessageRequests}).
   */
  org.reschat.core.requests.MessageRequests requests();

  /** Own messages to {@code contact} still queued in the outbox. */
  int pending(PublicCard contact) throws LocalStateException;

  /** Stops the client's loader threads. Does not close the store or the local state. */
  @Override
  void close();

  static Builder builder() {
    return new Builder();
  }

  /** Builds a client; identity and store are required. */
  final class Builder {
    private Identity identity;
    private KvStore store;
    private LocalState state;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    public Builder identity(Identity identity) {
      this.identity = Objects.requireNonNull(identity);
      return this;
    }

    public Builder store(KvStore store) {
      this.store = Objects.requireNonNull(store);
      return this;
    }

    /** Where pages, cursors and the outbox are kept; in memory when not set. */
    public Builder localState(LocalState state) {
      this.state = Objects.requireNonNull(state);
      return this;
    }

    /** The clock that stamps sent messages. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public ChatClient build() {
      if (identity == null || store == null) {
        throw new IllegalStateException("A ChatClient needs an identity and a store");
      }
      return new LedgerChatClient(identity, store, state != null ? state : new InMemoryLocalState(), clock);
    }
  }
}
