package org.reschat.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@code reschat} as a separate OS process (a fresh JVM on this test's classpath). */
final class ChildProcesses {
  private ChildProcesses() {}

  static Process start(Map<String, String> env, Path log, String stdin, String... args) throws IOException {
    return start(List.of(), env, log, stdin, args);
  }

  /**
   * A wrapper that gives the child Ctrl-C back: a build started in the background runs with SIGINT ignored, a
   * child inherits that, and the JVM then installs no handler, so {@code kill -INT} would do nothing at all
   * (GNU env resets the disposition before exec).
   */
  static final List<String> DEFAULT_SIGINT = List.of("env", "--default-signal=INT");

  /** As {@link #start(Map, Path, String, String...)}, with options for the JVM such as {@code -Xmx256m}. */
  static Process start(List<String> jvmOptions, Map<String, String> env, Path log, String stdin, String... args)
      throws IOException {
    return startUnder(List.of(), jvmOptions, env, log, stdin, args);
  }

  /** As {@link #start(List, Map, Path, String, String...)}, the JVM run by {@code wrapper} (e.g. {@code unshare -m …}). */
  static Process startUnder(List<String> wrapper, List<String> jvmOptions, Map<String, String> env, Path log,
      String stdin, String... args) throws IOException {
    List<String> command = new ArrayList<>(wrapper);
    command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-XX:TieredStopAtLevel=1");
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().putAll(env);
    if (stdin != null) {
      File input = log.resolveSibling(log.getFileName() + ".in").toFile();
      java.nio.file.Files.writeString(input.toPath(), stdin);
      pb.redirectInput(input);
    }
    return pb.start();
  }
}
