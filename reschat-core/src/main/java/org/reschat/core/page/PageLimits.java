package org.reschat.core.page;

/** The sizes protocol v1 fixes. */
public final class PageLimits {
  /** Message slots in a full page. */
  public static final int SLOTS_PER_PAGE = 20;
  /** Fields in a slot. */
  public static final int FIELDS_PER_SLOT = 6;
  /** Largest serialized page, in UTF-8 bytes; a page is full before a message would push it past this. */
  public static final int MAX_PAGE_BYTES = 64 * 1024;
  /** Largest message, in UTF-8 bytes (ResChat's RSA limit was 214 bytes). Sealed twice it still fits a page. */
  public static final int MAX_MESSAGE_BYTES = 16 * 1024;
  /** Longest type extension (field 3), in characters. */
  public static final int MAX_EXTENSION_CHARS = 1024;
  /** Bytes of a conversation id, a writer tag, a page hash and a signature. */
  public static final int CONVERSATION_BYTES = 16;
  public static final int TAG_BYTES = 8;
  public static final int HASH_BYTES = 32;
  public static final int SIGNATURE_BYTES = 64;

  private PageLimits() {}
}
