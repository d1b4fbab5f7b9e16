package org.reschat.core.internal.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;

/** The record of each direct chat's later epochs (protocol §3.1), and the conversations it builds once per client. */
class PairEpochsTest {
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Identity carol = TestIdentities.named("carol");
  private final PairEpochs pairs = new PairEpochs(alice, new InMemoryLocalState());

  /**
   * Bob and Carol collude and hand Alice the same secret for their chats' later epochs: each chat's epoch is still a
   * conversation of its own pair (the conversations built once are kept by secret and friend, not by secret alone).
   */
  @Test
  void theSameSecretFromTwoFriendsMakesOneEpochOfEachChat() throws Exception {
    byte[] secret = new byte[32];
    secret[0] = 7;
    assertThat(pairs.keep(carol.card(), secret, true)).isTrue();
    assertThat(pairs.keep(bob.card(), secret, true)).isTrue();
    Conversation withCarol = pairs.current(Conversation.pair(alice, carol.card()));
    Conversation withBob = pairs.current(Conversation.pair(alice, bob.card()));
    assertThat(withCarol.them()).isEqualTo(carol.card());
    assertThat(withBob.them()).isEqualTo(bob.card());
    assertThat(pairs.chain(Conversation.pair(alice, bob.card())).get(1).members()).contains(bob.card())
        .doesNotContain(carol.card());
  }
}
