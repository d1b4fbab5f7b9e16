package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;

/** The menu and the chat view, driven by a scripted dumb terminal. */
class InteractiveTest {
  @TempDir Path dir;
  CliHarness cli;
  ByteArrayOutputStream screen;
  /** The terminal the program opened last, to resize it. */
  volatile ExternalTerminal terminal;
  /** "dumb" has no status line; a test of the status line uses a type that has one. */
  String terminalType = "dumb";

  @BeforeEach
  void harness() {
    cli = new CliHarness(dir);
    screen = new ByteArrayOutputStream();
  }

  private void typing(InputStream keys) {
    cli.interactive = true;
    cli.env.put("NO_COLOR", "1");
    cli.terminals = () -> {
      // An in-process terminal: output reaches the screen synchronously (a pty-backed one pumps it on
      // another thread and can drop the tail when closed). No echo from the start, as a real terminal in
      // raw mode: only what the program prints shows.
      Attributes quiet = new Attributes();
      quiet.setLocalFlag(Attributes.LocalFlag.ECHO, false);
      terminal = new ExternalTerminal(null, "test", terminalType, keys, screen, StandardCharsets.UTF_8,
          Terminal.SignalHandler.SIG_DFL, false, quiet, new Size(120, 40));
      return terminal;
    };
  }

  private void typing(String keys) {
    typing(new Keys(keys));
  }

  /**
   * Typed keys that, once used up, wait instead of ending: a real keyboard never reaches end of file, and
   * an early end of file would make the terminal stop before the program has printed everything.
   */
  private static final class Keys extends InputStream {
    private final byte[] bytes;
    private int next;

