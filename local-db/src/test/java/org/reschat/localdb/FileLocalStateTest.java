package org.reschat.localdb;

import org.reschat.core.ChatId;
import org.reschat.core.testing.TestClients;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.HistoryRequest;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;
import org.reschat.core.testing.LocalStateContract;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.FakeKvStore;

class FileLocalStateTest extends LocalStateContract {
  @TempDir Path dir;
  private int made;

  @Override
  protected LocalState newState() throws Exception {
    return Profile.open(dir.resolve("p" + made++)).state();
  }

  @Test
  void queuedMessagesSurviveARestartAndArePublishedByTheNextRun() throws Exception {
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    FakeKvStore store = new FakeKvStore();
    Path home = dir.resolve("alice");
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(Profile.open(home).state()).build()) {
      alice.send(ChatId.direct(b.card()), "one");
      store.putMode(FakeKvStore.PutMode.UNAVAILABLE);
      assertThat(alice.send(ChatId.direct(b.card()), "two").confirmed()).isFalse();
      assertThat(alice.send(ChatId.direct(b.card()), "three").confirmed()).isFalse();
    }
    store.putMode(FakeKvStore.PutMode.NORMAL);
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(Profile.open(home).state()).build();
        ChatClient bob = ChatClient.builder().identity(b).store(store).localState(Profile.open(dir.resolve("bob")).state()).build()) {
      assertThat(alice.pending(ChatId.direct(b.card()))).isEqualTo(2);
      assertThat(alice.update(ChatId.direct(b.card())).published()).isEqualTo(2);
      List<String> texts = bob.history(ChatId.direct(a.card()), HistoryRequest.all()).messages().stream().map(Message::text)
          .collect(Collectors.toList());
      assertThat(texts).containsExactly("one", "two", "three");
    }
  }

  /** Upgrade in place: what an earlier version left queued, as a file per page, is published by this one. */
  @Test
  void messagesAnEarlierVersionQueuedAsOutboxFilesArePublishedByTheNextRun() throws Exception {
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    FakeKvStore store = new FakeKvStore();
    Path home = dir.resolve("alice");
    store.putMode(FakeKvStore.PutMode.UNAVAILABLE);
    FeedId mine = Conversation.pair(a, b.card()).myFeed();
    java.util.SortedMap<Long, String> queued;
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(Profile.open(home).state()).build()) {
      assertThat(alice.send(ChatId.direct(b.card()), "one").confirmed()).isFalse();
      assertThat(alice.send(ChatId.direct(b.card()), "two").confirmed()).isFalse();
      queued = Profile.open(home).state().outbox(mine);
    }
    // What the earlier version left: state/outbox/CONV.TAG/N.page, and no log.
    Path outbox = home.resolve("state/outbox");
    Files.delete(outbox.resolve(mine + ".log"));
    Files.createDirectories(outbox.resolve(mine.toString()));
    for (java.util.Map.Entry<Long, String> e : queued.entrySet()) {
      Files.writeString(outbox.resolve(mine.toString()).resolve(e.getKey() + ".page"), e.getValue());
    }
    store.putMode(FakeKvStore.PutMode.NORMAL);
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(Profile.open(home).state()).build();
        ChatClient bob = ChatClient.builder().identity(b).store(store).inMemoryState().build()) {
      assertThat(alice.pending(ChatId.direct(b.card()))).isEqualTo(2);
      assertThat(alice.update(ChatId.direct(b.card())).published()).isEqualTo(2);
      assertThat(alice.pending(ChatId.direct(b.card()))).isZero();
      assertThat(bob.update(ChatId.direct(a.card())).received()).extracting(Message::text).containsExactly("one", "two");
    }
    assertThat(outbox.resolve(mine.toString())).as("moved into the log").doesNotExist();
    assertThat(outbox.resolve(mine + ".log")).exists();
  }

  @Test
  void aDamagedCachedPageIsReportedWithItsPathAndLeftAlone() throws Exception {
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    MemoryKvStore store = new MemoryKvStore();
    Path home = dir.resolve("bob");
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).inMemoryState().build();
        ChatClient bob = ChatClient.builder().identity(b).store(store).localState(Profile.open(home).state()).build()) {
      alice.send(ChatId.direct(b.card()), "hi");
      bob.update(ChatId.direct(a.card()));
      Conversation ba = TestClients.conversations(bob).conversationWith(a.card());
      Path cached = home.resolve("state/pages").resolve(ba.feeds().get(1).toString()).resolve("1.page");
      assertThat(cached).exists();
      Files.writeString(cached, "{broken");
      assertThatThrownBy(() -> bob.update(ChatId.direct(a.card()))).isInstanceOf(LocalStateException.class)
          .hasMessageContaining(cached.toString()).hasMessageContaining("has not changed it");
      assertThat(Files.readString(cached)).isEqualTo("{broken");
    }
  }

  @Test
  void aDamagedCursorIsReported() throws Exception {
    LocalState state = newState();
    Conversation ab = Conversation.pair(TestIdentities.named("alice"), TestIdentities.named("bob").card());
    state.saveDelivered(ab.feeds().get(1), new LocalState.Position(2, 3));
    Path cursor = dir.resolve("p0/state/cursors").resolve(ab.feeds().get(1) + ".json");
    assertThat(Files.readString(cursor)).contains("\"schema\":1");
    Files.writeString(cursor, "{\"schema\":1,\"page\":-4,\"slot\":0}");
    assertThatThrownBy(() -> state.delivered(ab.feeds().get(1))).isInstanceOf(LocalStateException.class)
        .hasMessageContaining(cursor.toString());
  }
}
