package org.reschat.core.internal.files;

import org.reschat.core.FileCheckException;
import org.reschat.core.UploadInterruptedException;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.ReschatException;
import org.reschat.core.SendResult;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.ChunkStreamAead;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Sends and fetches encrypted files (protocol §10). Sending: chunks are sealed under a fresh file key,
 * written in parallel and confirmed, and only then is the FILE message handed to a {@link MessageSink}
 * (a friend's conversation or a group's: the file path does not care). Fetching: every chunk
 * is verified, the file is written to a temporary file and renamed into place only when all of it checks out.
 *
 * <p>Parallelism stays within the store's limit ({@link KvStore#maxConcurrentReads()}): one request per
 * endpoint at a time.
 */
public final class FileTransfer {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** More threads than this would only queue inside the store. */
  private static final int MAX_PARALLEL = 16;

  private final KvStore store;
  private final Path journals;

  /**
   * @param store where chunks go
   * @param journals a private directory where unfinished uploads are recorded so they can resume
   */
  public FileTransfer(KvStore store, Path journals) {
    this.store = store;
    this.journals = journals;
  }

  /** Where a FILE message goes: e.g. {@code (t, e, b) -> client.send(chat, t, e, b)}. */
  @FunctionalInterface
  public interface MessageSink {
    SendResult send(String type, byte[] extension, byte[] body) throws IOException, ReschatException;
  }

  /** Bytes moved so far; called from loader threads, never going backwards. */
  @FunctionalInterface
  public interface Progress {
    void bytes(long done, long total);

    Progress NONE = (done, total) -> { };
  }

  private int parallel() {
    return Math.max(1, Math.min(MAX_PARALLEL, store.maxConcurrentReads()));
  }

  /**
   * Uploads {@code source} and sends its FILE message through {@code sink}.
   *
   * @param recipient names the receiving conversation, so the same file to two people is two uploads
   * @throws UploadInterruptedException when the store did not confirm every chunk: no message was sent,
   *     and calling again with the same file and recipient resumes
   * @throws InvalidMessageException when the file is too large, not a regular file, or changed while sent
   */
  public SendResult send(Path source, String name, String mediaType, String caption, String recipient,
      MessageSink sink, Progress progress) throws IOException, ReschatException {
    if (!Files.isRegularFile(source)) {
      throw new InvalidMessageException(source + " is not a regular file.");
    }
    long size = Files.size(source);
    if (size > FileLayout.MAX_FILE_BYTES) {
      throw new InvalidMessageException(source + " is " + size + " bytes; a file sent is at most 100 MiB.");
    }
    byte[] fileHash = hashFile(source);
    Path journalFile = journals.resolve(Base64Url.encode(Arrays.copyOf(Sha.sha256(
        recipient.getBytes(StandardCharsets.UTF_8), new byte[1],
        source.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8), new byte[1], fileHash), 18)) + ".json");
    Journal journal = Journal.load(journalFile, size, fileHash).orElseGet(() -> Journal.fresh(size, fileHash));
    journal.save(journalFile);

