package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.relation.RelationCodec;
import org.reschat.core.internal.relation.Targets;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/** The lookups the fold makes outside what a call loaded are bounded in pages opened, whatever is asked. */
class LocalMessagesTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final MemoryKvStore store = new MemoryKvStore();
  private final TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));

  @AfterEach
  void close() {
    clients.close();
  }

  @Test
  void lookupsStopOpeningPagesAtTheBudget() throws Exception {
    InMemoryLocalState state = new InMemoryLocalState();
    ChatClient alice = clients.client(a, state);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5 * 20; i++) {
      ids.add(alice.send(ChatId.direct(b.card()), "m" + i).message().id()); // five full pages
    }
    LedgerChatClient client = (LedgerChatClient) alice;
    var c = client.engine().conversationWith(b.card());
    LocalMessages lookups = new LocalMessages(store, state,
        () -> List.of(new LocalMessages.Source(c, LocalMessages.Visible.ALL)), 2);
    Optional<Targets.Held> first = lookups.held(RelationCodec.ref(ids.get(0)).orElseThrow(), Optional.empty());
    assertThat(first).isPresent();
    assertThat(first.get().checked()).isFalse(); // its later pages could not all be looked at for edits
    assertThat(lookups.held(RelationCodec.ref(ids.get(90)).orElseThrow(), Optional.empty())).isEmpty();
    assertThat(lookups.held(RelationCodec.ref(ids.get(1)).orElseThrow(), Optional.empty())).isPresent(); // cached
  }
}
