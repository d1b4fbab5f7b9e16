package org.reschat.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The arrows of DESIGN.md §1 point one way: cli → local-db → reschat-core → kv-adapter, cli → config.
 * The core never touches HTTP, SQLite or the terminal, and no lower module reaches up.
 */
class LayeringTest {
  private static List<String> importsIn(String module) throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("..", module, "src", "main", "java"))) {
      return files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
        try {
          return Files.readAllLines(p).stream().filter(l -> l.startsWith("import ")).map(l -> p.getFileName() + ": " + l);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).collect(Collectors.toList());
    }
  }

  @Test
  void theCoreUsesNeitherHttpNorSqliteNorTheTerminal() throws IOException {
    assertThat(importsIn("reschat-core")).isNotEmpty().noneMatch(l -> l.matches(".*import (static )?(okhttp3|okio|org\\.sqlite|java\\.sql|picocli|org\\.jline|me\\.tongfei)\\..*"))
        .noneMatch(l -> l.contains("import org.reschat.kv.resilientdb.") || l.contains("import org.reschat.kv.embedded."))
        .noneMatch(l -> l.contains("import org.reschat.localdb.") || l.contains("import org.reschat.cli.")
            || l.contains("import org.reschat.config."));
  }

  @Test
  void lowerModulesNeverReachUp() throws IOException {
    assertThat(importsIn("kv-adapter")).isNotEmpty().noneMatch(l -> l.matches(".*import org\\.reschat\\.(core|localdb|config|cli)\\..*"));
    assertThat(importsIn("config")).isNotEmpty().noneMatch(l -> l.matches(".*import org\\.reschat\\.(kv|core|localdb|cli)\\..*"));
    assertThat(importsIn("local-db")).isNotEmpty().noneMatch(l -> l.matches(".*import org\\.reschat\\.(cli|config)\\..*"))
        .noneMatch(l -> l.matches(".*import (picocli|org\\.jline)\\..*"));
  }
}
