package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;

/** What scripts read: every --json line has a documented type, and no command answers with nothing. */
class JsonOutputTest {
  @TempDir Path dir;

  /** The README's "--json output" table: the types in its first column. */
  private static Set<String> documentedTypes() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    String table = readme.substring(readme.indexOf("### `--json` output"), readme.indexOf("## Groups"));
    Set<String> types = new TreeSet<>();
    for (String line : table.split("\n")) {
      if (line.startsWith("| `")) {
        Matcher m = Pattern.compile("`([a-z_]+)`").matcher(line.split("\\|")[1]);
        while (m.find()) {
          types.add(m.group(1));
        }
      }
    }
    return types;
  }

  @Test
  void everyTypeTheCommandsPrintIsInTheReadmeTable() throws IOException {
    Set<String> printed = new TreeSet<>();
    Pattern type = Pattern.compile("(?:object\\(|addProperty\\(\"type\", )\"([a-z_]+)\"\\)");
    try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = type.matcher(Files.readString(f, StandardCharsets.UTF_8));
        while (m.find()) {
          printed.add(m.group(1));
        }
      }
    }
    assertThat(printed).contains("directory_entry", "channel_post", "bench");
    assertThat(documentedTypes()).containsAll(printed);
  }

  @Test
  void aSearchWithNoMatchSaysSoInJsonAndTheDaemonPassesTheSentenceOn() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "lunch?"));
    Result r = cli.as("alice", "--json", "search", "dinner");
    assertThat(r.code()).isEqualTo(ExitCodes.NOT_FOUND);
    JsonObject error = JsonParser.parseString(r.err().strip()).getAsJsonObject();
    assertThat(error.get("type").getAsString()).isEqualTo("error");
    assertThat(error.get("message").getAsString()).isEqualTo("No message contains \"dinner\".");

    cli.stdin = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"search\",\"params\":{\"text\":\"dinner\"}}\n";
    Result rpc = cli.as("alice", "jsonrpc", "--manual-receive");
    JsonObject answer = JsonParser.parseString(rpc.out().strip()).getAsJsonObject().getAsJsonObject("error");
    assertThat(answer.get("code").getAsInt()).isEqualTo(-32003);
    assertThat(answer.get("message").getAsString()).isEqualTo("No message contains \"dinner\".");
  }

  @Test
  void aFailureThatSaidNothingStillHasASentenceForTheDaemon() {
    assertThat(org.reschat.cli.daemon.Daemon.errorSentence("", 5, java.util.List.of("--json", "receive")))
        .isEqualTo("'reschat receive' failed with exit code 5 and said nothing more; run it in a terminal to see.");
    assertThat(org.reschat.cli.daemon.Daemon.errorSentence("warning: x\n{\"type\":\"error\",\"exit_code\":3,\"message\":\"No.\"}\n",
        3, java.util.List.of())).isEqualTo("No.");
  }
}
