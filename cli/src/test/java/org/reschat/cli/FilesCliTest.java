package org.reschat.cli;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;
import org.reschat.core.ChatClient;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.internal.files.FileLayout;
import org.reschat.core.internal.files.FileOffer;
import org.reschat.core.internal.files.FileTransfer;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvStore;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.testing.ResilientDbCluster;

/** Files to a friend as a person at the terminal sees them: send, files, download, the chat line, exit codes. */
class FilesCliTest {
  @TempDir
  Path dir;

  private Path file(String name, int size) throws Exception {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    Path p = dir.resolve("src");
    Files.createDirectories(p);
    return Files.write(p.resolve(name), bytes);
  }

  private static List<JsonObject> json(Result r) {
    return r.lines().stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
  }

  private String onlyFileId(CliHarness cli, String who, String friend) {
    List<JsonObject> files = json(CliHarness.check(cli.as(who, "--json", "files", friend)));
    assertThat(files).hasSize(1);
    return files.get(0).get("id").getAsString();
  }

  @Test
  void aFileGoesToAFriendIsListedAndComesBackVerified() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    Path report = file("report.pdf", FileLayout.CHUNK_PLAIN_BYTES + 1);
    Result sent = CliHarness.check(cli.as("alice", "send", "bob", "--file", report.toString(), "--caption", "Q3 figures"));
    assertThat(sent.err()).contains("Sent report.pdf (256.0 KiB) to bob.");

    Result listed = CliHarness.check(cli.as("bob", "files", "alice"));
    assertThat(listed.out()).contains("report.pdf", "256.0 KiB", "alice");
    JsonObject file = json(CliHarness.check(cli.as("bob", "--json", "files", "alice"))).get(0);
    assertThat(file.get("type").getAsString()).isEqualTo("file");
    assertThat(file.get("name").getAsString()).isEqualTo("report.pdf");
    assertThat(file.get("size").getAsLong()).isEqualTo(FileLayout.CHUNK_PLAIN_BYTES + 1);
    assertThat(file.get("caption").getAsString()).isEqualTo("Q3 figures");
    String id = file.get("id").getAsString();
    // Message ids can start with '-' (base64url): the f: prefix keeps a pasted id from reading as an option.
    assertThat(id).startsWith("f:").endsWith(file.get("message_id").getAsString());

    JsonObject inHistory = json(CliHarness.check(cli.as("bob", "--json", "history", "alice"))).get(0);
    assertThat(inHistory.getAsJsonObject("file").get("name").getAsString()).isEqualTo("report.pdf");
    // The conversation shows a file line with the command that fetches it, as typed in a shell (the chat
    // view offers its own /download), and so does an export.
    String line = "[file] report.pdf (256.0 KiB) Q3 figures — reschat download alice " + id;
    assertThat(CliHarness.check(cli.as("bob", "history", "alice")).out()).contains(line).doesNotContain("/download");
    assertThat(CliHarness.check(cli.as("bob", "export", "alice")).out()).contains(line).doesNotContain("/download");
    assertThat(CliHarness.check(cli.as("bob", "export", "alice", "--format", "md")).out()).contains(line);