    int n = FileLayout.chunkCount(size);
    byte[] chunkKey = FileLayout.chunkKey(journal.key);
    byte[][] hashes = new byte[n][];
    MessageDigest read = sha256();
    AtomicReference<Exception> failure = new AtomicReference<>();
    AtomicLong moved = new AtomicLong();
    Semaphore inFlight = new Semaphore(parallel() * 2);
    ExecutorService pool = Executors.newFixedThreadPool(parallel(), daemon("reschat-upload"));
    boolean changed;
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
      for (int i = 0; i < n && failure.get() == null; i++) {
        int length = FileLayout.plainLength(size, i);
        byte[] plain = readFully(in, length);
        read.update(plain);
        byte[] sealed = ChunkStreamAead.seal(chunkKey, i, i == n - 1, plain);
        hashes[i] = Sha.sha256(sealed);
        if (journal.isDone(i)) { // confirmed by an earlier run: the same key, index and bytes seal the same
          progress.bytes(moved.addAndGet(length), size);
          continue;
        }
        acquire(inFlight);
        int index = i;
        pool.execute(() -> {
          try {
            store.put(FileLayout.location(journal.key, index), Base64Url.encode(sealed));
            synchronized (journal) {
              journal.markDone(index);
              journal.save(journalFile);
            }
            progress.bytes(moved.addAndGet(length), size);
          } catch (Exception e) {
            failure.compareAndSet(null, e);
          } finally {
            inFlight.release();
          }
        });
      }
      changed = in.read(ByteBuffer.allocate(1)) > 0;
    } catch (IOException e) {
      changed = true; // shorter than it was a moment ago
    } finally {
      pool.shutdown();
      awaitTermination(pool);
    }
    if (failure.get() != null) {
      if (failure.get() instanceof LocalStateException) {
        throw (LocalStateException) failure.get();
      }
      throw new UploadInterruptedException(journal.doneCount(), n, failure.get());
    }
    if (changed || !Arrays.equals(read.digest(), fileHash)) {
      // A resumed run must seal the very bytes the first one did: a changed file gets a new key.
      Files.deleteIfExists(journalFile);
      throw new InvalidMessageException(source + " changed while it was being sent; nothing was sent. Send it again.");
    }
    FileOffer offer = new FileOffer(name, size, mediaType, journal.key, FileLayout.listHash(hashes), caption);
    SendResult result = sink.send(FileOffer.TYPE, new byte[0], offer.encode());
    Files.deleteIfExists(journalFile); // the message is confirmed or safe in the outbox
    return result;
  }

  /**
   * Fetches and verifies the file of {@code offer} into {@code target}; nothing is left at {@code target}
   * unless every check passed.
   *
   * @throws FileCheckException a chunk is missing, altered or moved, or the chunk list differs
   * @throws FileAlreadyExistsException {@code target} exists and {@code replace} is false
   * @throws KvException the store could not be read
   */
  public void fetch(FileOffer offer, Path target, boolean replace, Progress progress)
      throws IOException, FileCheckException {
    Path dir = target.toAbsolutePath().getParent();
    if (!replace && Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    int n = FileLayout.chunkCount(offer.size());
    byte[] key = offer.key();
    byte[] chunkKey = FileLayout.chunkKey(key);
    byte[][] hashes = new byte[n][];
    Path temp = Files.createTempFile(dir, ".reschat-", ".part");
    ExecutorService pool = Executors.newFixedThreadPool(parallel(), daemon("reschat-download"));
    boolean done = false;
    try {
      try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        Deque<Future<Optional<String>>> window = new ArrayDeque<>();
        int next = 0;
        long moved = 0;
        for (int i = 0; i < n; i++) {
          while (next < n && window.size() < parallel() * 2) {
            String location = FileLayout.location(key, next++);
            window.add(pool.submit(() -> store.get(location)));
          }
          byte[] plain = openChunk(chunkKey, offer.size(), i, n, await(window.removeFirst()), hashes);
          out.write(plain);
          moved += plain.length;
          progress.bytes(moved, offer.size());
        }
      } finally {
        pool.shutdownNow();
      }
      if (!MessageDigest.isEqual(FileLayout.listHash(hashes), offer.chunksHash())) {
        throw new FileCheckException("The file's chunks are not the ones its FILE message lists; nothing was saved.");
      }
      try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        c.force(true); // on disk before it has its name
      }
      move(temp, target, replace);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
      }
    }
  }

  private static byte[] openChunk(byte[] chunkKey, long size, int i, int n, Optional<String> value, byte[][] hashes)
      throws FileCheckException {
    String which = "Chunk " + (i + 1) + " of " + n;
    if (value.isEmpty()) {
      throw new FileCheckException(which + " is missing from the store; nothing was saved.");
    }
    int expected = FileLayout.plainLength(size, i) + ChunkStreamAead.TAG_BYTES;
    Optional<byte[]> sealed = value.get().length() == Base64Url.encodedLength(expected)
        ? Base64Url.decode(value.get()) : Optional.empty();
    if (sealed.isEmpty()) {
      throw new FileCheckException(which + " on the store is not what was sent; nothing was saved.");
    }
    try {
      byte[] plain = ChunkStreamAead.open(chunkKey, i, i == n - 1, sealed.get());
      hashes[i] = Sha.sha256(sealed.get());
      return plain;
    } catch (OneTimeKeyAead.OpenFailedException e) {
      throw new FileCheckException(which + " does not authenticate: it was altered or moved; nothing was saved.");
    }
  }

  private static void move(Path temp, Path target, boolean replace) throws IOException {
    try {
      if (replace) {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        // No atomic "move unless exists" in NIO: a hard link fails if the target appeared meanwhile.
        Files.createLink(target, temp);
        Files.delete(temp);
      }
    } catch (UnsupportedOperationException | AtomicMoveNotSupportedException e) {
      Files.move(temp, target, replace ? new StandardCopyOption[] {StandardCopyOption.REPLACE_EXISTING}
          : new StandardCopyOption[0]);
    }
  }

  private static <T> T await(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("Interrupted while fetching a file");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException) {
        throw (IOException) e.getCause(); // KvException is one
      }
      throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : new IllegalStateException(e);
    }
  }

  private static void acquire(Semaphore s) throws java.io.InterruptedIOException {
    try {
      s.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("Interrupted while sending a file");
    }
  }

  private static void awaitTermination(ExecutorService pool) throws java.io.InterruptedIOException {
    try {
      pool.awaitTermination(1, TimeUnit.DAYS);
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("Interrupted while sending a file");
    }
  }

  private static byte[] readFully(FileChannel in, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      if (in.read(b) < 0) {
        throw new IOException("the file got shorter");
      }
    }
    return b.array();
  }

  private static byte[] hashFile(Path source) throws IOException {
    MessageDigest d = sha256();
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(1 << 16);
      while (in.read(b) >= 0) {
        b.flip();
        d.update(b);
        b.clear();
      }
    }
    return d.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
  }

  /** The journals hold file keys: the directory is the owner's only, as the profile's state is. */
  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** An unfinished upload: its key and which chunks the store confirmed. Written atomically after each one. */
  private static final class Journal {
    final long size;
    final byte[] fileHash;
    final byte[] key;
    final BitSet done;

    private Journal(long size, byte[] fileHash, byte[] key, BitSet done) {
      this.size = size;
      this.fileHash = fileHash;
      this.key = key;
      this.done = done;
    }

    static Journal fresh(long size, byte[] fileHash) {
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      return new Journal(size, fileHash, key, new BitSet());
    }

    /** The journal at {@code file} when it is for this very content; a damaged one is ignored (a new key starts over). */
    static Optional<Journal> load(Path file, long size, byte[] fileHash) {
      try {
        if (!Files.isRegularFile(file) || Files.size(file) > 1 << 20) {
          return Optional.empty();
        }
        Optional<JsonObject> o = StrictJson.parseObject(Files.readString(file));
        if (o.isEmpty()) {
          return Optional.empty();
        }
        Optional<Long> s = StrictJson.integer(o.get(), "size", 0, FileLayout.MAX_FILE_BYTES);
        Optional<byte[]> h = StrictJson.string(o.get(), "hash").flatMap(Base64Url::decode);
        Optional<byte[]> k = StrictJson.string(o.get(), "key").flatMap(Base64Url::decode);
        Optional<byte[]> d = StrictJson.string(o.get(), "done").flatMap(Base64Url::decode);
        if (s.isEmpty() || s.get() != size || h.isEmpty() || !Arrays.equals(h.get(), fileHash) || k.isEmpty()
            || k.get().length != 32 || d.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(new Journal(size, fileHash, k.get(), BitSet.valueOf(d.get())));
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    boolean isDone(int i) {
      synchronized (this) {
        return done.get(i);
      }
    }

    void markDone(int i) {
      done.set(i);
    }

    synchronized int doneCount() {
      return done.cardinality();
    }

    synchronized void save(Path file) throws LocalStateException {
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.addProperty("size", size);
      o.addProperty("hash", Base64Url.encode(fileHash));
      o.addProperty("key", Base64Url.encode(key));
      o.addProperty("done", Base64Url.encode(done.toByteArray()));
      try {
        createPrivateDirectory(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), ".journal-", ".tmp"); // 0600 on POSIX
        try {
          try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(o.toString().getBytes(StandardCharsets.UTF_8)));
            c.force(true);
          }
          Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(temp);
        }
      } catch (IOException e) {
        throw new LocalStateException("Could not record the upload's progress in " + file.getParent() + ": " + e.getMessage(), e);
      }
    }
  }
}
