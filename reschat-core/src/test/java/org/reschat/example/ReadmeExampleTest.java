package org.reschat.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's embedding example is the code that {@link EmbeddingExampleTest} runs, line for line. */
class ReadmeExampleTest {
  @Test
  void theReadmeShowsTheCodeTheExampleTestRuns() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent();
    String test = Files.readString(root.resolve("reschat-core/src/test/java/org/reschat/example/EmbeddingExampleTest.java"));
    String example = test.substring(test.indexOf("// README: Embedding\n") + "// README: Embedding\n".length(),
        test.indexOf("    // end\n"));
    String readme = Files.readString(root.resolve("README.md"));
    assertThat(readme).contains(example.stripTrailing().stripIndent());
  }
}
