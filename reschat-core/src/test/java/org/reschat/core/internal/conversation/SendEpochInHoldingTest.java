package org.reschat.core.internal.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A send writes in the epoch its profile's record names when it holds the conversation's lock (§3.1), not the one
 * this client found at its last send: the epoch last found is only what it locks first ({@link PairEpochs#lastCurrent}).
 */
class SendEpochInHoldingTest {
  private static final Identity A = TestIdentities.named("alice");
  private static final Identity B = TestIdentities.named("bob");

  @Test
  void aSendWritesInTheEpochAnotherProcessTookSinceTheLastSend() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    InMemoryLocalState profile = new InMemoryLocalState();
    Conversation first = Conversation.pair(A, B.card());
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 7);
    Conversation later = Conversation.of(A, secret, first.members());
    try (ChatClient alice = ChatClient.builder().identity(A).store(store).localState(profile).build()) {
      alice.send(ChatId.direct(B.card()), "in epoch 0");
      assertThat(store.get(first.pageKey(first.myFeed(), 1))).isPresent();

      // another process of this profile takes an epoch Bob started (what reading his PAIR_ROTATE does)
      assertThat(new PairEpochs(A, profile).keep(B.card(), secret, true)).isTrue();
      assertThat(store.get(later.pageKey(later.myFeed(), 1))).isEmpty();
      alice.send(ChatId.direct(B.card()), "in the later epoch");
      assertThat(store.get(later.pageKey(later.myFeed(), 1))).as("written in the epoch taken meanwhile").isPresent();
    }
  }
}
