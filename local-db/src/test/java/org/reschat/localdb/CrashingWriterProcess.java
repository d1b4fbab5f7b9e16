package org.reschat.localdb;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes a file atomically but dies (kill -9 style, no shutdown hooks) after the temp file, before the rename. */
public final class CrashingWriterProcess {
  private CrashingWriterProcess() {}

  public static void main(String[] args) throws Exception {
    AtomicFiles.crashPoint = temp -> Runtime.getRuntime().halt(137);
    AtomicFiles.write(Path.of(args[0]), args[1].getBytes(StandardCharsets.UTF_8));
  }
}
