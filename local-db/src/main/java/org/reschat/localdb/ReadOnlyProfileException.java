package org.reschat.localdb;

import org.reschat.core.LocalStateException;

/**
 * A change asked of a profile opened read-only. A local-state failure (exit 7 in the CLI), raised before
 * anything is written, so nothing is half done.
 */
public final class ReadOnlyProfileException extends LocalStateException {
  private static final long serialVersionUID = 1L;

  ReadOnlyProfileException(String message) {
    super(message);
  }
}
