package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five members of one group, each a separate OS process, sending 30 messages each at the same time on
 * one embedded ledger: every member sees all 150, in the same order, none lost or twice.
 */
@org.junit.jupiter.api.Tag("slow") // child JVMs: left out by mvn -Pfast
class GroupMultiProcessTest {
  private static final int EACH = 30;
  private static final List<String> PEOPLE = List.of("alice", "bob", "carol", "dave", "erin");

  @TempDir
  Path dir;

  @Test
  void fiveMembersInFiveProcessesSendingAtOnceSeeTheSameOneHundredAndFifty() throws Exception {
    CliHarness cli = new CliHarness(dir);
    String aliceCard = cli.init("alice");
    for (String p : PEOPLE.subList(1, PEOPLE.size())) {
      CliHarness.check(cli.as("alice", "friend", "add", p, cli.init(p)));
      CliHarness.check(cli.as(p, "friend", "add", "alice", aliceCard));
    }
    List<String> create = new ArrayList<>(List.of("group", "create", "five"));
    PEOPLE.subList(1, PEOPLE.size()).forEach(p -> create.addAll(List.of("--member", p)));
    CliHarness.check(cli.as("alice", create.toArray(new String[0])));
    for (String p : PEOPLE.subList(1, PEOPLE.size())) {
      CliHarness.check(cli.as(p, "receive")); // takes the invitation
    }
    List<Process> senders = new ArrayList<>();
    try {
      for (String p : PEOPLE) {
        String lines = IntStream.range(0, EACH).mapToObj(i -> p + " " + i).collect(Collectors.joining("\n")) + "\n";
        senders.add(ChildProcesses.start(cli.env, dir.resolve(p + ".log"), lines, "--home", dir.resolve(p).toString(),
            "send", "--lines", "five"));
      }
      for (Process s : senders) {
        assertThat(s.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(s.exitValue()).isZero();
      }
    } finally {
      senders.forEach(Process::destroyForcibly);
    }
    List<String> first = null;
    for (String p : PEOPLE) {
      CliHarness.Result r = CliHarness.check(cli.as(p, "--json", "history", "five", "--all"));
      List<String> seen = r.lines().stream().map(l -> JsonParser.parseString(l).getAsJsonObject())
          .filter(o -> o.get("type").getAsString().equals("message"))
          .filter(o -> o.get("message_type").getAsString().equals("TEXT"))
          .map(o -> o.get("text").getAsString()).collect(Collectors.toList());
      assertThat(seen).as(p).hasSize(PEOPLE.size() * EACH);
      assertThat(new HashSet<>(seen)).as(p).hasSize(PEOPLE.size() * EACH);
      for (String sender : PEOPLE) { // each sender's own order is kept
        List<String> own = seen.stream().filter(t -> t.startsWith(sender + " ")).collect(Collectors.toList());
        assertThat(own).as(p + " sees " + sender).containsExactlyElementsOf(
            IntStream.range(0, EACH).mapToObj(i -> sender + " " + i).collect(Collectors.toList()));
      }
      if (first == null) {
        first = seen;
      } else {
        assertThat(seen).as(p + " sees the same order as alice").containsExactlyElementsOf(first);
      }
    }
  }
}
