package org.reschat.core;

import java.time.Clock;
import java.util.Objects;
import org.reschat.core.internal.page.MessageText;
import org.reschat.core.spi.ChannelFollows;
import org.reschat.core.spi.Contacts;
import org.reschat.core.internal.feed.LedgerChatClient;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * The chat engine other applications embed: one person's end of every chat they have, direct or group.
 *
 * <pre>{@code
 * try (ChatClient me = ChatClient.builder().identity(keys).store(KvStores.open("embedded:/tmp/l.db"))
 *         .localState(state).contacts(friends).build();
 *      Receiver.Subscription s = me.receiver().follow(Receiver.Scope.everything(), Duration.ofSeconds(30),
 *         event -> System.out.println(event))) {
 *   SendResult sent = me.send(ChatId.direct(bobCard), "hi Bob");
 *   History history = me.history(ChatId.direct(bobCard), HistoryRequest.newest(2));
 * }
 * }</pre>
 *
 * <p>Every chat is named by a {@link ChatId}, and every operation works the same for both kinds: the same
 * text rules, the same results. Each person writes only their own feed, a chain of signed pages; a chat is
 * the merge of its members' feeds. Everything shown is verified first.
 *
 * <p>Threads: methods are thread-safe; calls for one chat are serialised (across processes too when the
 * {@link LocalState} is on disk). After {@link #close()} every method throws {@link IllegalStateException}.
 *
 * <p>Failures: {@link KvException} when the store cannot be read (sending never throws it for a store that
 * is merely down: the message is queued instead), {@link LocalStateException} when local files fail,
 * {@link InvalidMessageException} for a message that cannot be sent, {@link GroupException} for a group this
 * person is not (or no longer) in.
 */
public interface ChatClient extends AutoCloseable {

  /**
   * Checks a text message as {@link #send} would, without keys or a store: so a caller can refuse bad
   * input before asking for a passphrase, and check a batch before sending any of it.
   *
   * @throws InvalidMessageException empty, over 16 KiB of UTF-8, or not valid Unicode
   */
  static void checkText(String text) throws InvalidMessageException {
    MessageText.encode(text);
  }

  /** This person's public card. */
  PublicCard card();

  /**
   * Sends a text message to a chat. Returns once the store has confirmed it, or once it is safely queued in
   * the outbox when the store could not confirm: check {@link SendResult#confirmed()}.
   *
   * @throws InvalidMessageException when the text is empty, too long or not valid Unicode (checked first)
   * @throws GroupException when this person is not in the group (any more)
   * @throws DeviceException when this device was revoked (protocol §15.7): nobody would show what it writes
   * @throws KvException only when this is the first message in a chat and the store cannot be read to find
   *     where the feed stands; nothing was written
   */
  SendResult send(ChatId chat, String text)
      throws InvalidMessageException, GroupException, DeviceException, LocalStateException, KvException;

  /**
   * Sends a message of any type: {@code type} is field 1 ({@code [A-Z][A-Z0-9_]{0,15}}, not a group
   * operation's), {@code extension} field 3 (at most 1,024 bytes of the type's metadata), {@code body} the
   * bytes sealed (at most 16 KiB). Receivers get it as a {@link Message} with the same type, extension and
   * body. Returns and fails as {@link #send(ChatId, String)}.
   */
  SendResult send(ChatId chat, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, GroupException, DeviceException, LocalStateException, KvException;

  /**
   * Sends a text that answers a message of the chat ({@link Draft#replyingTo}) or, in a group, mentions members
   * ({@link Draft#mentioning}). The message answered must be one this client holds; those mentioned must be
   * members now. Returns and fails as {@link #send(ChatId, String)}.
   *
   * @throws InvalidMessageException also when the message answered is not held here, or someone mentioned is
   *     not a member (or the chat is not a group)
   */
  SendResult send(ChatId chat, Draft draft)
      throws InvalidMessageException, GroupException, DeviceException, LocalStateException, KvException;

  /**
   * Reacts to message {@code messageId} of the chat with {@code emoji} (1–32 characters, no spaces): it replaces
   * this person's earlier reaction to it. Every reaction is a message on the ledger, kept for good.
   *
   * @throws InvalidMessageException when the message is not held here, is itself a reaction, edit, delete or
   *     group change, was deleted, or {@code emoji} is not a reaction
   */
  SendResult react(ChatId chat, String messageId, String emoji)
      throws InvalidMessageException, GroupException, DeviceException, LocalStateException, KvException;

  /** Takes this person's reaction to {@code messageId} back (a message too). Fails as {@link #react}. */
  SendResult removeReaction(ChatId chat, String messageId)
      throws InvalidMessageException, GroupException, DeviceException, LocalStateException, KvException;

  /**
   * Replaces the text of one of this person's texts: every client shows {@code text} from then on, marked
   * edited, with the earlier texts on request. The earlier text stays on the ledger.
   *
   * @throws InvalidMessageException when {@code text} breaks the text rules, or the message is not held here, is
   *     not this person's, is not a text, or was deleted
   */
  SendResult edit(ChatId chat, String messageId, String text)
      throws InvalidMessageException, GroupException, DeviceException, LocalStateException, KvException;

  /**
   * Deletes one of this person's messages for every client: they show it as deleted, without its text. What it
   * cannot do on a ledger: the sealed message stays where it was written, and anyone holding the chat's keys
   * (every member, and anyone they gave a copy) can still open it.
   *
   * @throws InvalidMessageException when the message is not held here, is not this person's, is a reaction,
   *     edit, delete or group change, or was deleted already
   */
  SendResult delete(ChatId chat, String messageId)
      throws InvalidMessageException, GroupException, DeviceException, LocalStateException, KvException;

  /**
   * How many of the other members had read this person's message {@code messageId} when they last wrote, from
   * what this client holds (no store read, and nobody ever writes a receipt): empty for others' messages or a
   * message not held.
   */
  java.util.Optional<Relations.Seen> seen(ChatId chat, String messageId) throws GroupException, LocalStateException;

  /**
   * Loads, verifies and decrypts a chat's history, and publishes queued messages. When the store cannot be
   * read, returns the verified copy kept locally, with {@link History#storeProblem()} set. Reactions, edits and
   * deletes are folded onto the messages they refer to ({@link Message#relations()}), not listed themselves;
   * those refused are warnings of kind {@link FeedWarning.Kind#NOT_APPLIED}.
   */
  History history(ChatId chat, HistoryRequest request) throws GroupException, LocalStateException, KvException;

  /**
   * Receives one chat now and marks what it returns delivered: {@link #receiver()} does this for every chat
   * at once, with events. Publishes queued messages.
   */
  Update update(ChatId chat) throws GroupException, LocalStateException, KvException;

  /** Own messages to {@code chat} still queued in the outbox. */
  int pending(ChatId chat) throws LocalStateException;

  /**
   * Writes every page of {@code chat} this client has verified (every member's, sealed and signed as they
   * were on the ledger) to the store where it holds nothing: after a move to another store, readers there
   * find the history instead of missing pages. Returns how many pages were written.
   */
  int copyVerifiedPages(ChatId chat) throws GroupException, LocalStateException, KvException;

  /** Files in any chat: send, fetch. */
  ChatFiles files();

  /** Receiving for every chat at once, as events. */
  Receiver receiver();

  /** Group membership: create, add, remove, admins, leave, links. Messages go through {@link #send}. */
  Groups groups();

  /** Linked devices: this identity's and other people's, and linking a new one (protocol §15). */
  Devices devices();

  /**
   * Messages from people who are not contacts yet: they reach this person as requests, and this client
   * posts its own request to a contact with its first message (see {@code MessageRequests}).
   */
  Requests requests();

  /** Stops the client's threads. Does not close the store or the local state. Idempotent. */
  @Override
  void close();

  static Builder builder() {
    return new Builder();
  }

  /** Builds a client; identity, store and local state are required. */
  final class Builder {
    private Identity identity;
    private KvStore store;
    private LocalState state;
    private Contacts contacts = Contacts.NONE;
    private ChannelFollows channels = ChannelFollows.NONE;
    private Clock clock = Clock.systemUTC();
    private java.nio.file.Path uploads;

    private Builder() {}

    public Builder identity(Identity identity) {
      this.identity = Objects.requireNonNull(identity);
      return this;
    }

    public Builder store(KvStore store) {
      this.store = Objects.requireNonNull(store);
      return this;
    }

    /** Where pages, delivery marks and the outbox are kept across restarts (required, or {@link #inMemoryState()}). */
    public Builder localState(LocalState state) {
      this.state = Objects.requireNonNull(state);
      return this;
    }

    /**
     * Keeps the local state in this process only: after a restart the client reads everything again, and
     * messages still queued (the store did not confirm them) are lost with the process. For tests and tools.
     */
    public Builder inMemoryState() {
      this.state = new InMemoryLocalState();
      return this;
    }

    /** Whose direct chats {@link #receiver()} follows; none when not set. */
    public Builder contacts(Contacts contacts) {
      this.contacts = Objects.requireNonNull(contacts);
      return this;
    }

    /** Which public channels {@link #receiver()} follows; none when not set. */
    public Builder channels(ChannelFollows channels) {
      this.channels = Objects.requireNonNull(channels);
      return this;
    }

    /**
     * A private directory where unfinished file uploads are recorded, so sending the same file again
     * resumes; without one, a temporary directory (an upload resumes within this process only).
     */
    public Builder uploadJournals(java.nio.file.Path dir) {
      this.uploads = Objects.requireNonNull(dir);
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
      if (state == null) {
        throw new IllegalStateException("A ChatClient needs a local state: localState(...) to keep it across restarts,"
            + " or inMemoryState() to keep nothing (queued messages are then lost with the process)");
      }
      return new LedgerChatClient(identity, store, state, contacts, channels, uploads, clock);
    }
  }
}
