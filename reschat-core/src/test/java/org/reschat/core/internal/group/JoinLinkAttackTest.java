package org.reschat.core.internal.group;

import org.reschat.core.testing.TestClients;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.internal.board.Board;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/** Attacks on the join-link board (security review of Board's users). */
class JoinLinkAttackTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final MemoryKvStore memory = new MemoryKvStore();
  private final RecordingKvStore store = new RecordingKvStore(memory);
  private final ChatClient alice = ChatClient.builder().identity(a).store(store).localState(new InMemoryLocalState())
      .build();

  @AfterEach
  void close() {
    alice.close();
  }

  @Test
  void aLinkBoardFullOfJunkIsNotReadAgainOnEveryPoll() throws Exception {
    Group g = TestClients.groups(alice).create("club", List.of(b.card()));
    String link = TestClients.groups(alice).links().link(g);
    // Anyone the link reached (it is meant to be shared) fills its board: 256 puts, once.
    Board board = JoinLink.parse(link).orElseThrow().requests();
    for (int i = 1; i <= 256; i++) {
      memory.put(board.key(i), "junk");
    }
    Group now = TestClients.groups(alice).find(g.id()).orElseThrow();
    TestClients.groups(alice).links().requests(now); // reading the junk once is fair
    store.takeCalls();

    // ReceiveCommand calls requests() on every poll for every group where this person is an admin with an
    // active link: a poll reads only the slots after those read before, not all 256 again.
    TestClients.groups(alice).links().requests(now);
    assertThat(store.takeCalls()).as("gets by one later poll").hasSizeLessThan(20);
  }

  @Test
  void aLinkBoardWithAThousandJunkValuesStillTakesARequestAndTheAdminSeesIt() throws Exception {
    // Issue 19.5: 256 junk values closed a link's board for good; the admin saw "Nobody asks to join".
    Group g = TestClients.groups(alice).create("club", List.of());
    String link = TestClients.groups(alice).links().link(g);
    Board board = JoinLink.parse(link).orElseThrow().requests();
    for (int i = 1; i <= 1000; i++) {
      memory.put(board.key(i), "junk");
    }
    Identity e = TestIdentities.named("erin");
    try (ChatClient erin = ChatClient.builder().identity(e).store(store).localState(new InMemoryLocalState()).build()) {
      store.takeCalls();
      TestClients.groups(erin).links().join(link, "erin", true);
      assertThat(store.takeCalls()).as("reads and writes to post after 1000 junk values").hasSizeLessThan(100);
    }

    Group now = TestClients.groups(alice).find(g.id()).orElseThrow();
    assertThat(TestClients.groups(alice).links().requests(now)).extracting(GroupLinks.JoinRequest::card).containsExactly(e.card());
  }
}
