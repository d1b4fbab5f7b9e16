package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Json;
import org.reschat.cli.NamedChat;
import org.reschat.cli.Output;
import org.reschat.cli.ProgressDisplay;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.ChatFiles;
import org.reschat.localdb.Friend;

/** Files as every command shows and moves them: send, list, download, and the one-line form in a chat. */
public final class FileMessages {
  private FileMessages() {}

  /** Where unfinished uploads are recorded, inside the profile. */
  public static final String JOURNALS = "uploads";

  /** Uploads {@code path} and sends its FILE message to a friend or group; returns the exit code (0, or 6 when queued). */
  static int send(Session session, NamedChat chat, Path path, String caption) throws Exception {
    Output out = session.output();
    String name = path.getFileName() == null ? "file" : path.getFileName().toString();
    if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > ChatFiles.MAX_NAME_BYTES) {
      throw new InvalidMessageException("The file name is longer than 255 bytes; rename it first.");
    }
    if (caption.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > ChatFiles.MAX_CAPTION_BYTES) {
      throw new InvalidMessageException("The caption is over 4,096 bytes.");
    }
    if (!Files.exists(path)) {
      throw new CliException(ExitCodes.NOT_FOUND, "There is no file " + path + ".");
    }
    // Asked before any chunk is uploaded: a read-only profile can record no upload, so it sends no file.
    session.profile().forChange(JOURNALS, "send a file");
    SendResult r;
    try (ProgressDisplay progress = new ProgressDisplay(session.context(), out.json(), "Sending " + SafeText.line(name))) {
      r = session.client().files().send(chat.id(), path, name, mediaType(path), caption, progress::bytes);
    } catch (org.reschat.kv.KvException e) {
      throw e; // the store's failure, reported as such
    } catch (java.io.IOException e) {
      throw new CliException(ExitCodes.LOCAL, "Could not read " + path + ": " + e.getMessage() + "; nothing was sent.");
    }
    ChatFiles.FileInfo offer = ChatFiles.info(r.message()).orElseThrow();
    if (out.json()) {
      JsonObject o = fileJson(r.message(), offer, chat.name());
      o.addProperty("pending", r.pending());
      o.addProperty("problem", r.problem().map(org.reschat.core.Problem::sentence).orElse(null));
      o.addProperty("problem_kind", r.problem().map(q -> q.kind().name().toLowerCase(Locale.ROOT)).orElse(null));
      out.json(o);
    } else if (r.confirmed()) {
      out.note("Sent " + SafeText.line(name) + " (" + size(offer.size()) + ") to " + SafeText.line(chat.name()) + ".");
    } else {
      out.warn("queued for " + chat.name() + ", not sent: " + r.problem().map(org.reschat.core.Problem::sentence).orElse("the store did not confirm it.")
          + " The file is on the store; its message waits in the outbox with " + (r.pending() - 1)
          + " other(s), and the next 'reschat send' or 'reschat receive' publishes it.");
    }
    return r.confirmed() ? ExitCodes.OK : ExitCodes.QUEUED;
  }

  /**
   * A file's id: {@code f:} and its message's id. Message ids can start with '-', which a command line reads
   * as an option; the prefix keeps a pasted id a plain argument.
   */
  public static String fileId(Message m) {
    return "f:" + m.id();
  }

  /** The file with id {@code id} (or the bare message id) in {@code history}. */
  public static Optional<Message> find(History history, String id) {
    return files(history).stream().filter(m -> fileId(m).equals(id) || m.id().equals(id)).findFirst();
  }

  /** The files in a conversation, oldest first, from the verified history. */
  public static List<Message> files(History history) {
    return history.messages().stream().filter(m -> offer(m).isPresent()).toList();
  }

  public static Optional<ChatFiles.FileInfo> offer(Message m) {
    return ChatFiles.info(m);
  }

  /** Loads the whole conversation; files can be anywhere in it. */
  public static History history(Session session, NamedChat chat) throws Exception {
    try (ProgressDisplay progress = new ProgressDisplay(session.context(), session.output().json())) {
      return session.client().history(chat.id(), HistoryRequest.all().withProgress(progress));
    }
  }

  /**
   * Fetches the file of message {@code id} into {@code target} (a file, a directory, or null: the current
   * directory under the sender's name made safe). Returns the path written; prints nothing.
   */
  public static Path download(Session session, String friend, Message m, Path target, boolean force) throws Exception {
    ChatFiles.FileInfo offer = offer(m).orElseThrow(() -> new CliException(ExitCodes.NOT_FOUND,
        "Message " + SafeText.line(m.id()) + " is not a file."));
    Path base = target == null ? Path.of("").toAbsolutePath() : target;
    Path to = Files.isDirectory(base) ? base.resolve(ChatFiles.safeFileName(offer.name())) : base;
    if (!force && Files.exists(to, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new CliException(ExitCodes.USAGE, to + " exists; choose another with -o, or replace it with --force.");
    }
    try (ProgressDisplay progress = new ProgressDisplay(session.context(), session.output().json(),
        "Fetching " + SafeText.line(offer.name()))) {
      session.client().files().fetch(m, to, force, progress::bytes);
    } catch (org.reschat.kv.KvException e) {
      throw e; // the store's failure, reported as such
    } catch (FileAlreadyExistsException e) {
      throw new CliException(ExitCodes.USAGE, to + " exists; choose another with -o, or replace it with --force.");
    } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
      throw new CliException(ExitCodes.LOCAL, "Cannot write " + e.getFile() + ": no such directory, or no permission.");
    } catch (java.io.IOException e) {
      throw new CliException(ExitCodes.LOCAL, "Could not write " + to + " (" + e.getMessage() + "); nothing was saved.");
    }
    return to;
  }

  /** A file message as one JSON object of type {@code file}. */
  static JsonObject fileJson(Message m, ChatFiles.FileInfo offer, String friend) {
    JsonObject o = Json.object("file");
    o.addProperty("friend", friend);
    o.addProperty("id", fileId(m));
    o.addProperty("message_id", m.id());
    o.addProperty("name", offer.name());
    o.addProperty("size", offer.size());
    o.addProperty("media_type", offer.mediaType());
    o.addProperty("caption", offer.caption());
    o.addProperty("sender", m.direction() == Message.Direction.SENT ? "me" : friend);
    o.addProperty("sent_at", m.sentAt().toString());
    o.addProperty("status", m.status().name().toLowerCase(Locale.ROOT));
    return o;
  }

  /**
   * What a chat shows for a file message: name, size, caption and how to fetch it; null for other messages.
   *
   * @param download what fetches it where the line is shown: {@code /download} in the chat view, {@code
   *     reschat download bob} in a shell (see {@link #shellDownload}); null to show no way
   */
  public static String line(Message m, String download) {
    return describe(m, download, SafeText::line);
  }

  /** As {@link #line}, but the sender's words as they wrote them: for a format that makes them safe itself. */
  public static String rawLine(Message m, String download) {
    return describe(m, download, s -> s);
  }

  private static String describe(Message m, String download, java.util.function.UnaryOperator<String> shown) {
    Optional<ChatFiles.FileInfo> offer = offer(m);
    if (offer.isEmpty()) {
      return ChatFiles.TYPE.equals(m.type()) ? "[a file whose description is damaged]" : null;
    }
    ChatFiles.FileInfo f = offer.get();
    return "[file] " + shown.apply(f.name()) + " (" + size(f.size()) + ")"
        + (f.caption().isEmpty() ? "" : " " + shown.apply(f.caption()))
        + (download == null ? "" : " — " + download + " " + fileId(m));
  }

  /** The shell command that fetches a file of chat {@code name}, to paste: the name quoted when it needs it. */
  public static String shellDownload(String name) {
    String safe = SafeText.line(name);
    return "reschat download " + (safe.matches("[\\p{L}\\p{N}._@+-]+") ? safe : "'" + safe.replace("'", "'\\''") + "'");
  }

  /** A size for people: bytes, KiB or MiB. */
  public static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  private static String mediaType(Path path) {
    try {
      String t = Files.probeContentType(path);
      if (t != null) {
        t = t.toLowerCase(Locale.ROOT);
        if (ChatFiles.isMediaType(t)) {
          return t;
        }
      }
    } catch (java.io.IOException e) {
      // a hint only
    }
    return "application/octet-stream";
  }
}
