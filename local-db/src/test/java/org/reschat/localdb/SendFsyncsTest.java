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
 * What a send costs the profile's files, counted (never timed): the outbox entry made durable before the
 * store sees the page (its file and its directory: two fsyncs); once the store confirmed it, the queued file
 * is renamed over the verified page, atomic and not fsynced (a lost rename leaves it queued, and the next
 * publish confirms it again). It used to be five: the outbox entry, the page written again as the verified
 * copy (two), and the outbox entry deleted (one).
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
      assertThat(perSend).containsOnly(2L);
      assertThat(profile.state().outbox(org.reschat.core.internal.conversation.Conversation.pair(a, b.card()).myFeed()))
          .isEmpty();
    }
    Path outbox = dir.resolve("alice").resolve("state").resolve("outbox");
    try (var files = Files.walk(outbox)) {
      assertThat(files.filter(Files::isRegularFile)).as("no file left in the outbox").isEmpty();
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
      store.putMode(FakeKvStore.PutMode.UNAVAILABLE);
      long before = AtomicFiles.fsyncs();
      assertThat(alice.send(ChatId.direct(b.card()), "queued").confirmed()).isFalse();
      assertThat(AtomicFiles.fsyncs() - before).as("the outbox entry, durable before the store is asked").isEqualTo(2);
      store.putMode(FakeKvStore.PutMode.NORMAL);
      assertThat(alice.send(ChatId.direct(b.card()), "then this").confirmed()).isTrue();
      assertThat(bob.update(ChatId.direct(a.card())).received()).extracting(m -> m.text())
          .containsExactly("queued", "then this");
    }
  }

  /** The rename after a confirmed write lost (a power loss before it was committed): the page is queued again. */
  @Test
  void aConfirmationLostToAPowerCutIsMadeAgainByTheNextCallWithoutWritingAnything() throws Exception {
    Identity a = TestIdentities.named("alice");
    Identity b = TestIdentities.named("bob");
    org.reschat.kv.testing.RecordingKvStore store = new org.reschat.kv.testing.RecordingKvStore(new MemoryKvStore());
    Path home = dir.resolve("alice");
    Path verified = home.resolve("state").resolve("pages");
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(Profile.open(home).state())
        .build()) {
      alice.send(ChatId.direct(b.card()), "one");
    }
    // What a power cut before the rename was committed leaves: the page of "two" back in the outbox, the
    // verified copy the one before it.
    Path page;
    try (var files = Files.walk(verified)) {
      page = files.filter(p -> p.getFileName().toString().equals("1.page")).findFirst().orElseThrow();
    }
    byte[] before = Files.readAllBytes(page);
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(Profile.open(home).state())
        .build()) {
      alice.send(ChatId.direct(b.card()), "two");
    }
    Path outbox = home.resolve("state").resolve("outbox").resolve(page.getParent().getFileName()).resolve("1.page");
    Files.createDirectories(outbox.getParent());
    Files.copy(page, outbox);
    Files.write(page, before);
    store.takeCalls();
    try (ChatClient alice = ChatClient.builder().identity(a).store(store).localState(Profile.open(home).state())
            .build();
        ChatClient bob = ChatClient.builder().identity(b).store(store).localState(new InMemoryLocalState()).build()) {
      assertThat(alice.pending(ChatId.direct(b.card()))).as("shown as queued until confirmed").isEqualTo(1);
      assertThat(alice.update(ChatId.direct(b.card())).warnings()).isEmpty();
      assertThat(store.takeCalls().stream().filter(org.reschat.kv.testing.RecordingKvStore.Call::wrote)).as("nothing written again").isEmpty();
      assertThat(alice.pending(ChatId.direct(b.card()))).isZero();
      assertThat(Files.exists(outbox)).isFalse();
      assertThat(bob.update(ChatId.direct(a.card())).received()).extracting(m -> m.text()).containsExactly("one", "two");
    }
  }
}
