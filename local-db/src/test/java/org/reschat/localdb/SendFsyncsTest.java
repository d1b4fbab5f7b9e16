package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.FakeKvStore;

/**
 * What a send costs the profile's files, counted (never timed): one fsync, of the outbox log's append that makes
 * the page durable before the store sees it; once the store confirmed it, one more append that is not fsynced (a
 * confirmation lost to a power cut leaves the page queued, and the next publish confirms it again). The first send
 * of a feed creates its log: a new file's name needs its directory synced too, so that one costs two. It was two
 * per send with a file per outbox entry (the file and its directory), and five before that.
 */
class SendFsyncsTest {
  @TempDir Path dir;

  @Test
  void aConfirmedSendFsyncsTwiceOnEveryPageAndLeavesNothingQueued() throws Exception {
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    MemoryKvStore store = new MemoryKvStore();
    Profile profile = Profile.open(dir.resolve("alice"));
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(profile.state()).build();
        ChatClient bob = ChatClient.builder().identity(b).store(store).localState(new InMemoryLocalState()).build()) {
      bob.send(ChatId.direct(a.card()), "hi"); // Bob wrote first: no message request to record
      alice.update(ChatId.direct(b.card()));
      List<Long> perSend = new ArrayList<>();
      for (int i = 0; i < 45; i++) { // over two page boundaries: a new page costs no more than a grown one
        long before = AtomicFiles.fsyncs();
        assertThat(alice.send(ChatId.direct(b.card()), "message " + i).confirmed()).isTrue();
        perSend.add(AtomicFiles.fsyncs() - before);
      }
      assertThat(perSend.get(0)).as("the feed's log created: the file and its directory").isEqualTo(2L);
      assertThat(perSend.subList(1, perSend.size())).containsOnly(1L);
      assertThat(profile.state().outbox(org.reschat.core.internal.conversation.Conversation.pair(a, b.card()).myFeed()))
          .isEmpty();
      assertThat(profile.state().queuedConversations()).isEmpty();
    }
    Path outbox = dir.resolve("alice").resolve("state").resolve("outbox");
    try (var files = Files.walk(outbox)) {
      assertThat(files.filter(Files::isRegularFile)).as("the feed's log, and no other file")
          .singleElement().satisfies(p -> assertThat(p.toString()).endsWith(".log"));
    }
  }

  @Test
  void aSendTheStoreRefusesStaysQueuedAfterItsTwoFsyncsAndIsConfirmedByTheNext() throws Exception {
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    FakeKvStore store = new FakeKvStore();
    Profile profile = Profile.open(dir.resolve("alice"));
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(profile.state()).build();
        ChatClient bob = ChatClient.builder().identity(b).store(store).localState(new InMemoryLocalState()).build()) {
      bob.send(ChatId.direct(a.card()), "hi");
      alice.update(ChatId.direct(b.card()));
      assertThat(alice.send(ChatId.direct(b.card()), "first").confirmed()).isTrue();
      store.putMode(FakeKvStore.PutMode.UNAVAILABLE);
      long before = AtomicFiles.fsyncs();
      assertThat(alice.send(ChatId.direct(b.card()), "queued").confirmed()).isFalse();
      assertThat(AtomicFiles.fsyncs() - before).as("the outbox entry, durable before the store is asked").isEqualTo(1);
      store.putMode(FakeKvStore.PutMode.NORMAL);
      assertThat(alice.send(ChatId.direct(b.card()), "then this").confirmed()).isTrue();
      assertThat(bob.update(ChatId.direct(a.card())).received()).extracting(m -> m.text())
          .containsExactly("first", "queued", "then this");
    }
  }

  /**
   * The confirmation after a confirmed write lost (a power loss before a later fsync of the log): the page is
   * queued again, and the next call confirms it without writing anything.
   */
  @Test
  void aConfirmationLostToAPowerCutIsMadeAgainByTheNextCallWithoutWritingAnything() throws Exception {
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    org.reschat.kv.testing.RecordingKvStore store = new org.reschat.kv.testing.RecordingKvStore(new MemoryKvStore());
    Path home = dir.resolve("alice");
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(Profile.open(home).state())
        .build()) {
      alice.send(ChatId.direct(b.card()), "one");
      alice.send(ChatId.direct(b.card()), "two");
    }
    // What a power cut before the last confirmation reached the disk leaves: the log without its last record.
    Path log;
    try (var files = Files.walk(home.resolve("state").resolve("outbox"))) {
      log = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(log);
    int confirmation = OutboxLogFormat.record(OutboxLogFormat.Kind.CONFIRMED, 1, null).length;
    Files.write(log, java.util.Arrays.copyOf(bytes, bytes.length - confirmation));
    store.takeCalls();
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(Profile.open(home).state())
            .build();
        ChatClient bob = ChatClient.builder().identity(b).store(store).localState(new InMemoryLocalState()).build()) {
      assertThat(alice.pending(ChatId.direct(b.card()))).as("shown as queued until confirmed").isEqualTo(1);
      assertThat(alice.update(ChatId.direct(b.card())).warnings()).isEmpty();
      assertThat(store.takeCalls().stream().filter(org.reschat.kv.testing.RecordingKvStore.Call::wrote)).as("nothing written again").isEmpty();
      assertThat(alice.pending(ChatId.direct(b.card()))).isZero();
      assertThat(bob.update(ChatId.direct(a.card())).received()).extracting(m -> m.text()).containsExactly("one", "two");
    }
  }
}
