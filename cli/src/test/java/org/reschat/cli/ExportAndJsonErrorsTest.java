package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export format follows the file name and --json; with --json, errors are JSON on stderr too. */
class ExportAndJsonErrorsTest {
  @TempDir Path dir;

  @Test
  void theExportFormatFollowsTheExtensionAndJson() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "hello"));
    Path json = dir.resolve("x.json");
    CliHarness.check(cli.as("alice", "export", "bob", "-o", json.toString()));
    assertThat(JsonParser.parseString(Files.readString(json)).getAsJsonObject().getAsJsonArray("messages")).hasSize(1);
    Path md = dir.resolve("x.md");
    CliHarness.check(cli.as("alice", "export", "bob", "-o", md.toString()));
    assertThat(Files.readString(md)).startsWith("# Conversation with bob");
    CliHarness.Result toStdout = CliHarness.check(cli.as("alice", "--json", "export", "bob"));
    assertThat(JsonParser.parseString(toStdout.out()).getAsJsonObject().get("friend").getAsString()).isEqualTo("bob");
    CliHarness.Result toFile = CliHarness.check(cli.as("alice", "--json", "export", "bob", "-o", dir.resolve("y.txt").toString()));
    JsonObject o = JsonParser.parseString(toFile.out()).getAsJsonObject();
    assertThat(o.get("type").getAsString()).isEqualTo("exported");
    assertThat(o.get("format").getAsString()).isEqualTo("txt");
    assertThat(o.get("messages").getAsInt()).isEqualTo(1);
  }

  @Test
  void demoWithJsonPrintsOnlyASummaryObjectOnStdout() {
    CliHarness cli = new CliHarness(dir);
    CliHarness.Result r = cli.run("--json", "demo");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.lines()).hasSize(1);
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(o.get("type").getAsString()).isEqualTo("demo");
    assertThat(o.get("tampering_detected").getAsBoolean()).isTrue();
    assertThat(o.get("republished").getAsBoolean()).isTrue();
    assertThat(r.err()).contains("ResChat demo: two people");
  }

  @Test
  void withJsonAnErrorIsAJsonObjectOnStderr() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.Result r = cli.as("alice", "--json", "send", "nobody", "hi");
    assertThat(r.code()).isEqualTo(ExitCodes.NOT_FOUND);
    JsonObject e = JsonParser.parseString(r.err()).getAsJsonObject();
    assertThat(e.get("type").getAsString()).isEqualTo("error");
    assertThat(e.get("exit_code").getAsInt()).isEqualTo(3);
    assertThat(e.get("message").getAsString()).contains("no friend or group called \"nobody\"");
    CliHarness.Result usage = cli.as("alice", "--json", "history", "bob", "--pages", "1", "--all");
    assertThat(usage.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(JsonParser.parseString(usage.err()).getAsJsonObject().get("exit_code").getAsInt()).isEqualTo(2);
  }
}
