package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A profile opened read-only (issue #15: a backup mounted read-only, another user's directory, or
 * {@code --read-only}): commands that read work and change no file of it; commands that write say so in
 * one sentence, exit 7, and change nothing.
 */
@org.junit.jupiter.api.Tag("slow") // child JVMs: left out by mvn -Pfast
class ReadOnlyProfileTest {
  @TempDir Path dir;

  /** alice and bob are friends; bob wrote to alice, who has not read it yet: her history learns pages. */
  private CliHarness twoFriendsWithUnreadMessages() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("bob", "send", "alice", "Lunch at noon?"));
    CliHarness.check(cli.as("bob", "send", "alice", "at the usual place"));
    return cli;
  }

  @Test
  void historyFromAReadOnlyProfileShowsTheConversationAndChangesNoFile() throws Exception {
    CliHarness cli = twoFriendsWithUnreadMessages();
    Path alice = dir.resolve("alice");
    Map<String, String> before = snapshot(alice);

    CliHarness.Result r = cli.as("alice", "--read-only", "history", "bob");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Lunch at noon?", "at the usual place");
    // What the run verified was kept in memory only: a second run reads it from the ledger again.
    assertThat(cli.as("alice", "--read-only", "history", "bob").out()).contains("Lunch at noon?");

    assertThat(snapshot(alice)).isEqualTo(before);
    assertThat(alice.resolve("state").resolve("locks")).doesNotExist();
  }

  @Test
  void everyCommandThatOnlyReadsWorksAndChangesNoFile() throws Exception {
    CliHarness cli = twoFriendsWithUnreadMessages();
    CliHarness.check(cli.as("alice", "send", "bob", "see you")); // her own pages, in her state
    Path notes = Files.writeString(dir.resolve("notes.txt"), "the minutes");
    CliHarness.check(cli.as("bob", "send", "alice", "--file", notes.toString()));
    Path alice = dir.resolve("alice");
    Map<String, String> before = snapshot(alice);
    cli.env.put("RESCHAT_READ_ONLY", "1"); // the environment's way of saying --read-only

    assertThat(CliHarness.check(cli.as("alice", "whoami")).out()).contains("alice");
    assertThat(CliHarness.check(cli.as("alice", "friend", "list")).out()).contains("bob");
    assertThat(CliHarness.check(cli.as("alice", "search", "lunch")).out()).contains("Lunch at noon?");
    assertThat(CliHarness.check(cli.as("alice", "export", "bob", "--format", "txt")).out()).contains("at the usual place");
    String id = com.google.gson.JsonParser.parseString(CliHarness.check(cli.as("alice", "--json", "files", "bob")).out())
        .getAsJsonObject().get("id").getAsString();
    Path downloads = Files.createDirectories(dir.resolve("downloads"));
    CliHarness.check(cli.as("alice", "download", "bob", id, "-o", downloads.toString()));
    assertThat(downloads.resolve("notes.txt")).hasContent("the minutes");
    CliHarness.check(cli.as("alice", "history", "bob"));
    String channel = CliHarness.check(cli.as("bob", "channel", "create", "news")).out().strip();
    CliHarness.check(cli.as("bob", "channel", "post", "news", "first post"));
    assertThat(CliHarness.check(cli.as("alice", "channel", "read", channel)).out()).contains("first post");

    assertThat(snapshot(alice)).isEqualTo(before);
  }

  @Test
  void commandsThatWriteSayTheProfileIsReadOnlyAndChangeNothing() throws Exception {
    CliHarness cli = twoFriendsWithUnreadMessages();
    String carol = cli.init("carol");
    String channel = CliHarness.check(cli.as("bob", "channel", "create", "news")).out().strip();
    CliHarness.check(cli.as("bob", "group", "create", "team"));
    String link = CliHarness.check(cli.as("bob", "group", "link", "team")).out().strip();
    Path file = Files.writeString(dir.resolve("notes.txt"), "a file that must not be sent");
    Path alice = dir.resolve("alice");
    Map<String, String> before = snapshot(alice);

    for (String[] command : new String[][] {
        {"send", "bob", "this must not be sent"},
        {"send", "bob", "--file", file.toString()},
        {"channel", "follow", channel},
        {"group", "join", link},
        {"friend", "add", "carol", carol},
        {"friend", "remove", "bob"},
        {"friend", "verify", "bob", "--mark"},
        {"requests", "accept", "abcd1234", "dave"},
        {"requests", "ignore", "abcd1234"},
        {"passphrase", "change", "--no-passphrase"},
        {"init", "--name", "alice", "--no-passphrase"}}) {
      String[] args = Stream.concat(Stream.of("--read-only"), Arrays.stream(command)).toArray(String[]::new);
      CliHarness.Result r = cli.as("alice", args);
      if (command[0].equals("init")) {
        // An identity exists, which init reports first; either way nothing is written.
        assertThat(r.code()).as(r.toString()).isNotZero();
        continue;
      }
      assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.LOCAL);
      assertThat(r.err().strip()).as(r.toString())
          .startsWith("reschat: The profile " + alice + " is opened read-only")
          .doesNotContain("Exception", "\tat ");
      assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
      assertThat(snapshot(alice)).as(String.join(" ", command)).isEqualTo(before);
    }
    CliHarness.Result bobs = CliHarness.check(cli.as("bob", "history", "alice"));
    assertThat(bobs.out()).doesNotContain("this must not be sent", "notes.txt");
    assertThat(CliHarness.check(cli.as("bob", "group", "requests", "team")).out()).doesNotContain("alice");
  }

  @Test
  void aProfileDirectoryThisUserMayNotWriteIsOpenedReadOnlyByItself() throws Exception {
    CliHarness cli = twoFriendsWithUnreadMessages();
    Path alice = dir.resolve("alice");
    Map<String, String> before = snapshot(alice);
    setWritable(alice, false);
    try {
      Assumptions.assumeFalse(Files.isWritable(alice), "running as a user who ignores file modes");
      CliHarness.Result r = cli.as("alice", "history", "bob");
      assertThat(r.code()).as(r.toString()).isZero();
      assertThat(r.out()).contains("Lunch at noon?");
      CliHarness.Result send = cli.as("alice", "send", "bob", "hi");
      assertThat(send.code()).as(send.toString()).isEqualTo(ExitCodes.LOCAL);
      assertThat(send.err()).contains("is opened read-only (it is not writable here)");
    } finally {
      setWritable(alice, true);
    }
    assertThat(snapshot(alice)).isEqualTo(before);
  }

  /**
   * The profile on a really read-only file system, as root: a private mount namespace in which the profile
   * directory is bind-mounted read-only (root ignores file modes, not a read-only mount). Skipped where
   * {@code unshare} or {@code mount} is not allowed.
   */
  @Test
  void aProfileOnAReadOnlyFileSystemIsOpenedReadOnlyByItself() throws Exception {
    CliHarness cli = twoFriendsWithUnreadMessages();
    Path alice = dir.resolve("alice");
    Map<String, String> before = snapshot(alice);
    List<String> readOnlyMount = List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
        "mount --bind \"$0\" \"$0\" && mount -o remount,ro,bind \"$0\" \"$0\" && exec \"$@\"", alice.toString());
    Assumptions.assumeTrue(runs(cli, readOnlyMount, "probe", "sh", "-c", "! touch \"$0\"/probe 2>/dev/null", alice.toString()),
        "no unshare/mount here to make a read-only file system");

    String history = runUnder(cli, readOnlyMount, "history.log", 0, "--home", alice.toString(), "history", "bob");
    assertThat(history).contains("Lunch at noon?", "at the usual place").doesNotContain("locks");
    String send = runUnder(cli, readOnlyMount, "send.log", ExitCodes.LOCAL, "--home", alice.toString(), "send", "bob", "hi");
    assertThat(send.strip().lines().reduce((first, last) -> last).orElseThrow()) // after the JVM's own notes, if any
        .isEqualTo("reschat: The profile " + alice + " is opened read-only (it is not writable here), so ResChat cannot"
            + " queue a message to send; run this with a profile you may change.");

    assertThat(snapshot(alice)).isEqualTo(before);
  }

  /** Whether {@code command} runs under {@code wrapper} and exits 0. */
  private boolean runs(CliHarness cli, List<String> wrapper, String log, String... command) throws Exception {
    List<String> all = new ArrayList<>(wrapper);
    all.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(all).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
      return p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs reschat in a child JVM under {@code wrapper}; checks its exit code and returns what it printed. */
  private String runUnder(CliHarness cli, List<String> wrapper, String log, int code, String... args) throws Exception {
    Process p = ChildProcesses.startUnder(wrapper, List.of(), cli.env, dir.resolve(log), "", args);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String printed = Files.readString(dir.resolve(log));
    assertThat(p.exitValue()).as(printed).isEqualTo(code);
    return printed;
  }

  /** Every file and directory under {@code root}: its content (files) and modification time. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String what = Files.isDirectory(p) ? "dir" : Arrays.toString(java.security.MessageDigest.getInstance("SHA-256")
            .digest(Files.readAllBytes(p)));
        out.put(root.relativize(p).toString(), what + " " + Files.getLastModifiedTime(p).toMillis());
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  /** Sets or clears the write bits of {@code root} and every directory under it. */
  private static void setWritable(Path root, boolean writable) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isDirectory(p)) {
          Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(writable ? "rwx------" : "r-x------"));
        }
      }
    }
  }
}
