package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stranger's messages reach the terminal inert through the message-request paths too ('receive'
 * announcing an arrival, 'requests' listing it): InjectionTest covers a friend's only.
 */
class MessageRequestsAttackCliTest {
  @TempDir
  Path dir;

  @Test
  void aStrangersHostileMessagesAreInertInReceiveAndRequests() {
    CliHarness cli = new CliHarness(dir);
    cli.strangerWrites("mallory", "alice", InjectionTest.HOSTILE.toArray(new String[0]));

    String received = CliHarness.check(cli.as("alice", "receive")).out();
    String listed = CliHarness.check(cli.as("alice", "requests")).out();
    for (String out : new String[] {received, listed}) {
      assertThat(out).contains("Message request from ", "\\e[2J", "\\e]0;pwned\\a", "\\x9b31m", "\\u202E");
      assertThat(out).doesNotContain("\u001b", "\u009b", "\u0085", "\u007f", "\u202E", "\u2066", "\r", "\u0007");
      assertThat(out.lines().filter(l -> l.matches("^\\s*\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  me: .*")))
          .as("no line forged in 'me''s name").isEmpty();
    }
    String json = CliHarness.check(cli.as("alice", "requests", "--json")).out();
    assertThat(json).doesNotContain("\u001b", "\u009b", "\u202E", "\r");
  }
}
