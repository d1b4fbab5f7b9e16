package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * {@code export} streams (issue 20): it holds the history and nothing more. 40,000 messages, exported by a
 * child JVM with a 64 MB heap: the export that built its whole text first (a JSON tree, a pretty string, an
 * escaped copy, its bytes) needed more than 96 MB for them; this one needs under 48 MB. And still all or
 * nothing: a run that cannot finish leaves the file as it was.
 */
class ExportMemoryTest {
  static final int MESSAGES = Integer.getInteger("reschat.export.messages", 40_000);
  static final String HEAP = System.getProperty("reschat.export.heap", "-Xmx64m");

  @TempDir Path dir;

  @Test
  void fortyThousandMessagesAreExportedInBoundedMemoryAndAllAtOnce() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    // Alice's side written by the engine into memory, then each key's last value onto the ledger: the pages
    // 'send' leaves there, without 40,000 writes of a tail page to a file.
    PublicCard bob = IdentityFile.card(Files.readString(dir.resolve("bob/identity.json")));
    MemoryKvStore written = new MemoryKvStore();
    try (ChatClient alice = ChatClient.builder()
        .identity(IdentityFile.open(Files.readString(dir.resolve("alice/identity.json")), new char[0]))
        .store(written).inMemoryState().build()) {
      for (int i = 0; i < MESSAGES; i++) {
        assertThat(alice.send(ChatId.direct(bob), String.format("message %06d of a long and busy year", i)).confirmed())
            .isTrue();
      }
    }
    try (KvStore ledger = KvStores.open("embedded:" + dir.resolve("ledger.db"))) {
      for (String key : written.keys()) {
        ledger.put(key, written.get(key).orElseThrow());
      }
    }

    Path out = dir.resolve("export.json");
    Files.writeString(out, "the previous export");
    Path log = dir.resolve("export.log");
    Process p = ChildProcesses.start(List.of(HEAP, "-XX:+UseSerialGC"), cli.env, log, null,
        "--home", dir.resolve("bob").toString(), "export", "alice", "-o", out.toString(), "--force");
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    JsonObject exported = JsonParser.parseString(Files.readString(out, StandardCharsets.UTF_8)).getAsJsonObject();
    assertThat(exported.getAsJsonArray("messages")).hasSize(MESSAGES);
    assertThat(exported.getAsJsonArray("messages").get(MESSAGES - 1).getAsJsonObject().get("text").getAsString())
        .isEqualTo(String.format("message %06d of a long and busy year", MESSAGES - 1));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
    assertNoTemporaryFile();

    // One that cannot finish (a heap far too small for the history) leaves the file as it was.
    Files.writeString(out, "the previous export");
    Process starved = ChildProcesses.start(List.of("-Xmx16m", "-XX:+UseSerialGC"), cli.env, log, null,
        "--home", dir.resolve("bob").toString(), "export", "alice", "-o", out.toString(), "--force");
    assertThat(starved.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(starved.exitValue()).isNotZero();
    assertThat(Files.readString(out)).isEqualTo("the previous export");
    assertNoTemporaryFile();
  }

  private void assertNoTemporaryFile() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).noneMatch(f -> f.getFileName().toString().startsWith(".export.json.tmp-"));
    }
  }
}
