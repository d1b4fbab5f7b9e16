package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/threat-model.md maps every attack to the tests that show it is handled. This checks that each test
 * it names exists: a class of that name in some module's tests, with a method of that name. A renamed or
 * deleted test makes the build fail here instead of leaving a promise without evidence.
 */
class DocsNameRealTestsTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern TOKEN = Pattern.compile("`([A-Za-z][A-Za-z0-9]*)(?:\\.([a-z][A-Za-z0-9]*))?`");

  @Test
  void everyTestTheThreatModelNamesExists() throws IOException {
    Map<String, String> sources = testSources();
    List<String> missing = new ArrayList<>();
    int named = 0;
    for (String line : Files.readAllLines(ROOT.resolve("docs/threat-model.md"), StandardCharsets.UTF_8)) {
      if (!line.startsWith("|")) {
        continue;
      }
      String[] cells = line.split("\\|");
      String evidence = cells[cells.length - 1];
      String currentClass = null;
      Matcher m = TOKEN.matcher(evidence);
      while (m.find()) {
        String first = m.group(1);
        String method = m.group(2);
        if (Character.isUpperCase(first.charAt(0)) && first.endsWith("Test")) {
          currentClass = first;
          named++;
          if (!sources.containsKey(first)) {
            missing.add(first);
            continue;
          }
          if (method != null && !sources.get(first).contains(" " + method + "(")) {
            missing.add(first + "." + method);
          }
        } else if (method == null && currentClass != null && Character.isLowerCase(first.charAt(0))
            && first.length() > 12) { // a bare test method of the class named before it in the cell
          named++;
          if (sources.containsKey(currentClass) && !sources.get(currentClass).contains(" " + first + "(")) {
            missing.add(currentClass + "." + first);
          }
        }
      }
    }
    assertThat(named).isGreaterThan(50);
    assertThat(missing).as("tests named in docs/threat-model.md that do not exist").isEmpty();
  }

  private static Map<String, String> testSources() throws IOException {
    Map<String, String> out = new HashMap<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().contains("/src/test/java/")
          && f.toString().endsWith("Test.java"))::iterator) {
        String name = p.getFileName().toString().replace(".java", "");
        out.merge(name, Files.readString(p, StandardCharsets.UTF_8), String::concat);
      }
    }
    return out;
  }
}
