package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.jline.builtins.ScreenTerminal;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat view as a person sees it: its output drawn by a VT100 emulator (JLine's ScreenTerminal), on a
 * terminal that starts in the cooked mode a shell leaves it in (echo on), resized and typed into.
 */
class ChatViewScreenTest {
  @TempDir Path dir;
  CliHarness cli;
  ScreenTerminal emulator;
  volatile ExternalTerminal terminal;
  PipedOutputStream keyboard;
  Thread chat;
  final ByteArrayOutputStream raw = new ByteArrayOutputStream();

  @BeforeEach
  void harness() throws Exception {
    cli = new CliHarness(dir);
    emulator = new ScreenTerminal(101, 16); // see resize
    keyboard = new PipedOutputStream();
    PipedInputStream keys = new PipedInputStream(keyboard);
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    OutputStream screen = new OutputStream() {
      private final ByteBuffer pending = ByteBuffer.allocate(16);

      @Override
      public synchronized void write(int b) {
        raw.write(b);
        pending.put((byte) b);
        pending.flip();
        CharBuffer chars = CharBuffer.allocate(4);
        utf8.decode(pending, chars, false);
        pending.compact();
        chars.flip();
        if (chars.hasRemaining()) {
          emulator.write(chars);
        }
      }
    };
    cli.interactive = true;
    cli.env.put("NO_COLOR", "1");
    cli.terminals = () -> {
      Attributes cooked = new Attributes();
      cooked.setLocalFlag(Attributes.LocalFlag.ECHO, true);
      cooked.setLocalFlag(Attributes.LocalFlag.ICANON, true);
      cooked.setLocalFlag(Attributes.LocalFlag.ISIG, true);
      cooked.setControlChar(Attributes.ControlChar.VINTR, 3); // Ctrl-C
      cooked.setInputFlag(Attributes.InputFlag.ICRNL, true);
      cooked.setOutputFlag(Attributes.OutputFlag.OPOST, true);
      cooked.setOutputFlag(Attributes.OutputFlag.ONLCR, true);
      terminal = new ExternalTerminal(null, "test", "xterm-256color", keys, screen, StandardCharsets.UTF_8,
          Terminal.SignalHandler.SIG_DFL, false, cooked, new Size(100, 16));
      return terminal;
    };
  }

  @AfterEach
  void leave() throws Exception {
    if (chat != null && chat.isAlive()) {
      type("\u0015/back\n"); // Ctrl-U first: what a test left typed is dropped, not sent with /back
      chat.join(Duration.ofSeconds(30).toMillis());
      assertThat(chat.isAlive()).as("the chat view left").isFalse();
    }
  }

  private void type(String keys) throws Exception {
    keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
    keyboard.flush();
  }

  private List<String> rows() {
    return emulator.toString().lines().map(String::stripTrailing).toList();
  }

  private void waitForScreen(String what, Predicate<List<String>> condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.test(rows())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never on screen: " + what + "\n" + String.join("\n", rows()));
      }
      Thread.sleep(50);
    }
  }

  /**
   * The emulator is a column wider than the terminal says: writing the last column then does not wrap at
   * once (xterm waits for the next character; ScreenTerminal would scroll), as JLine's status line expects.
   */
  private void resize(int columns, int rows) {
    emulator.setSize(columns + 1, rows);
    terminal.setSize(new Size(columns, rows));
    terminal.raise(Terminal.Signal.WINCH);
  }

  private void openChatWithBob(String... before) throws Exception {
    cli.friends("alice", "bob");
    for (String text : before) {
      CliHarness.check(cli.as("bob", "send", "alice", text));
    }
    chat = new Thread(() -> cli.as("alice", "chat", "bob"));
    chat.start();
  }

  private static long count(List<String> rows, Predicate<String> row) {
    return rows.stream().filter(row).count();
  }

  /** One header at the top, the messages in order once each, one prompt below them, one status line. */
  private static void assertTidy(List<String> rows, List<String> messages, String typed) {
    String all = String.join("\n", rows);
    assertThat(count(rows, l -> l.startsWith("reschat · bob"))).as("one status line:\n" + all).isEqualTo(1);
    assertThat(count(rows, l -> l.startsWith("me>"))).as("one prompt:\n" + all).isEqualTo(1);
    int prompt = rows.indexOf(rows.stream().filter(l -> l.startsWith("me>")).findFirst().orElseThrow());
    assertThat(rows.get(prompt)).as(all).isEqualTo(("me> " + typed).strip());
    int last = -1;
    for (String m : messages) {
      assertThat(count(rows, l -> l.endsWith(m))).as("once: " + m + "\n" + all).isEqualTo(1);
      int at = rows.indexOf(rows.stream().filter(l -> l.endsWith(m)).findFirst().orElseThrow());
      assertThat(at).as("in order, above the prompt: " + m + "\n" + all).isGreaterThan(last).isLessThan(prompt);
      last = at;
    }
    assertThat(count(rows, l -> l.startsWith("Chat with bob"))).as("the header at most once:\n" + all).isLessThanOrEqualTo(1);
    if (rows.stream().anyMatch(l -> l.startsWith("Chat with bob"))) {
      assertThat(rows.get(0)).as("the header, if it still fits, at the top:\n" + all).startsWith("Chat with bob");
    }
  }

  @Test
  void aResizedWindowShowsTheViewOnceWithOneStatusLineAndThePromptBelowTheMessages() throws Exception {
    openChatWithBob("first from bob", "second from bob");
    List<String> messages = List.of("bob: first from bob", "bob: second from bob");
    waitForScreen("the prompt and the status line", r -> count(r, l -> l.startsWith("me>")) == 1
        && count(r, l -> l.contains("outbox: empty")) == 1);
    type("half a tho"); // typed, not sent, while the window changes
    waitForScreen("what is typed", r -> r.contains("me> half a tho"));
    resize(60, 16);
    waitForScreen("the status line cut to 60 columns", r -> r.stream().anyMatch(l -> l.startsWith("reschat · bob") && l.length() <= 60
        && l.endsWith("…")) && r.contains("me> half a tho"));
    assertTidy(rows(), messages, "half a tho");
    resize(100, 16);
    waitForScreen("the whole status line", r -> r.stream().anyMatch(l -> l.startsWith("reschat · bob") && l.endsWith("ledger.db"))
        && r.contains("me> half a tho"));
    assertTidy(rows(), messages, "half a tho");
    // A message arriving and a long paste (wrapping over two rows) leave the history where it was.
    type("ught, and a paste that is long enough to wrap onto a second row of this terminal, easily");
    CliHarness.check(new CliHarness(dir).as("bob", "send", "alice", "third from bob"));
    waitForScreen("the third message", r -> r.stream().anyMatch(l -> l.endsWith("bob: third from bob")));
    resize(70, 16);
    waitForScreen("redrawn at 70 columns", r -> r.stream().anyMatch(l -> l.startsWith("reschat · bob") && l.length() <= 70
        && l.endsWith("…")));
    List<String> after = rows();
    assertThat(count(after, l -> l.startsWith("reschat · bob"))).as(String.join("\n", after)).isEqualTo(1);
    int prompt = after.indexOf(after.stream().filter(l -> l.startsWith("me> half a thought")).findFirst().orElseThrow());
    assertThat(after.subList(0, prompt)).as(String.join("\n", after))
        .anyMatch(l -> l.endsWith("bob: third from bob")).noneMatch(l -> l.contains("paste"));
    for (String m : List.of("bob: first from bob", "bob: second from bob", "bob: third from bob")) {
      assertThat(count(after, l -> l.endsWith(m))).as(m + "\n" + String.join("\n", after)).isEqualTo(1);
    }
  }

  /** The chat view's receiver applies what another device of this identity changed (§15.6), and says so. */
  @Test
  void aChangeFromAnotherDeviceIsMadeAndShownInTheChatView() throws Exception {
    cli.friends("alice", "bob");
    cli.env.put("RESCHAT_POLL_INTERVAL", "200ms");
    CliHarness.Result[] linked = new DeviceLinking(cli, Duration.ofSeconds(60)).link("alice", "laptop");
    assertThat(linked[0].code()).as(linked[0].toString()).isZero();
    assertThat(linked[1].code()).as(linked[1].toString()).isZero();

    chat = new Thread(() -> cli.as("laptop", "chat", "bob"));
    chat.start();
    waitForScreen("the prompt", r -> r.stream().anyMatch(l -> l.startsWith("me>")));
    String dave = new CliHarness(dir).init("dave");
    CliHarness.check(new CliHarness(dir).as("alice", "friend", "add", "dave", dave));
    waitForScreen("the change applied", r -> r.stream().anyMatch(l -> l.contains("Your other device added dave")));
  }

  @Test
  void aSentMessageShowsOnceAsTheChatShowsIt() throws Exception {
    openChatWithBob("hi alice");
    waitForScreen("the prompt", r -> r.stream().anyMatch(l -> l.startsWith("me>")));
    type("hello there\n");
    waitForScreen("the message sent", r -> r.stream().anyMatch(l -> l.endsWith("me: hello there"))
        && r.stream().anyMatch(l -> l.contains("outbox: empty")));
    List<String> rows = rows();
    assertThat(count(rows, l -> l.contains("hello there"))).as(String.join("\n", rows)).isEqualTo(1);
    assertTidy(rows, List.of("bob: hi alice", "me: hello there"), "");
  }


  @Test
  void keysTypedWhileTheViewIsBusyWaitForThePromptInsteadOfEchoingRaw() throws Exception {
    try (org.reschat.kv.testing.ResilientDbCluster cluster = org.reschat.kv.testing.ResilientDbCluster.start(1)) {
      cli.useResilientDb(cluster, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30));
      openChatWithBob("hi alice");
      waitForScreen("the prompt", r -> r.stream().anyMatch(l -> l.startsWith("me>")));
      type("/back\n");
      chat.join(Duration.ofSeconds(30).toMillis());
      // The view opens again on a slow store: the header shows, then the history takes a while to come.
      cluster.node(0).responseDelay(Duration.ofSeconds(3));
      emulator.write("\u001b[H\u001b[2J");
      chat = new Thread(() -> cli.as("alice", "chat", "bob"));
      chat.start();
      waitForScreen("the header", r -> r.stream().anyMatch(l -> l.startsWith("Chat with bob")));
      type("typed early");
      cluster.node(0).responseDelay(Duration.ZERO);
      waitForScreen("the prompt with the early keys", r -> r.contains("me> typed early"));
      List<String> rows = rows();
      assertThat(count(rows, l -> l.contains("typed early"))).as(String.join("\n", rows)).isEqualTo(1);
    }
  }

  @Test
  void ctrlCKeepsAHalfTypedMessageAndASecondOneLeavesWithItAsADraft() throws Exception {
    openChatWithBob("hi alice");
    waitForScreen("the prompt", r -> r.stream().anyMatch(l -> l.startsWith("me>")));
    type("not finished");
    waitForScreen("what is typed", r -> r.contains("me> not finished"));
    type("\u0003");
    waitForScreen("the text kept", r -> r.stream().anyMatch(l -> l.contains("Ctrl-C again leaves"))
        && r.contains("me> not finished"));
    type(" yet\n");
    waitForScreen("the message, finished and sent", r -> r.stream().anyMatch(l -> l.endsWith("me: not finished yet")));
    type("a draft");
    waitForScreen("the draft typed", r -> r.contains("me> a draft"));
    type("\u0003");
    waitForScreen("the first Ctrl-C on the draft", r -> count(r, l -> l.contains("Ctrl-C again leaves")) == 2
        && r.contains("me> a draft"));
    type("\u0003");
    chat.join(Duration.ofSeconds(30).toMillis());
    assertThat(chat.isAlive()).isFalse();
    assertThat(rows()).anyMatch(l -> l.contains("kept as a draft"));
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("alice: not finished yet").doesNotContain("draft");
  }
}
