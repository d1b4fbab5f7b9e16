package org.reschat.kv;

/** Local storage failed: the disk is full, the file is read-only, or it is not a ResChat store. */
public final class KvStorageException extends KvException {
  private static final long serialVersionUID = 1L;

  public KvStorageException(String message) {
    super(message, null);
  }

  public KvStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
