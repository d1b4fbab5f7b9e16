package org.reschat.core;

import org.reschat.core.ReschatException;

/** A downloaded file does not check out: a chunk is missing, altered, moved, or the chunk list differs. */
public final class FileCheckException extends ReschatException {
  private static final long serialVersionUID = 1L;

  public FileCheckException(String message) {
    super(message);
  }
}