    Keys(String text) {
      this.bytes = text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized int read() throws java.io.IOException {
      while (next >= bytes.length) {
        try {
          wait(); // until the terminal is closed and its reader thread interrupted
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return -1;
        }
      }
      return bytes[next++] & 0xFF;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws java.io.IOException {
      if (len == 0) {
        return 0;
      }
      int first = read();
      if (first < 0) {
        return -1;
      }
      b[off] = (byte) first;
      int n = 1;
      while (n < len && next < bytes.length) {
        b[off + n++] = bytes[next++];
      }
      return n;
    }

    @Override
    public synchronized int available() {
      return bytes.length - next;
    }
  }

  private String screen() {
    return screen.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theMenuAddsAFriendAndChats() {
    cli.init("alice");
    String bobCard = cli.init("bob");
    CliHarness.check(cli.as("bob", "friend", "add", "alice", cli.as("alice", "whoami", "--json").out()
        .replaceAll(".*\"card\":\"([^\"]+)\".*\\s*", "$1")));
    typing(String.join("\n",
        "3",                 // show my card
        "2", "bob", bobCard, // add a friend
        "1", "1",            // start chatting with friend 1
        "hello from the menu",
        "/verify",
        "/help",
        "/back",
        "6", ""));
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen().indexOf("6) Quit")).as("Quit is last").isGreaterThan(screen().indexOf("5) Message requests"))
        .isGreaterThan(screen().indexOf("4) Verify, rename or remove a friend")).isGreaterThan(0);
    assertThat(screen()).contains("1) Start chatting", "2) Add a friend", "Your card", "Added bob.", "Safety number",
        "Chat with bob", "me: hello from the menu", "/older", "Safety number with bob");
    assertThat(cli.as("bob", "receive").out()).contains("alice: hello from the menu");
  }

  @Test
  void theMenuAsksTheNicknameFirstAndKeepsAskingForACardThatDoesNotParse() {
    cli.init("alice");
    String bobCard = cli.init("bob");
    String carolCard = cli.init("carol");
    CliHarness.check(cli.as("alice", "friend", "add", "bob", bobCard));
    typing(String.join("\n",
        "2", "BOB", "bad nick", "carol", // taken, then not one word, then free: no card asked yet
        "rc2:not-a-card", carolCard,     // a card that does not parse is asked for again
        "6", ""));
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("You already have a friend called bob", "\"bad nick\" is not a nickname: a nickname is one word",
        "Paste it again.", "Added carol.");
    assertThat(screen().indexOf("Their card")).isGreaterThan(screen().indexOf("is not a nickname"));
    assertThat(cli.as("alice", "friend", "list").out()).contains("carol");
  }

  @Test
  void theMenuVerifiesRenamesAndRemovesFriends() {
    cli.init("alice");
    CliHarness.check(cli.as("alice", "friend", "add", "bob", cli.init("bob")));
    CliHarness.check(cli.as("alice", "friend", "add", "carol", cli.init("carol")));
    typing(String.join("\n",
        "4", "bob", "v", "y",             // verify bob
        "4", "bob", "r", "robert",        // rename him
        "4", "carol", "d", "y",           // remove carol
        "6", ""));
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("Marked bob as verified.", "Renamed bob to robert.", "Removed carol.");
    assertThat(cli.as("alice", "friend", "list").out()).contains("robert", "verified").doesNotContain("carol", "unverified");
  }

  @Test
  void theMenuShowsMessageRequestsAndAcceptsOneAsAFriend() {
    cli.strangerWrites("bob", "alice", "hi, Bob here");
    cli.strangerWrites("mallory", "alice", "cheap watches");
    typing(String.join("\n",
        "5", "i",                         // the newest first: Mallory's, ignored
        "a", "bob",                       // Bob's, accepted as bob
        "5",                              // nothing left
        "6", ""));
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("cheap watches", "Ignored.", "hi, Bob here", "Added bob.", "No message requests.");
    assertThat(CliHarness.check(cli.as("alice", "history", "bob")).out()).contains("hi, Bob here");
  }

  @Test
  void theMenuOnAReadOnlyProfileDoesNotClaimToIgnoreARequest() {
    // Security review: on a read-only profile the menu said "Ignored." although nothing could be saved;
    // like 'requests ignore', it now refuses.
    cli.strangerWrites("mallory", "alice", "cheap watches");
    cli.env.put("RESCHAT_READ_ONLY", "1");
    typing(String.join("\n", "5", "i", "6", ""));
    Result r = cli.as("alice");
    cli.env.remove("RESCHAT_READ_ONLY");
    assertThat(screen()).contains("cheap watches");
    boolean stillListed = CliHarness.check(cli.as("alice", "requests")).out().contains("cheap watches");
    assertThat(stillListed && screen().contains("Ignored."))
        .as("the menu said 'Ignored.' but the request is still listed: %s%s", r, screen()).isFalse();
  }

  @Test
  void theMenuOffersToCreateAnIdentityAndMasksThePassphrase() {
    // "sekret" is weak: the menu names its guessing cost and asks before using it.
    typing(String.join("\n", "y", "Alice", "sekret", "sekret", "y", "6", ""));
    cli.env.put("RESCHAT_PASSPHRASE", ""); // empty: the menu asks
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("no identity", "This passphrase is weak", "Use it anyway? [y/N]", "Created. Your card")
        .doesNotContain("sekret", "******");
    cli.env.put("RESCHAT_PASSPHRASE", "sekret");
    assertThat(cli.as("alice", "whoami").out()).contains("name:        Alice", "passphrase:  yes");
  }

  @Test
  void aWeakPassphraseNotConfirmedInTheMenuAsksForAnotherAndNothingTypedIsEchoed() {
    String good = "violet harbour kettle onions";
    typing(String.join("\n", "y", "Alice", "sekret", "sekret", "n", good, good, "6", ""));
    cli.env.put("RESCHAT_PASSPHRASE", "");
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("This passphrase is weak", "Choose another one", "Created. Your card")
        .doesNotContain("sekret", "******", "violet");
    cli.env.put("RESCHAT_PASSPHRASE", good);
    assertThat(cli.as("alice", "whoami").out()).contains("passphrase:  yes");
  }

  @Test
  void theMenuCreatesNothingWhenAWeakPassphraseIsNotConfirmed() {
    // No, then the keyboard goes (end of input) at the next passphrase prompt: the weak one is never used,
    // and nothing is created.
    typing(new java.io.ByteArrayInputStream(String.join("\n", "y", "Alice", "sekret", "sekret", "n", "")
        .getBytes(StandardCharsets.UTF_8)));
    cli.env.put("RESCHAT_PASSPHRASE", "");
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("This passphrase is weak", "Choose another one", "Nothing was created");
    assertThat(dir.resolve("alice/identity.json")).doesNotExist();
  }

  @Test
  void anEnterAloneForThePassphraseAsksBeforeCreatingUnprotectedKeys() {
    String good = "violet harbour kettle onions";
    typing(String.join("\n", "y", "Alice", "", "n", good, good, "6", ""));
    cli.env.put("RESCHAT_PASSPHRASE", "");
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("Create them without one? [y/N]", "Created. Your card").doesNotContain("Enter twice");
    cli.env.put("RESCHAT_PASSPHRASE", good);
    assertThat(cli.as("alice", "whoami").out()).contains("passphrase:  yes");
  }

  @Test
  void theMenuGivesThreeTriesForThePassphrase() {
    String good = "violet harbour kettle onions";
    cli.env.put("RESCHAT_PASSPHRASE", good);
    CliHarness.check(cli.as("alice", "init", "--name", "Alice"));
    cli.env.put("RESCHAT_PASSPHRASE", "");
    typing(String.join("\n", "wrong one", "wrong two", good, "6", ""));
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(r.err()).contains("try again (2 tries left)", "try again (1 try left)");
    assertThat(screen()).contains("1) Start chatting");
  }

  @Test
  void newMessagesAppearInTheChatViewWhileItIsOpen() throws Exception {
    cli.env.put("RESCHAT_POLL_INTERVAL", "200ms");
    whileAliceChatsWithBob("bob", "alice", "arrives while alice types", "bob: arrives while alice types");
  }

  @Test
  void theChatViewIsWokenByTheStoresHintNotByItsPollInterval() throws Exception {
    cli.env.put("RESCHAT_POLL_INTERVAL", "10m"); // longer than waitFor's 30 s: only a hint can show the message
    whileAliceChatsWithBob("bob", "alice", "pushed while alice types", "bob: pushed while alice types");
  }

  @Test
  void ownMessagesSentFromAnotherProcessAppearInTheChatView() throws Exception {
    whileAliceChatsWithBob("alice", "bob", "from my other terminal", "me: from my other terminal");
  }

  /**
   * Alice's chat view with Bob is open (showing Bob's earlier message); meanwhile {@code who} sends
   * {@code text} to {@code to} from another process, and the view must show {@code shown} before Alice leaves.
   */
  private void whileAliceChatsWithBob(String who, String to, String text, String shown) throws Exception {
    cli.friends("alice", "bob");
    cli.as("bob", "send", "alice", "earlier message");
    PipedOutputStream keyboard = new PipedOutputStream();
    typing(new PipedInputStream(keyboard));
    Thread chat = new Thread(() -> cli.as("alice", "chat", "bob"));
    chat.start();
    waitFor("earlier message");
    CliHarness other = new CliHarness(dir);
    CliHarness.check(other.as(who, "send", to, text));
    waitFor(shown);
    keyboard.write("/back\n".getBytes(StandardCharsets.UTF_8));
    keyboard.flush();
    chat.join(Duration.ofSeconds(30).toMillis());
    assertThat(chat.isAlive()).isFalse();
  }

  @Test
  void doubleSlashSendsASlashAndVerifyKnowsAVerifiedFriend() {
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "friend", "verify", "bob", "--mark"));
    typing(String.join("\n", "//etc/hosts", "/verify", "/back", ""));
    Result r = cli.as("alice", "chat", "bob");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("sending…", "me: /etc/hosts", "bob is marked as verified")
        .doesNotContain("Unknown command", "--mark'");
    assertThat(cli.as("bob", "receive").out()).contains("alice: /etc/hosts");
  }

