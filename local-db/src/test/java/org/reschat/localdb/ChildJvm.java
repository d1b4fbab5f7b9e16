package org.reschat.localdb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a test class's main in a separate JVM on the same classpath: a real second process. */
final class ChildJvm {
  private ChildJvm() {}

  static Process start(Path log, Class<?> main, String... args) throws java.io.IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
