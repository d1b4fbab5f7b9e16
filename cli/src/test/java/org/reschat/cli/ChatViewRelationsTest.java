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

/** The chat view's numbers and /reply, /react, /edit, /delete, and what arrives while it is open. */
class ChatViewRelationsTest {
  @TempDir Path dir;
  CliHarness cli;
  ByteArrayOutputStream screen;

  @BeforeEach
  void harness() {
    cli = new CliHarness(dir);
    screen = new ByteArrayOutputStream();
  }

  /** An in-process dumb terminal reading {@code keys}, as InteractiveTest drives the chat view. */
  private void typing(InputStream keys) {
    cli.interactive = true;
    cli.env.put("NO_COLOR", "1");
    cli.env.put("RESCHAT_NOTIFY_BELL", "off");
    cli.terminals = () -> {
      Attributes quiet = new Attributes();
      quiet.setLocalFlag(Attributes.LocalFlag.ECHO, false);
      return new ExternalTerminal(null, "test", "dumb", keys, screen, StandardCharsets.UTF_8,
          Terminal.SignalHandler.SIG_DFL, false, quiet, new Size(160, 40));
    };
  }

  private String screen() {
    return screen.toString(StandardCharsets.UTF_8);
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

  private void type(PipedOutputStream keyboard, String line) throws Exception {
    keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    keyboard.flush();
  }

  @Test
  void messagesAreNumberedAndTheCommandsTakeTheNumbers() throws Exception {
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("bob", "send", "alice", "lunch?"));
    CliHarness.check(cli.as("alice", "receive"));
    CliHarness.check(cli.as("alice", "send", "bob", "yes"));
    PipedOutputStream keyboard = new PipedOutputStream();
    typing(new PipedInputStream(keyboard));
    Thread chat = new Thread(() -> cli.as("alice", "chat", "bob"));
    chat.start();
    waitFor("#2 me: yes");
    assertThat(screen()).contains("#1 bob: lunch?");
    type(keyboard, "/react 1 👍");
    waitFor("* me reacted 👍 to #1 «bob: lunch?»");
    type(keyboard, "/reply 1 where?");
    waitFor("me (re #1 «bob: lunch?»): where?");
    type(keyboard, "/edit 2 yes please");
    waitFor("* me edited #2 «me: yes», which now reads: yes please");
    type(keyboard, "/delete 2");
    waitFor("The ledger cannot forget");
    assertThat(screen()).contains("* me deleted message #2 (it stays on the ledger, sealed)");
    type(keyboard, "/edit 9 x");
    waitFor("No message #9 is shown here.");
    // Bob reacts while the view is open: it shows as his, naming the number.
    CliHarness.check(new CliHarness(dir).as("bob", "receive"));
    String lunch = CliHarness.check(new CliHarness(dir).as("bob", "--json", "history", "alice")).out().lines()
        .filter(l -> l.contains("lunch?")).findFirst().orElseThrow().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    CliHarness.check(new CliHarness(dir).as("bob", "react", "alice", lunch, "🙂"));
    waitFor("* bob reacted 🙂 to #1 «bob: lunch?»");
    type(keyboard, "/back");
    chat.join(Duration.ofSeconds(30).toMillis());
    assertThat(chat.isAlive()).isFalse();

    String bobs = CliHarness.check(cli.as("bob", "history", "alice")).out();
    assertThat(bobs).contains("me: lunch?\n  ↳ 👍 alice, 🙂 me", "alice (re «me: lunch?»): where?",
        "* alice deleted this message").doesNotContain("yes please");
  }
}
