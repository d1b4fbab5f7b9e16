package org.reschat.core.internal.relation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Content;
import org.reschat.core.Draft;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.Message;
import org.reschat.core.Relations;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.group.Group;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/** Mentions and read markers in a group, and relations across its epochs, through the one chat API. */
class GroupRelationsTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final Identity d = TestIdentities.named("dave");
  private final TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = clients.client(b);
  private final ChatClient carol = clients.client(c);

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatId trip() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
    bob.update(ChatId.direct(a.card()));
    carol.update(ChatId.direct(a.card()));
    return ChatId.group(g.id());
  }

  private static Message byId(List<Message> messages, String id) {
    return messages.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void aMentionNamesTheMemberItWasResolvedToAndOnlyMembers() throws Exception {
    ChatId trip = trip();
    Message sent = alice.send(trip, Draft.of("@bob can you book?").mentioning(List.of(b.card()))).message();
    Message got = bob.update(trip).received().stream().filter(m -> m.id().equals(sent.id())).findFirst().orElseThrow();
    Content.Text text = (Content.Text) got.content();
    assertThat(text.mentions()).containsExactly(b.card());
    assertThat(text.mentions(b.card())).isTrue();
    assertThat(text.mentions(c.card())).isFalse();
    assertThatThrownBy(() -> alice.send(trip, Draft.of("@dave hi").mentioning(List.of(d.card()))))
        .isInstanceOf(InvalidMessageException.class).hasMessageContaining("not a member");
    assertThatThrownBy(() -> alice.send(ChatId.direct(b.card()), Draft.of("@bob").mentioning(List.of(b.card()))))
        .isInstanceOf(InvalidMessageException.class).hasMessageContaining("groups");
  }

  @Test
  void seenByCountsTheMembersWhosePagesSayTheyReadIt() throws Exception {
    ChatId trip = trip();
    Message sent = alice.send(trip, "who is in?").message();
    assertThat(alice.seen(trip, sent.id())).contains(new Relations.Seen(0, 2));
    bob.update(trip);
    bob.send(trip, "me");
    alice.update(trip);
    assertThat(byId(alice.history(trip, HistoryRequest.all()).messages(), sent.id()).relations().seen())
        .contains(new Relations.Seen(1, 2));
    carol.update(trip);
    carol.send(trip, "me too");
    alice.update(trip);
    assertThat(alice.seen(trip, sent.id())).contains(new Relations.Seen(2, 2));
  }

  @Test
  void reactionsAndEditsReachMessagesOfAnEarlierEpoch() throws Exception {
    ChatId trip = trip();
    Message old = alice.send(trip, "first plan").message();
    bob.update(trip);
    TestClients.groups(alice).remove(TestClients.groups(alice).find(((ChatId.Group) trip).id()).orElseThrow(), c.card());
    bob.update(trip); // Bob follows into the new epoch
    alice.edit(trip, old.id(), "second plan");
    bob.react(trip, old.id(), "👌");
    Message m = byId(bob.history(trip, HistoryRequest.all()).messages(), old.id());
    assertThat(m.text()).isEqualTo("second plan");
    assertThat(m.relations().reactions()).containsExactly(new Relations.Reaction("👌", b.card()));
    assertThat(bob.history(trip, HistoryRequest.all()).warnings()).isEmpty();
  }
}