    Path downloads = Files.createDirectories(dir.resolve("downloads"));
    JsonObject done = json(CliHarness.check(cli.as("bob", "--json", "download", "alice", id, "-o", downloads.toString()))).get(0);
    assertThat(done.get("type").getAsString()).isEqualTo("download");
    assertThat(Files.mismatch(report, downloads.resolve("report.pdf"))).isEqualTo(-1);
    // The sender can fetch what they sent, too.
    CliHarness.check(cli.as("alice", "download", "bob", id, "-o", dir.resolve("copy.pdf").toString()));
    assertThat(Files.mismatch(report, dir.resolve("copy.pdf"))).isEqualTo(-1);
  }

  @Test
  void progressBarsShowOnATerminalOnly() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    java.io.ByteArrayOutputStream bars = new java.io.ByteArrayOutputStream();
    cli.progress = new java.io.PrintStream(bars, true, java.nio.charset.StandardCharsets.UTF_8);
    cli.stderrIsTerminal = true;
    CliHarness.check(cli.as("alice", "send", "bob", "--file", file("big.bin", 3 * FileLayout.CHUNK_PLAIN_BYTES).toString()));
    CliHarness.check(cli.as("bob", "download", "alice", onlyFileId(cli, "bob", "alice"), "-o", dir.resolve("o").toString()));
    assertThat(bars.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("Sending big.bin", "Fetching big.bin", "MiB");
    bars.reset();
    cli.stderrIsTerminal = false;
    CliHarness.check(cli.as("alice", "send", "bob", "--file", file("big2.bin", 3 * FileLayout.CHUNK_PLAIN_BYTES).toString()));
    assertThat(bars.size()).isZero();
  }

  @Test
  void anExistingFileIsKeptWithoutForce() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "--file", file("a.txt", 1).toString()));
    String id = onlyFileId(cli, "bob", "alice");
    Path target = Files.writeString(dir.resolve("mine.txt"), "keep me");
    Result refused = cli.as("bob", "download", "alice", id, "-o", target.toString());
    assertThat(refused.code()).as(refused.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("exists; choose another with -o, or replace it with --force.").doesNotContain("Exception");
    assertThat(Files.readString(target)).isEqualTo("keep me");
    CliHarness.check(cli.as("bob", "download", "alice", id, "-o", target.toString(), "--force"));
    assertThat(Files.size(target)).isEqualTo(1);
  }

  @Test
  void aHostileFileNameIsNeitherAPathNorATerminalCommand() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    String hostile = "../../\u001b]0;pwned\u0007\u001b[31mevil\u202Etxt.sh";
    try (KvStore ledger = EmbeddedStore.open(dir.resolve("ledger.db")); ChatClient alice = client("alice", ledger)) {
      PublicCard bob = card(cli, "bob");
      new FileTransfer(ledger, dir.resolve("alice-uploads")).send(file("x", 10), hostile, "text/plain", "\u001b[2J", "bob",
          (t, e, b) -> alice.send(ChatId.direct(bob), t, e, b), FileTransfer.Progress.NONE);
    }
    for (Result r : List.of(cli.as("bob", "files", "alice"), cli.as("bob", "history", "alice"), cli.as("bob", "receive"))) {
      assertThat(r.code()).isZero();
      assertThat(r.out() + r.err()).doesNotContain("\u001b", "\u0007", "\u202E");
    }
    Path downloads = Files.createDirectories(dir.resolve("downloads"));
    CliHarness.check(cli.as("bob", "download", "alice", onlyFileId(cli, "bob", "alice"), "-o", downloads.toString()));
    try (Stream<Path> saved = Files.list(downloads)) {
      assertThat(saved.map(p -> p.getFileName().toString())).containsExactly("]0;pwned[31meviltxt.sh");
    }
    assertThat(dir.resolve("evil")).doesNotExist();
  }

  @Test
  void aTamperedOrMissingChunkIsExitFourWithNoFileLeft() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "--file", file("two.bin", FileLayout.CHUNK_PLAIN_BYTES + 5).toString()));
    String id = onlyFileId(cli, "bob", "alice");
    String location;
    try (KvStore ledger = EmbeddedStore.open(dir.resolve("ledger.db")); ChatClient bob = client("bob", ledger)) {
      Message m = bob.history(ChatId.direct(card(cli, "alice")), HistoryRequest.all()).messages().get(0);
      location = FileLayout.location(FileOffer.parse(m.body()).orElseThrow().key(), 1);
      String value = ledger.get(location).orElseThrow();
      ledger.put(location, (value.charAt(0) == 'A' ? "B" : "A") + value.substring(1));
    }
    Path downloads = Files.createDirectories(dir.resolve("downloads"));
    Result tampered = cli.as("bob", "download", "alice", id, "-o", downloads.toString());
    assertThat(tampered.code()).as(tampered.toString()).isEqualTo(ExitCodes.SECURITY);
    assertThat(tampered.err().strip()).isEqualTo("reschat: Chunk 2 of 2 does not authenticate: it was altered or moved; nothing was saved.");
    try (Stream<Path> left = Files.list(downloads)) {
      assertThat(left).isEmpty();
    }
    try (KvStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"))) {
      ledger.put(location, "");
    }
    Result missing = cli.as("bob", "download", "alice", id, "-o", downloads.toString());
    assertThat(missing.code()).isEqualTo(ExitCodes.SECURITY);
    try (Stream<Path> left = Files.list(downloads)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void badFileArgumentsAreOneSentence() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    Result none = cli.as("alice", "send", "bob", "--file", dir.resolve("nope").toString());
    assertThat(none.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(none.err().lines()).hasSize(1);
    Result both = cli.as("alice", "send", "bob", "hi", "--file", file("a", 1).toString());
    assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
    Result unknown = cli.as("bob", "download", "alice", "nope:1:0");
    assertThat(unknown.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(unknown.err()).contains("'reschat files alice' lists them.");
    Result directory = cli.as("alice", "send", "bob", "--file", dir.toString());
    assertThat(directory.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(directory.err()).contains("is not a regular file");
    CliHarness.check(cli.as("alice", "send", "bob", "--file", file("b", 5).toString()));
    Result nowhere = cli.as("bob", "download", "alice", onlyFileId(cli, "bob", "alice"), "-o", dir.resolve("no/such/dir/b").toString());
    assertThat(nowhere.code()).as(nowhere.toString()).isEqualTo(ExitCodes.LOCAL);
    assertThat(nowhere.err().lines()).hasSize(1);
  }

  @Test
  @org.junit.jupiter.api.Tag("slow") // a child JVM: left out by mvn -Pfast
  void anUploadKilledMidwayResumesWithoutResendingConfirmedChunks() throws Exception {
    int chunks = 40;
    try (ResilientDbCluster cluster = ResilientDbCluster.start(1)) {
      CliHarness cli = new CliHarness(dir);
      cli.useResilientDb(cluster, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
      cli.friends("alice", "bob");
      Path big = file("big.bin", chunks * FileLayout.CHUNK_PLAIN_BYTES);
      // Slow enough to stop it halfway: ≥ 3.7 s from the third confirmed chunk to the last, ample for the poll.
      cluster.node(0).responseDelay(Duration.ofMillis(50));
      Process p = ChildProcesses.start(cli.env, dir.resolve("send.log"), null, "--home", dir.resolve("alice").toString(),
          "send", "bob", "--file", big.toString());
      int done;
      try {
        done = waitForConfirmedChunks(dir.resolve("alice/uploads"), 3, p);
        p.destroyForcibly(); // SIGKILL: no shutdown hooks
        assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
      } finally {
        p.destroyForcibly();
      }
      assertThat(done).as(Files.readString(dir.resolve("send.log"))).isBetween(3, chunks - 1);
      cluster.node(0).responseDelay(Duration.ZERO);

      int before = cluster.commits();
      CliHarness.check(cli.as("alice", "send", "bob", "--file", big.toString()));
      int written = cluster.commits() - before;
      // The killed run's confirmed chunks are not written again; the rest plus the FILE message's page are.
      assertThat(written).isLessThan(chunks).isLessThanOrEqualTo(chunks - done + 4);
      try (Stream<Path> journals = Files.list(dir.resolve("alice/uploads"))) {
        assertThat(journals).isEmpty();
      }
      Path out = dir.resolve("out.bin");
      CliHarness.check(cli.as("bob", "download", "alice", onlyFileId(cli, "bob", "alice"), "-o", out.toString()));
      assertThat(Files.mismatch(big, out)).isEqualTo(-1);
    }
  }

  @Test
  void aStoreThatDoesNotConfirmIsExitSixSaidPlainlyAndTheSameCommandFinishes() throws Exception {
    try (ResilientDbCluster cluster = ResilientDbCluster.start(1)) {
      CliHarness cli = new CliHarness(dir);
      // Wide timeouts wherever a step must succeed; only the stalled send has a short confirm window, which
      // nothing can meet (the writes never become visible), however fast or slow the machine.
      cli.useResilientDb(cluster, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20));
      cli.friends("alice", "bob");
      Path photo = file("photo.jpg", 3 * FileLayout.CHUNK_PLAIN_BYTES);
      cluster.dropCommits(true); // accepted, never visible: nothing is confirmed
      cli.env.put("RESCHAT_CONFIRM_TIMEOUT", "300ms");
      Result interrupted = cli.as("alice", "send", "bob", "--file", photo.toString());
      cli.env.put("RESCHAT_CONFIRM_TIMEOUT", "20s");
      assertThat(interrupted.code()).as(interrupted.toString()).isEqualTo(ExitCodes.QUEUED);
      assertThat(interrupted.err()).contains("not sent yet: 0 of 3 chunk(s) are on the store",
          "sending the same file again resumes where this stopped.").doesNotContain("Exception");
      assertThat(CliHarness.check(cli.as("bob", "files", "alice")).out()).isEmpty();

      cluster.dropCommits(false);
      CliHarness.check(cli.as("alice", "send", "bob", "--file", photo.toString()));
      Path out = dir.resolve("photo-copy.jpg");
      CliHarness.check(cli.as("bob", "download", "alice", onlyFileId(cli, "bob", "alice"), "-o", out.toString()));
      assertThat(Files.mismatch(photo, out)).isEqualTo(-1);
    }
  }

  /** Confirmed chunks in the one upload journal, once at least {@code atLeast}; the upload must still be running. */
  private static int waitForConfirmedChunks(Path journals, int atLeast, Process p) throws Exception {
    while (p.isAlive()) {
      if (Files.isDirectory(journals)) {
        try (Stream<Path> files = Files.list(journals)) {
          for (Path j : files.filter(f -> f.toString().endsWith(".json")).toList()) {
            String done = JsonParser.parseString(Files.readString(j)).getAsJsonObject().get("done").getAsString();
            int n = java.util.BitSet.valueOf(java.util.Base64.getUrlDecoder().decode(done)).cardinality();
            if (n >= atLeast) {
              return n;
            }
          }
        } catch (java.io.IOException | IllegalStateException e) {
          // a journal being replaced: look again
        }
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the upload ended before it could be interrupted");
  }

  private ChatClient client(String who, KvStore ledger) throws Exception {
    return ChatClient.builder().identity(IdentityFile.open(Files.readString(dir.resolve(who + "/identity.json")), new char[0]))
        .store(ledger).inMemoryState().build();
  }

  private static PublicCard card(CliHarness cli, String who) throws Exception {
    return PublicCard.parse(cli.cardOf(who));
  }
}
