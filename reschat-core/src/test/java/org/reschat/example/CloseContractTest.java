package org.reschat.example;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatFiles;
import org.reschat.core.ChatId;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * The written close contract of {@link ChatClient}: after {@code close()}, every call fails with
 * {@link IllegalStateException}, whatever part of the API it goes through (only the public API is used here).
 */
class CloseContractTest {
  interface Call {
    void run() throws Exception;
  }

  @Test
  void everyCallAfterCloseFailsTheSameWay(@TempDir Path dir) throws Exception {
    Identity me = Identity.generate(new SecureRandom());
    Identity other = Identity.generate(new SecureRandom());
    ChatId.Direct them = ChatId.direct(other.card());
    ChatClient client = ChatClient.builder().identity(me).store(new MemoryKvStore()).inMemoryState().build();
    ChatId.Group group = client.groups().create("before close", List.of(other.card()));
    client.close();
    client.close(); // idempotent
    Path file = java.nio.file.Files.writeString(dir.resolve("f.txt"), "x");
    Map<String, Call> calls = Map.ofEntries(
        Map.entry("send", () -> client.send(them, "hi")),
        Map.entry("send a type", () -> client.send(them, "NOTE", new byte[0], new byte[1])),
        Map.entry("history", () -> client.history(them, HistoryRequest.newest(1))),
        Map.entry("update", () -> client.update(them)),
        Map.entry("pending", () -> client.pending(them)),
        Map.entry("copyVerifiedPages", () -> client.copyVerifiedPages(group)),
        Map.entry("receive", () -> client.receiver().receive(Receiver.Scope.everything(), e -> { })),
        Map.entry("follow", () -> client.receiver().follow(Receiver.Scope.everything(), Duration.ofSeconds(1), e -> { })),
        Map.entry("groups list", () -> client.groups().list()),
        Map.entry("groups info", () -> client.groups().info(group)),
        Map.entry("groups add", () -> client.groups().add(group, other.card(), false)),
        Map.entry("groups create", () -> client.groups().create("after", List.of())),
        Map.entry("requests", () -> client.requests().pending(Set.of())),
        Map.entry("files", () -> client.files().send(them, file, "f.txt", "text/plain", "", ChatFiles.Progress.NONE)));
    for (Map.Entry<String, Call> c : calls.entrySet()) {
      assertThatThrownBy(() -> c.getValue().run()).as(c.getKey()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }
}
