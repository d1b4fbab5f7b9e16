package org.reschat.core;

import org.reschat.core.ReschatException;

/**
 * The store did not confirm every chunk, so no FILE message was sent. What was confirmed is recorded:
 * sending the same file to the same person again resumes from there.
 */
public final class UploadInterruptedException extends ReschatException {
  private static final long serialVersionUID = 1L;
  private final int stored;
  private final int total;

  public UploadInterruptedException(int stored, int total, Throwable cause) {
    super("not sent yet: " + stored + " of " + total + " chunk(s) are on the store (" + cause.getMessage()
        + "); sending the same file again resumes where this stopped.", cause);
    this.stored = stored;
    this.total = total;
  }

  public int stored() {
    return stored;
  }

  public int total() {
    return total;
  }
}
