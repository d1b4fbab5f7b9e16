package org.reschat.kv;

/** A store spec that names no store this library can open. The message lists the valid forms. */
public final class InvalidStoreSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidStoreSpecException(String problem) {
    super(problem + ". " + KvStores.VALID_FORMS);
  }
}
