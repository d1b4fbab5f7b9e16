package org.reschat.core.internal.files;

import java.io.IOException;
import java.nio.file.Path;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatFiles;
import org.reschat.core.ChatId;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.Message;
import org.reschat.core.ReschatException;
import org.reschat.core.SendResult;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.kv.KvStore;

/** {@link ChatFiles} over a {@link FileTransfer}: the FILE message goes through the client, to any chat. */
public final class LedgerChatFiles implements ChatFiles {
  private final ChatClient client;
  private final KvStore store;
  private final Path journals;
  private final Runnable ensureOpen;
  private FileTransfer transfer;

  /**
   * {@code journals}: a private directory where unfinished uploads are recorded, so they resume; null for a
   * fresh temporary one (random name, the owner's only), made on the first use.
   */
  public LedgerChatFiles(ChatClient client, KvStore store, Path journals, Runnable ensureOpen) {
    this.client = client;
    this.ensureOpen = ensureOpen;
    this.store = store;
    this.journals = journals;
  }

  private synchronized FileTransfer transfer() throws IOException {
    ensureOpen.run();
    if (transfer == null) {
      transfer = new FileTransfer(store, journals != null ? journals : java.nio.file.Files.createTempDirectory("reschat-uploads-"));
    }
    return transfer;
  }

  @Override
  public SendResult send(ChatId chat, Path source, String name, String mediaType, String caption, Progress progress)
      throws IOException, ReschatException {
    return transfer().send(source, name, mediaType, caption, audience(chat),
        (type, extension, body) -> client.send(chat, type, extension, body), progress::bytes);
  }

  @Override
  public void fetch(Message m, Path target, boolean replace, Progress progress) throws IOException, ReschatException {
    FileOffer offer = FileOffer.TYPE.equals(m.type()) ? FileOffer.parse(m.body()).orElse(null) : null;
    if (offer == null) {
      throw new InvalidMessageException("That message is not a file.");
    }
    transfer().fetch(offer, target, replace, progress::bytes);
  }

  /** Names the audience in the upload journal, so the same file to two chats is two uploads. */
  private static String audience(ChatId chat) {
    return chat instanceof ChatId.Direct ? Base64Url.encode(((ChatId.Direct) chat).card().signingKey())
        : "g:" + ((ChatId.Group) chat).id();
  }
}
