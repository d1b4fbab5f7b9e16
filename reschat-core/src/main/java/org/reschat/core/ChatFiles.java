package org.reschat.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.reschat.core.internal.files.FileOffer;

/**
 * Files in any chat (protocol §10): the file is sealed in chunks under a key of its own and written to the
 * store first; only then is a FILE message sent, which carries the key and the hash of the chunk list. A
 * reader fetches and verifies every chunk before anything is saved. Reached through
 * {@link ChatClient#files()}; thread-safe.
 */
public interface ChatFiles {

  /** Bytes moved so far; called from loader threads, never going backwards. */
  @FunctionalInterface
  interface Progress {
    Progress NONE = (done, total) -> { };

    void bytes(long done, long total);
  }

  /** The message type of a file's offer. */
  String TYPE = FileOffer.TYPE;
  /** Longest file name a message carries, in UTF-8 bytes. */
  int MAX_NAME_BYTES = org.reschat.core.internal.files.FileNames.MAX_NAME_BYTES;
  /** Longest caption, in UTF-8 bytes. */
  int MAX_CAPTION_BYTES = FileOffer.MAX_CAPTION_BYTES;

  /** Whether {@code text} is a media type a file's offer may carry ({@code type/subtype}). */
  static boolean isMediaType(String text) {
    return FileOffer.isMediaType(text);
  }

  /**
   * A name a sender gave a file, made safe to save under in a directory: no path, no control characters, no
   * name that hides or means something to the shell; what a download saves as unless told otherwise.
   */
  static String safeFileName(String name) {
    return org.reschat.core.internal.files.FileNames.safe(name);
  }

  /** What a FILE message offers, as shown: the sender's name for it, its size and type, and the caption. */
  record FileInfo(String name, long size, String mediaType, String caption) {}

  /** The file {@code m} offers, when it is a FILE message that parses. */
  static Optional<FileInfo> info(Message m) {
    return FileOffer.TYPE.equals(m.type())
        ? FileOffer.parse(m.body()).map(f -> new FileInfo(f.name(), f.size(), f.mediaType(), f.caption()))
        : Optional.empty();
  }

  /**
   * Uploads {@code source} (at most 100 MiB) under the name {@code name} and sends its FILE message to
   * {@code chat}. When the store does not confirm every chunk, nothing is sent and calling again with the
   * same file and chat resumes where it stopped ({@code files.UploadInterruptedException}).
   *
   * @throws IOException the file could not be read, or a chunk could not be written ({@code KvException})
   * @throws ReschatException the file is too large or changed while sent, the chat refused the message
   *     ({@code GroupException}), or the upload was interrupted
   */
  SendResult send(ChatId chat, Path source, String name, String mediaType, String caption, Progress progress)
      throws IOException, ReschatException;

  /**
   * Fetches the file {@code m} offers into {@code target}, verifying every chunk; nothing is left at
   * {@code target} unless all of it checked out.
   *
   * @throws java.nio.file.FileAlreadyExistsException {@code target} exists and {@code replace} is false
   * @throws IOException the store could not be read ({@code KvException}) or the file not written
   * @throws ReschatException {@code m} is no file ({@code InvalidMessageException}), or a chunk is missing,
   *     altered or moved ({@code files.FileCheckException})
   */
  void fetch(Message m, Path target, boolean replace, Progress progress) throws IOException, ReschatException;
}
