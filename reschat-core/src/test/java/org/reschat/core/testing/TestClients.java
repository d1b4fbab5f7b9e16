package org.reschat.core.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.reschat.core.ChatClient;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvStore;

/** The chat clients of one test: one store and clock, each client with its own state; closed together. */
public final class TestClients implements AutoCloseable {
  private final KvStore store;
  private final Clock clock;
  private final List<ChatClient> open = new ArrayList<>();

  public TestClients(KvStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A client with a fresh in-memory state. */
  public ChatClient client(Identity id) {
    return client(id, new InMemoryLocalState());
  }

  public ChatClient client(Identity id, LocalState state) {
    return client(id, state, org.reschat.core.spi.Contacts.NONE);
  }

  /** A client whose receiver follows the direct chats of {@code contacts}. */
  public ChatClient client(Identity id, LocalState state, org.reschat.core.spi.Contacts contacts) {
    ChatClient c = ChatClient.builder().identity(id).store(store).localState(state).clock(clock).contacts(contacts)
        .build();
    open.add(c);
    return c;
  }

  /** A device linked to an identity: what it was handed, imported into a fresh in-memory state. */
  public record Linked(Identity identity, InMemoryLocalState state) {}

  /**
   * Links a new device named {@code name} to {@code first} (device 0) through this store, as {@code device link}
   * on the first device and {@code device join} on the new one do: offer, join, approve, take the bundle.
   */
  public Linked link(ChatClient first, String name) throws Exception {
    org.reschat.core.Devices.LinkOffer offer = first.devices().offer();
    org.reschat.core.DeviceJoin join = org.reschat.core.DeviceJoin.start(store, offer.code(), name, clock);
    first.devices().approve(offer, first.devices().request(offer).orElseThrow(), new byte[0]);
    org.reschat.core.DeviceJoin.Joined joined = join.poll().orElseThrow();
    InMemoryLocalState state = new InMemoryLocalState();
    joined.importInto(state);
    return new Linked(joined.identity(), state);
  }

  /** A clock one millisecond later at every reading: messages sent in a row are ordered by time. */
  /**
   * The conversation layer under a client: what attack tests use to write what a modified client would
   * (an op, an invitation) into a conversation. Not part of the API.
   */
  public static org.reschat.core.internal.conversation.ConversationClient conversations(ChatClient client) {
    return ((org.reschat.core.internal.feed.LedgerChatClient) client).engine();
  }

  /** The engine's groups under a client (Group records with their epochs): for tests of the group machinery. */
  public static org.reschat.core.internal.group.Groups groups(ChatClient client) {
    return ((org.reschat.core.internal.feed.LedgerChatClient) client).groupEngine();
  }

  /** The engine's message requests under a client. */
  public static org.reschat.core.internal.requests.MessageRequests requests(ChatClient client) {
    return ((org.reschat.core.internal.feed.LedgerChatClient) client).messageRequests();
  }

  public static Clock ticking(long startMillis) {
    AtomicLong ticks = new AtomicLong(startMillis);
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(ticks.incrementAndGet());
      }
    };
  }

  @Override
  public void close() {
    open.forEach(ChatClient::close);
  }

  /** {@code state} as a profile opened read-only sees it: {@link org.reschat.core.spi.LocalState#readOnly()} is true. */
  public static org.reschat.core.spi.LocalState readOnly(org.reschat.core.spi.LocalState state) {
    return (org.reschat.core.spi.LocalState) java.lang.reflect.Proxy.newProxyInstance(
        org.reschat.core.spi.LocalState.class.getClassLoader(), new Class<?>[] {org.reschat.core.spi.LocalState.class},
        (proxy, method, args) -> {
          if (method.getName().equals("readOnly")) {
            return true;
          }
          try {
            return method.invoke(state, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
