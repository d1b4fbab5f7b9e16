package org.reschat.kv.embedded;

import java.nio.file.Path;

/** A second OS process for {@link EmbeddedStoreTest}: writes its own keys and a shared one. */
public final class EmbeddedWriterProcess {
  private EmbeddedWriterProcess() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String name = args[1];
    int count = Integer.parseInt(args[2]);
    try (EmbeddedStore store = EmbeddedStore.open(file)) {
      for (int i = 0; i < count; i++) {
        store.put(name + ".k" + i, name + "/" + i);
        store.put("shared", name + "/" + i);
      }
    }
  }
}
