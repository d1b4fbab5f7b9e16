package org.reschat.localdb;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.testing.FakeKvStore;

/** A profile opened read-only: reads work, nothing is written to it, nothing is published from it. */
class ReadOnlyStateTest {
  @TempDir Path dir;
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final FakeKvStore store = new FakeKvStore();

  /** alice sent "one" (confirmed) and "two" (queued: the store was down); bob answered "three". */
  private Path aliceWithAQueuedMessage() throws Exception {
    Path home = dir.resolve("alice");
    try (ChatClient alice = client(a, Profile.open(home))) {
      alice.send(ChatId.direct(b.card()), "one");
      store.putMode(FakeKvStore.PutMode.UNAVAILABLE);
      assertThat(alice.send(ChatId.direct(b.card()), "two").confirmed()).isFalse();
    }
    store.putMode(FakeKvStore.PutMode.NORMAL);
    try (ChatClient bob = client(b, Profile.open(dir.resolve("bob")))) {
      bob.send(ChatId.direct(a.card()), "three");
    }
    return home;
  }

  private ChatClient client(Identity who, Profile profile) {
    return ChatClient.builder().identity(who).store(store).localState(profile.state()).build();
  }

  @Test
  void historyShowsVerifiedAndQueuedMessagesAndChangesNoFileAndPublishesNothing() throws Exception {
    Path home = aliceWithAQueuedMessage();
    Map<String, String> before = snapshot(home);
    try (ChatClient alice = client(a, Profile.openReadOnly(home, "a test"))) {
      History h = alice.history(ChatId.direct(b.card()), HistoryRequest.all());
      assertThat(h.messages()).extracting(Message::text).containsExactly("one", "two", "three");
      assertThat(h.warnings()).isEmpty();
      assertThat(alice.pending(ChatId.direct(b.card()))).isEqualTo(1);
      assertThat(alice.update(ChatId.direct(b.card())).problem()).hasValueSatisfying(p -> assertThat(p.sentence()).contains("read-only"));
    }
    assertThat(snapshot(home)).isEqualTo(before);
    try (ChatClient bob = client(b, Profile.open(dir.resolve("bob")))) {
      assertThat(bob.history(ChatId.direct(a.card()), HistoryRequest.all()).messages()).extracting(Message::text)
          .containsExactly("one", "three");
    }
  }

  @Test
  void ownPagesDamagedOnTheStoreAreReportedButNotQueuedAgain() throws Exception {
    Path home = aliceWithAQueuedMessage();
    Conversation ab = Conversation.pair(a, b.card());
    store.tamper(ab.pageKey(ab.feeds().get(0), 1), "{\"not\":\"a page\"}");
    Map<String, String> before = snapshot(home);
    try (ChatClient alice = client(a, Profile.openReadOnly(home, "a test"))) {
      History h = alice.history(ChatId.direct(b.card()), HistoryRequest.all());
      assertThat(h.messages()).extracting(Message::text).contains("one", "three");
      assertThat(h.warnings()).isNotEmpty().noneMatch(w -> w.kind() == FeedWarning.Kind.REPUBLISHED);
    }
    assertThat(snapshot(home)).isEqualTo(before);
    assertThat(store.get(ab.pageKey(ab.feeds().get(0), 1))).contains("{\"not\":\"a page\"}");
  }

  @Test
  void everyChangeIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path home = aliceWithAQueuedMessage();
    Map<String, String> before = snapshot(home);
    Profile profile = Profile.openReadOnly(home, "a test");
    String expected = "The profile " + home + " is opened read-only (a test), so ResChat cannot ";
    try (ChatClient alice = client(a, profile)) {
      assertThatThrownBy(() -> alice.send(ChatId.direct(b.card()), "four")).isInstanceOf(ReadOnlyProfileException.class)
          .hasMessageStartingWith(expected + "queue a message to send");
    }
    assertThatThrownBy(() -> profile.friends().add("bob", b.card(), a.card()))
        .isInstanceOf(ReadOnlyProfileException.class).hasMessageStartingWith(expected + "change the friend list");
    assertThatThrownBy(() -> profile.createIdentity("{}"))
        .isInstanceOf(ReadOnlyProfileException.class).hasMessageStartingWith(expected + "create an identity");
    assertThat(snapshot(home)).isEqualTo(before);
  }

  @Test
  void aMissingProfileOpenedReadOnlyIsNotCreated() throws Exception {
    Profile profile = Profile.openReadOnly(dir.resolve("nobody"), "a test");
    assertThat(profile.friends().list()).isEmpty();
    assertThat(profile.hasIdentity()).isFalse();
    assertThat(dir.resolve("nobody")).doesNotExist();
  }

  /** Every file and directory under {@code root}: content (files) and modification time. */
  static Map<String, String> snapshot(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String what = Files.isDirectory(p) ? "dir" : java.util.HexFormat.of().formatHex(Files.readAllBytes(p)); // logs are binary
        out.put(root.relativize(p).toString(), what + " " + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return out;
  }
}
