package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.identity.CheckedCards;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A group's state names every member by card and is read at every send and receive; each card's keys cost a full
 * Ed25519 point validation and an X25519 agreement to check (about 0.2 ms). Checked once per card, a send and its
 * live receive in a group of ten check none: counted, not timed.
 */
class GroupCardChecksTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = clients.client(b);

  @AfterEach
  void close() {
    clients.close();
  }

  @Test
  void aGroupSendAndItsLiveReceiveCheckNoCardAgain() throws Exception {
    List<PublicCard> members = new ArrayList<>(List.of(b.card()));
    for (int i = 0; i < 8; i++) {
      members.add(TestIdentities.named("member " + i).card());
    }
    ChatId.Group group = alice.groups().create("ten", members);
    bob.update(ChatId.direct(a.card())); // takes the invitation
    alice.send(group, "first");
    assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("first");
    for (int i = 0; i < 3; i++) {
      long before = CheckedCards.checks();
      alice.send(group, "message " + i);
      assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("message " + i);
      assertThat(CheckedCards.checks() - before).as("cards checked by send %d and its receive", i).isZero();
    }
  }
}
