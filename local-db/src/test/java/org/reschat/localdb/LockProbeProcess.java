package org.reschat.localdb;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A second process: tries once to take the OS lock on the file named by its argument; exits 0 if it got it, 3 if not. */
public final class LockProbeProcess {
  private LockProbeProcess() {}

  public static void main(String[] args) throws Exception {
    try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      System.exit(lock == null ? 3 : 0);
    }
  }
}
