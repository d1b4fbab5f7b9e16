package org.reschat.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The test vectors docs/protocol.md publishes in a fenced block of {@code name: value} lines, read as the build checks them. */
public final class PublishedVectors {
  private PublishedVectors() {}

  /** The lines of the block fenced as {@code ```kind}, in order; empty when the document has no such block. */
  public static Map<String, String> in(String kind) throws java.io.IOException {
    String doc = Files.readString(Path.of("..", "docs", "protocol.md"));
    String fence = "```" + kind + "\n";
    int start = doc.indexOf(fence);
    Map<String, String> out = new LinkedHashMap<>();
    if (start < 0) {
      return out;
    }
    int from = start + fence.length();
    for (String line : doc.substring(from, doc.indexOf("```", from)).split("\n")) {
      int colon = line.indexOf(": ");
      out.put(colon > 0 ? line.substring(0, colon) : line, colon > 0 ? line.substring(colon + 2) : "");
    }
    return out;
  }
}