  @Test
  void theStatusLineIsRedrawnWhenTheWindowIsResized() throws Exception {
    cli.friends("alice", "bob");
    PipedOutputStream keyboard = new PipedOutputStream();
    terminalType = "xterm-256color";
    typing(new PipedInputStream(keyboard));
    Thread chat = new Thread(() -> cli.as("alice", "chat", "bob"));
    chat.start();
    waitFor("outbox: empty");
    int before = screen().length();
    terminal.setSize(new Size(40, 30)); // narrower than the status text: it must be cut to one row
    terminal.raise(Terminal.Signal.WINCH);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!screen().substring(before).contains("reschat · bob · outbox: empty · embedd…")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the status line was not redrawn after the resize: " + org.reschat.cli.text.SafeText.line(screen().substring(before)));
      }
      Thread.sleep(50);
    }
    keyboard.write("/back\n".getBytes(StandardCharsets.UTF_8));
    keyboard.flush();
    chat.join(Duration.ofSeconds(30).toMillis());
    assertThat(chat.isAlive()).isFalse();
  }

  @Test
  void aGroupChatShowsWhoWroteEachLineMembersAndJoinRequestsAndLetsAnAdminApprove() throws Exception {
    String alice = cli.init("alice");
    String bob = cli.init("bob");
    CliHarness.check(cli.as("alice", "friend", "add", "bob", bob));
    CliHarness.check(cli.as("bob", "friend", "add", "alice", alice));
    CliHarness.check(cli.as("alice", "group", "create", "crew", "--member", "bob"));
    CliHarness.check(cli.as("bob", "receive"));
    CliHarness.check(cli.as("bob", "send", "crew", "hi crew"));
    String link = CliHarness.check(cli.as("alice", "group", "link", "crew")).out().strip();
    cli.init("dave"); // asks to join; nobody's friend
    CliHarness.check(cli.as("dave", "group", "join", link));
    String dave = CliHarness.check(cli.as("dave", "whoami", "--json")).out()
        .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1");
    typing("/members\nhello from the chat view\n/update\n/approve " + dave.substring(0, 9).replace(" ", "")
        + "\n/verify\n/back\n");
    Result r = cli.as("alice", "chat", "crew");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("Group crew (2 members", "bob: hi crew", "me (admin)", "bob ",
        "dave (fingerprint " + dave + ") asks to join", "Approved dave", "no single safety number");
    assertThat(CliHarness.check(cli.as("dave", "group", "join", link)).err()).contains("You joined \"crew\"");
    assertThat(CliHarness.check(cli.as("bob", "history", "crew")).out()).contains("alice: hello from the chat view");
  }

  @Test
  void theMenuListsGroupsBesideFriends() {
    String alice = cli.init("alice");
    String bob = cli.init("bob");
    CliHarness.check(cli.as("alice", "friend", "add", "bob", bob));
    CliHarness.check(cli.as("bob", "friend", "add", "alice", alice));
    CliHarness.check(cli.as("alice", "group", "create", "crew", "--member", "bob"));
    typing(String.join("\n", "1", "2", "to the group from the menu", "/back", "6", ""));
    Result r = cli.as("alice");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("1) bob", "2) crew", "(group, 2 members)", "Group crew");
    CliHarness.check(cli.as("bob", "receive"));
    assertThat(CliHarness.check(cli.as("bob", "history", "crew")).out()).contains("alice: to the group from the menu");
  }

  @Test
  void olderPagesLoadOnDemandInTheChatView() {
    cli.friends("alice", "bob");
    cli.stdin = java.util.stream.IntStream.range(0, 45).mapToObj(i -> "m" + i).reduce((a, b) -> a + "\n" + b).orElseThrow();
    CliHarness.check(cli.as("bob", "send", "--lines", "alice"));
    cli.env.put("RESCHAT_PAGES", "1");
    typing("/older\n/older\n/older\n/back\n");
    Result r = cli.as("alice", "chat", "bob");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("bob: m44", "(older messages: /older)", "— 20 older messages —", "bob: m0",
        "beginning of the conversation", "(no older messages)");
  }

  @Test
  void aHostileFriendsMessagesAreInertInTheChatView() throws Exception {
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("bob", "send", "alice", InjectionTest.HOSTILE.get(0)));
    cli.env.put("RESCHAT_POLL_INTERVAL", "200ms");
    PipedOutputStream keyboard = new PipedOutputStream();
    typing(new PipedInputStream(keyboard));
    Thread chat = new Thread(() -> cli.as("alice", "chat", "bob"));
    chat.start();
    waitFor("Chat with bob");
    // One from the history, the rest arriving while the view is open.
    CliHarness other = new CliHarness(dir);
    for (String text : InjectionTest.HOSTILE.subList(1, InjectionTest.HOSTILE.size())) {
      CliHarness.check(other.as("bob", "send", "alice", text));
    }
    waitFor("https://evil.example) ```");
    keyboard.write("/back\n".getBytes(StandardCharsets.UTF_8));
    keyboard.flush();
    chat.join(Duration.ofSeconds(30).toMillis());
    assertThat(chat.isAlive()).isFalse();
    String shown = screen();
    // The dumb terminal redraws the prompt with CRs of its own; what the friend sent must not add any.
    assertThat(shown).contains("bob: ok\n    \\r2026-11-23 00:08  me: I agree", "\\e[K", "\\u202E", "\\x9b31m")
        .doesNotContain("\u001b[K", "\u001b]", "\u001b[2J", "\u009b", "\u0085", "\u202E", "\u2066", "\u0007");
    assertThat(shown.lines().map(l -> l.replace("\r", "")).filter(l -> l.contains("me: I agree")))
        .isNotEmpty().allMatch(l -> l.startsWith(Output.CONTINUATION + "\\r2026"));
  }

  @Test
  void aFileShowsAsALineAndDownloadsFromTheChatView() throws Exception {
    cli.friends("alice", "bob");
    java.nio.file.Path photo = java.nio.file.Files.write(dir.resolve("photo.jpg"), new byte[3000]);
    CliHarness.check(cli.as("bob", "send", "alice", "--file", photo.toString()));
    String id = com.google.gson.JsonParser.parseString(CliHarness.check(cli.as("alice", "--json", "files", "bob")).out())
        .getAsJsonObject().get("id").getAsString();
    java.nio.file.Path downloads = java.nio.file.Files.createDirectories(dir.resolve("downloads"));
    typing("/download " + id + " " + downloads + "\n/download " + id + " " + downloads + "\n/back\n");
    Result r = cli.as("alice", "chat", "bob");
    assertThat(r.code()).as(r + screen()).isZero();
    assertThat(screen()).contains("bob: [file] photo.jpg (2.9 KiB) — /download " + id, "Saved as " + downloads.resolve("photo.jpg"),
        "exists; choose another with -o, or replace it with --force.");
    assertThat(java.nio.file.Files.size(downloads.resolve("photo.jpg"))).isEqualTo(3000);
  }

  private void waitFor(String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!screen().contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never appeared: " + text + "\n--- screen\n" + screen());
      }
      Thread.sleep(50);
    }
  }
}
