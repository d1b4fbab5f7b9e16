package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * A group's sealed state is opened (decrypted, its JSON parsed) once per text it holds, and each epoch's
 * conversation built once per client, not at every send and receive; and a text another client of the profile
 * wrote is opened and followed at once. Counted, not timed.
 */
class GroupStateOpensTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L));
  private final InMemoryLocalState alicesProfile = new InMemoryLocalState();
  private final ChatClient alice = clients.client(a, alicesProfile);
  private final ChatClient bob = clients.client(b);
  private final ChatClient carol = clients.client(c);

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatId.Group tenWithBobAndCarol() throws Exception {
    List<PublicCard> members = new ArrayList<>(List.of(b.card(), c.card()));
    for (int i = 0; i < 7; i++) {
      members.add(TestIdentities.named("member " + i).card());
    }
    ChatId.Group group = alice.groups().create("ten", members);
    bob.update(ChatId.direct(a.card())); // take the invitation
    carol.update(ChatId.direct(a.card()));
    return group;
  }

  @Test
  void aGroupSendAndItsLiveReceiveOpenNoGroupStateOnceEachTextWasOpened() throws Exception {
    ChatId.Group group = tenWithBobAndCarol();
    alice.send(group, "first");
    assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("first");
    for (int i = 0; i < 3; i++) {
      long before = OpenedGroups.opens();
      long built = EpochConversations.built();
      alice.send(group, "message " + i);
      assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("message " + i);
      // Before OpenedGroups: 4 a pair (the chat's group and the send's check; the chat's group and the receive's).
      assertThat(OpenedGroups.opens() - before).as("group states opened by send %d and its receive", i).isZero();
      // Before EpochConversations: 3 (the send's; the receive's and its acknowledgement's).
      assertThat(EpochConversations.built() - built).as("conversations built by send %d and its receive", i).isZero();
    }
  }

  @Test
  void aRemovalByAnotherClientOfTheProfileIsFollowedByTheNextSendSoTheRemovedMemberCannotReadIt() throws Exception {
    ChatId.Group group = tenWithBobAndCarol();
    alice.send(group, "before");
    assertThat(carol.update(group).received()).extracting(Message::text).containsExactly("before");
    // Another process of Alice's profile (the daemon and a CLI; here a second client on the same state) removes Carol.
    ChatClient otherProcess = clients.client(a, alicesProfile);
    Group held = TestClients.groups(otherProcess).find(group.id()).orElseThrow();
    TestClients.groups(otherProcess).remove(held, c.card());

    long before = OpenedGroups.opens();
    alice.send(group, "after carol left");
    long opened = OpenedGroups.opens() - before;
    assertThat(carol.update(group).received()).extracting(Message::text).doesNotContain("after carol left");
    assertThat(bob.update(group).received()).extracting(Message::text).contains("after carol left");
    assertThat(opened).as("the new text is opened, once").isEqualTo(1);
  }

  @Test
  void aDamagedStateIsRefusedAtEveryReadAndTheGoodTextOpensAgain() throws Exception {
    ChatId.Group group = tenWithBobAndCarol();
    alice.send(group, "first");
    String good = alicesProfile.group(group.id()).orElseThrow();
    char before = good.charAt(good.length() - 2); // a whole character of data: another one changes the bytes
    String damaged = good.substring(0, good.length() - 2) + (before == 'A' ? 'B' : 'A') + good.charAt(good.length() - 1);
    alicesProfile.saveGroup(group.id(), damaged);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> alice.send(group, "refused")).isInstanceOf(LocalStateException.class)
          .hasMessageContaining("damaged");
    }
    alicesProfile.saveGroup(group.id(), good);
    alice.send(group, "sent again");
    assertThat(bob.update(group).received()).extracting(Message::text).containsExactly("first", "sent again");
  }

  @Test
  void atMostThirtyTwoGroupsAreKeptAndABigTextIsOpenedEveryTime() throws Exception {
    OpenedGroups opened = new OpenedGroups();
    Group g = TestClients.groups(alice).create("one", List.of(b.card()));
    Map<String, Integer> opens = new java.util.HashMap<>();
    OpenedGroups.Opener counting = (id, sealed) -> {
      opens.merge(id, 1, Integer::sum);
      return g;
    };
    for (int i = 0; i <= OpenedGroups.MAX_KEPT; i++) { // one more than kept: the first goes
      opened.open("id" + i, "text", counting);
    }
    opened.open("id" + OpenedGroups.MAX_KEPT, "text", counting);
    opened.open("id0", "text", counting);
    assertThat(opens.get("id" + OpenedGroups.MAX_KEPT)).as("kept").isEqualTo(1);
    assertThat(opens.get("id0")).as("the least recently used went").isEqualTo(2);
    String big = "x".repeat(OpenedGroups.MAX_TEXT_CHARS + 1);
    opened.open("big", big, counting);
    opened.open("big", big, counting);
    assertThat(opens.get("big")).isEqualTo(2);
    opened.open("id0", "another text", counting);
    assertThat(opens.get("id0")).as("another text under a kept id is opened").isEqualTo(3);
  }
}
