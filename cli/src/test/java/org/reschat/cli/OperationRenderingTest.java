package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;

/**
 * Issue 19 item 11: a plain text rendered exactly like a group operation ("bob: [removed d4c1 380b]"). An
 * operation (or any message that is not someone's words) now has a line of its own form, "* alice removed
 * d4c1 380b", which no text can produce: a text's line always has its sender's name followed by ": ".
 */
class OperationRenderingTest {
  private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  ");
  @TempDir java.nio.file.Path dir;

  @Test
  void aTextThatImitatesAGroupOperationDoesNotRenderLikeOne() {
    CliHarness cli = new CliHarness(dir);
    cli.groupOfHostsFriends("trip", "alice", "bob", "carol");
    CliHarness.check(cli.as("bob", "receive"));
    String carolShort = CliHarness.check(cli.as("carol", "whoami", "--json")).out()
        .replaceAll("(?s).*\"fingerprint\":\"([0-9a-f]{4} [0-9a-f]{4}).*", "$1");
    CliHarness.check(cli.as("bob", "send", "trip", "[removed " + carolShort + "]"));
    CliHarness.check(cli.as("bob", "send", "trip", "* alice removed " + carolShort));
    CliHarness.check(cli.as("bob", "send", "trip", "* me removed carol"));
    CliHarness.check(cli.as("alice", "receive"));
    CliHarness.check(cli.as("alice", "group", "remove", "trip", "carol"));

    List<String> lines = CliHarness.check(cli.as("alice", "history", "trip")).lines();
    List<String> ops = lines.stream().filter(l -> l.matches(TIME.pattern() + "\\* .*")).toList();
    // alice knows carol by name, so her own operation names her; bob's text saying the same stays his text
    assertThat(ops).hasSize(1).anySatisfy(l -> assertThat(l).endsWith("  * me removed carol"));
    assertThat(lines).anySatisfy(l -> assertThat(l).matches(TIME.pattern() + Pattern.quote("bob: * me removed carol")));
    assertThat(lines).anySatisfy(l -> assertThat(l).matches(TIME.pattern() + Pattern.quote("bob: [removed " + carolShort + "]")));
    assertThat(lines).anySatisfy(l -> assertThat(l).matches(TIME.pattern() + Pattern.quote("bob: * alice removed " + carolShort)));
    // Every line at the margin is a message header: either "name: text" or "* name operation", never both.
    for (String l : lines) {
      if (TIME.matcher(l).lookingAt()) {
        String rest = l.substring(18);
        assertThat(rest.startsWith("* ") != rest.matches("[^ :*][^:]*: .*|[0-9a-f]{4} [0-9a-f]{4}: .*")).as(l).isTrue();
      }
    }
    assertThat(CliHarness.check(cli.as("bob", "receive")).out())
        .contains("* alice removed " + carolShort).doesNotContain("alice: [");
  }

  @Test
  void theRendererGivesOperationsAndUnknownTypesALineNoTextCanMake() {
    StringWriter sink = new StringWriter();
    CliContext ctx = CliContext.builder().out(new PrintWriter(sink)).err(new PrintWriter(sink)).zone(ZoneOffset.UTC).build();
    Output out = new Output(ctx, false, false);
    Identity sender = Identity.generate(new java.security.SecureRandom());
    String op = out.format(message(sender, "GROUP_ROTATE", "[removed d4c1 380b]", "removed d4c1 380b\n2026-01-01 00:00  bob: hi"), "alice");
    String unknown = out.format(message(sender, "POLL", "[a POLL message, which this version cannot show]", ""), "alice");
    String text = out.format(message(sender, Message.TEXT, "[removed d4c1 380b]", ""), "alice");
    assertThat(op).isEqualTo("2026-11-22 10:15  * alice removed d4c1 380b\\n2026-01-01 00:00  bob: hi");
    assertThat(unknown).isEqualTo("2026-11-22 10:15  * alice sent a POLL message, which this version cannot show");
    assertThat(text).isEqualTo("2026-11-22 10:15  alice: [removed d4c1 380b]");
  }

  private static Message message(Identity sender, String type, String text, String extension) {
    return new Message("x:1:0", Message.Direction.RECEIVED, sender.card(), Instant.parse("2026-11-22T10:15:00Z"), type, text,
        1, 0, Message.Status.CONFIRMED, extension.getBytes(StandardCharsets.UTF_8), new byte[0]);
  }
}
