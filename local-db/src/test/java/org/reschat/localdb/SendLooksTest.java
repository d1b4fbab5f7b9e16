package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * What a send on the on-disk profile stats, counted ({@link TrustedFiles#looks}): with the profile quiet, its
 * device records' directory (which stands for every device record: {@link SeenFiles}), the friend's verified
 * feed's directory, and its own outbox log (appended to in place). The epoch to write in is decided in the holding
 * of the conversation's lock, sharing the device lists' look: deciding it before the lock was a second stat of the
 * device records' directory each send.
 */
class SendLooksTest {
  @TempDir Path dir;

  private static final Identity A = TestIdentities.named("alice");
  private static final Identity B = TestIdentities.named("bob");

  @Test
  void aSendLooksAtTheDeviceRecordsOnce() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    Path home = dir.resolve("alice");
    try (ChatClient bob = ChatClient.builder().identity(B).store(store).localState(new InMemoryLocalState()).build()) {
      bob.send(ChatId.direct(A.card()), "hi");
      try (ChatClient alice = client(store, Profile.open(home))) {
        alice.update(ChatId.direct(B.card()));
        alice.send(ChatId.direct(B.card()), "first"); // notes its reads (a device record) and writes its page
        alice.send(ChatId.direct(B.card()), "second");
      }
      quiet(home.resolve("state")); // as if sent a while ago: a directory counts once quiet for a second (SeenFiles)
      Profile profile = Profile.open(home);
      try (ChatClient alice = client(store, profile)) {
        alice.send(ChatId.direct(B.card()), "third"); // each file looked at, then its directory (SeenFiles)
        alice.send(ChatId.direct(B.card()), "fourth");
        List<Long> perSend = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // within the first page: a new page is a new file in the feed's directory
          long before = profile.trusted().looks();
          alice.send(ChatId.direct(B.card()), "message " + i);
          perSend.add(profile.trusted().looks() - before);
        }
        assertThat(perSend).as("state/devices, the friend's pages' directory, the outbox log: one stat each")
            .containsOnly(3L);
      }
      assertThat(bob.update(ChatId.direct(A.card())).received()).hasSize(9);
    }
  }

  private static ChatClient client(MemoryKvStore store, Profile profile) throws Exception {
    return ChatClient.builder().identity(A).store(store).localState(profile.state()).build();
  }

  /** Every directory and file below {@code root} last changed an hour ago: quiet for longer than a second. */
  private static void quiet(Path root) throws Exception {
    java.nio.file.attribute.FileTime hourAgo =
        java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600));
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        Files.setLastModifiedTime(p, hourAgo);
      }
    }
  }
}
