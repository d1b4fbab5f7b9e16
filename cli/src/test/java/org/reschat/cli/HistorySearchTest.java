package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code history --since} and {@code search}. */
class HistorySearchTest {
  @TempDir Path dir;

  @Test
  void sinceKeepsOnlyNewerMessages() {
    CliHarness cli = new CliHarness(dir);
    // Dates taken before sending: a midnight passing during the test cannot move a message past them.
    String today = java.time.LocalDate.now(Clock.systemUTC()).toString();
    String dayAfterTomorrow = java.time.LocalDate.now(Clock.systemUTC()).plusDays(2).toString();
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "the first one"));
    CliHarness.check(cli.as("alice", "send", "bob", "the second one"));
    assertThat(cli.as("alice", "history", "bob", "--since", today).out()).contains("the first one", "the second one");
    CliHarness.Result none = cli.as("alice", "history", "bob", "--since", dayAfterTomorrow);
    assertThat(none.code()).isZero();
    assertThat(none.out()).isEmpty();
    CliHarness.Result bad = cli.as("alice", "history", "bob", "--since", "last tuesday");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--since last tuesday is not a time; write 2h, 3d");
    // Relative times: both messages were sent well within the last hour, none in the future.
    assertThat(cli.as("alice", "history", "bob", "--since", "1h").out()).contains("the first one", "the second one");
    assertThat(cli.as("alice", "history", "bob", "--since", "yesterday").out()).contains("the first one");
  }

  @Test
  void sinceTakesRelativeTimesAndDayNames() throws Exception {
    java.time.ZoneId paris = java.time.ZoneId.of("Europe/Paris");
    Clock clock = Clock.fixed(java.time.Instant.parse("2026-11-23T10:30:00Z"), paris);
    java.util.function.Function<String, String> since = text -> {
      try {
        return org.reschat.cli.commands.HistoryCommand.parseSince(text, paris, clock).toString();
      } catch (CliException e) {
        return e.getMessage();
      }
    };
    assertThat(since.apply("2h")).isEqualTo("2026-11-23T08:30:00Z");
    assertThat(since.apply("90m")).isEqualTo("2026-11-23T09:00:00Z");
    assertThat(since.apply("3d")).isEqualTo("2026-11-20T10:30:00Z");
    assertThat(since.apply("1w")).isEqualTo("2026-11-16T10:30:00Z");
    assertThat(since.apply("today")).isEqualTo("2026-11-22T23:00:00Z"); // local midnight in Paris
    assertThat(since.apply("Yesterday")).isEqualTo("2026-11-21T23:00:00Z");
    assertThat(since.apply("2026-11-22")).isEqualTo("2026-11-21T23:00:00Z");
    assertThat(since.apply("2026-11-22T10:15:00Z")).isEqualTo("2026-11-22T10:15:00Z");
    assertThat(since.apply("2 fortnights")).contains("is not a time");
  }

  @Test
  void searchFindsMessagesInEveryConversation() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    String carol = cli.init("carol");
    CliHarness.check(cli.as("alice", "friend", "add", "carol", carol));
    CliHarness.check(cli.as("alice", "send", "bob", "Lunch at noon?"));
    CliHarness.check(cli.as("alice", "send", "carol", "no lunch today"));
    CliHarness.check(cli.as("alice", "send", "carol", "something else"));
    CliHarness.Result r = cli.as("alice", "search", "LUNCH");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.lines()).hasSize(2);
    assertThat(r.out()).contains("Lunch at noon?", "no lunch today").doesNotContain("something else");
    assertThat(cli.as("alice", "search", "lunch", "--friend", "carol").lines()).hasSize(1);
    CliHarness.Result none = cli.as("alice", "search", "dinner");
    assertThat(none.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(none.err()).contains("No message contains \"dinner\".");
  }
}
