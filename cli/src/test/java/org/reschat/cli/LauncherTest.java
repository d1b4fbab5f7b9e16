package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ./reschat launcher's JVM settings (issue 20): a heap ceiling for the daemon, the quick compiler for short commands. */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("..", "reschat").toAbsolutePath().normalize();

  /** The java command the launcher would run (RESCHAT_LAUNCHER_DRY_RUN: it builds nothing and runs nothing). */
  private static String command(String javaOpts, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("/bin/bash", LAUNCHER.toString()));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("RESCHAT_LAUNCHER_DRY_RUN", "1");
    if (javaOpts != null) {
      pb.environment().put("JAVA_OPTS", javaOpts);
    } else {
      pb.environment().remove("JAVA_OPTS");
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void eachKindOfCommandGetsItsSettingsAndJavaOptsWin() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")) && Files.exists(LAUNCHER), "no bash or no launcher");
    String daemon = command(null, "--home", "/tmp/x", "daemon");
    assertThat(daemon).contains("-XX:+UseSerialGC", "-Xmx256m", "-XX:MaxHeapFreeRatio=30", "-XX:ReservedCodeCacheSize=48m",
        "-XX:MaxMetaspaceSize=128m").endsWith("-jar " + LAUNCHER.getParent().resolve("cli/target/reschat.jar")
        + " --home /tmp/x daemon");
    assertThat(command(null, "jsonrpc")).contains("-Xmx256m", "-XX:MaxHeapFreeRatio=30");
    assertThat(command(null, "send", "bob", "hi")).contains("-XX:TieredStopAtLevel=1", "-Xmx256m", "-XX:+UseSerialGC");
    assertThat(command(null, "receive")).contains("-XX:TieredStopAtLevel=1");
    assertThat(command(null, "--store", "memory:", "receive", "--follow")).contains("-XX:MaxHeapFreeRatio=30")
        .doesNotContain("TieredStopAtLevel");
    assertThat(command(null, "export", "bob")).contains("-Xmx512m").doesNotContain("TieredStopAtLevel");
    String overridden = command("-Xmx1g", "daemon");
    assertThat(overridden.indexOf("-Xmx1g")).as("JAVA_OPTS come last, so they win").isGreaterThan(overridden.indexOf("-Xmx256m"));
  }
}
