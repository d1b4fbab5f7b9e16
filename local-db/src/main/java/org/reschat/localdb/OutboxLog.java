package org.reschat.localdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.reschat.core.LocalStateException;
import org.reschat.core.spi.LocalState;
import org.reschat.localdb.OutboxLogFormat.Entry;
import org.reschat.localdb.OutboxLogFormat.Kind;

/**
 * One own feed's outbox as an append-only log ({@code state/outbox/CONV.TAG.log}, format in {@link OutboxLogFormat}):
 * a send appends the page it queues and fsyncs once (the file exists, so no directory needs syncing), then appends
 * that the store confirmed it, without an fsync (lost to a power cut, the page is queued again and the next publish
 * confirms it without writing, as the {@link LocalState#confirmOutbox} contract allows). On a store whose writes are
 * local transactions a send writes the page first and appends only that it is verified, without an fsync. A confirmed page stays in
 * the log as the feed's verified copy until the log is compacted: then the verified pages are written to
 * {@code state/pages/}, durably, and the log is rewritten, atomically, with only what is still queued. That
 * happens when the log grows past a bound (twice what is queued, at least {@link #COMPACT_AT}), also when a
 * process first writes a log another left over it. A writer keeps the log open between appends (an append is one
 * pwrite), and opens it again when the log it finds under the lock is another file (rewritten since). Every new or rewritten log starts by saying up to which page the
 * feed's page files go, so the feed's newest page is known without listing them.
 *
 * <p>Writers hold the conversation's lock (taken here too, which costs nothing when the caller holds it already):
 * one writer at a time across threads and processes, and each first cuts off a torn tail (a record a crash cut
 * short) before it appends. Readers take no lock: each call looks at the file's {@link TrustedFiles.Stamp} and reads
 * only what was appended since; a thread that holds the lock looks once in that holding (no one else writes then).
 * Only a writer of the feed creates its log, and it first moves the lock to a new {@link Locks#generation}: a log
 * found missing in a holding is not looked for again in a later one while the generation is the same (another
 * member's feed never has a log here, and was looked for at each send). A profile of an earlier version has its outbox as files ({@code CONV.TAG/N.page});
 * they are read too, and moved into the log by the first write.
 */
final class OutboxLog {
  /** The log is compacted when it grows past this, or past twice what it still queues. */
  static final long COMPACT_AT = 1 << 20;
  /**
   * A log larger than this is refused before it is read. Compacted at twice what it queues, a log reaches it only
   * with 32 MiB queued: some 4,500 pages of 7 KiB, 90,000 messages the store never confirmed.
   */
  static final long MAX_BYTES = 64L << 20;
  private static final SecureRandom GENERATIONS = new SecureRandom();

  /** The lock of the feed's conversation. */
  interface Locks {
    LocalState.Lock lock() throws LocalStateException;

    /** This thread's holding of the lock ({@link FileLocks#holding}), 0 when it holds none. */
    long holding();

    /** The lock's generation in this thread's holding ({@link FileLocks#generation}), 0 when it holds none. */
    long generation();

    /** Moves the lock to a new generation ({@link FileLocks#nextGeneration}): called holding it. */
    void nextGeneration() throws LocalStateException;
  }

  /** Looks (stats) at logs this process made to learn whether another wrote them: a count for tests. */
  private static final java.util.concurrent.atomic.AtomicLong LOOKS = new java.util.concurrent.atomic.AtomicLong();

  static long looks() {
    return LOOKS.get();
  }

  /** How many logs this JVM keeps open for appends, at most {@link #KEPT_OPEN}. */
  static final int KEPT_OPEN = 32;
  private static final KeptOpen<OutboxLog> APPENDERS = new KeptOpen<>(KEPT_OPEN, log -> {
    synchronized (log) {
      log.closeAppender();
    }
  });
  private static final java.util.concurrent.atomic.AtomicLong APPENDER_OPENS = new java.util.concurrent.atomic.AtomicLong();

  /** How many times this JVM opened a log to append to it: a count for tests. */
  static long appenderOpens() {
    return APPENDER_OPENS.get();
  }

  /** How many logs this JVM keeps open to append to: a count for tests. */
  static int appendersOpen() {
    return APPENDERS.size();
  }

  /** Writes to each log by this JVM, whichever object made them: while a holding lasts, the only writes there are. */
  private static final Map<Path, java.util.concurrent.atomic.AtomicLong> WRITES = new java.util.concurrent.ConcurrentHashMap<>();

  private final Path file;
  private final Path legacy;
  private final Path pages;
  private final TrustedFiles trusted;
  private final PageFiles pageFiles;
  private final Locks locks;
  private final long compactAt;

  // What the file held when last read: which file, and the state its whole records make.
  private TrustedFiles.Stamp seen;
  private long generation;
  private long end; // where its whole records end
  private long files; // the newest of the feed's page files
  private boolean legacyMoved; // this process found no outbox files of an earlier version there, or moved them
  // The holding of the conversation's lock in which the file was last looked at, and this JVM's writes to it by then:
  // while both are the same no process has written it since, so it is not looked at again (a stat a call was 7 a send).
  private final java.util.concurrent.atomic.AtomicLong writes;
  private long lookedIn;
  private long writesSeen;
  private long missingIn; // the lock's generation in which the file was last found missing, 0: none
  // The log kept open for appends, and the file it is open on (the stamp's device and inode). Open, that file cannot
  // be freed, so no other file takes its inode: while the log's stamp names it, the path still names this file.
  private FileChannel appender;
  private Object appenderFile;
  private final TreeMap<Long, String> queued = new TreeMap<>();
  private final TreeMap<Long, String> verified = new TreeMap<>();

  /**
   * @param outbox the profile's {@code state/outbox}
   * @param pages the feed's directory of verified pages
   * @param feed the feed's name, {@code CONV.TAG}
   */
  OutboxLog(Path outbox, Path pages, String feed, TrustedFiles trusted, Locks locks, long compactAt) {
    this.file = outbox.resolve(feed + ".log");
    this.legacy = outbox.resolve(feed);
    this.pages = pages;
    this.trusted = trusted;
    this.pageFiles = new PageFiles(trusted);
    this.locks = locks;
    this.compactAt = compactAt;
    this.writes = WRITES.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new java.util.concurrent.atomic.AtomicLong());
  }

  Path file() {
    return file;
  }

  // --- reading ----------------------------------------------------------------------------------------------

  /** The verified copy of page {@code number} the log holds, if it holds one. */
  synchronized Optional<String> verified(long number) throws LocalStateException {
    refresh();
    return Optional.ofNullable(verified.get(number));
  }

  /**
   * The feed's newest verified page when a log exists: in the log, or in the page files, which only a compaction
   * writes while there is a log (the log says up to which page); empty when there is no log.
   */
  synchronized java.util.OptionalLong newestPage() throws LocalStateException {
    refresh();
    return seen == null ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(Math.max(files, verified.isEmpty() ? 0 : verified.lastKey()));
  }

  /** Whether a log file exists: then it holds this feed's newest verified pages, and every save goes to it. */
  synchronized boolean exists() throws LocalStateException {
    refresh();
    return seen != null;
  }

  /** What is queued: the log's, and the outbox files of an earlier version for pages the log does not hold. */
  synchronized SortedMap<Long, String> queued() throws LocalStateException {
    refresh();
    SortedMap<Long, String> out = legacyMoved ? new TreeMap<>() : legacyNotInLog();
    out.putAll(queued);
    return Collections.unmodifiableSortedMap(out);
  }

  private SortedMap<Long, String> legacyNotInLog() throws LocalStateException {
    SortedMap<Long, String> old = pageFiles.readAll(legacy);
    legacyMoved = old.isEmpty(); // none now: none later (only an earlier version writes them)
    old.keySet().removeIf(n -> queued.containsKey(n) || verified.containsKey(n)); // the log is newer
    return old;
  }

  /** Brings what is held up to the file: nothing read when its stamp is unchanged, else what was appended since. */
  private void refresh() throws LocalStateException {
    long holding = locks.holding();
    if (holding != 0 && holding == lookedIn && writes.get() == writesSeen) {
      return; // this thread has held the lock since it last looked, and this JVM wrote nothing there meanwhile
    }
    if (seen == null && missingIn != 0 && missingIn == locks.generation() && writes.get() == writesSeen) {
      return; // missing, and no log created since: each creator moves the lock's generation first
    }
    long writesBefore = writes.get();
    LOOKS.incrementAndGet();
    Optional<TrustedFiles.Stamp> now = trusted.stampChangedInPlace(file);
    if (now.isEmpty()) {
      forget();
      missingIn = locks.generation();
      looked(holding, writesBefore);
      return;
    }
    if (unchanged(now.get())) {
      seen = now.get();
      looked(holding, writesBefore);
      return;
    }
    if (now.get().size() > MAX_BYTES) {
      throw damaged("it is larger than " + (MAX_BYTES >> 20) + " MiB");
    }
    boolean sameFile = seen != null && now.get().file().equals(seen.file()) && now.get().size() >= end;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = Math.min(channel.size(), MAX_BYTES);
      long gen = OutboxLogFormat.generation(read(channel, 0, (int) Math.min(size, OutboxLogFormat.HEADER)));
      if (!sameFile || gen != generation) { // rewritten since: read it whole
        forget();
        generation = gen;
        end = OutboxLogFormat.HEADER;
      }
      OutboxLogFormat.Scan scan = OutboxLogFormat.scan(read(channel, end, (int) (size - end)));
      for (Entry e : scan.entries()) {
        apply(e);
      }
      end += scan.length();
      seen = new TrustedFiles.Stamp(now.get().file(), size, now.get().modified());
      looked(holding, writesBefore);
    } catch (java.nio.file.NoSuchFileException gone) { // rewritten or moved aside between the stat and the open
      forget();
      refresh();
    } catch (IOException e) {
      forget();
      throw AtomicFiles.failure("read", file, e);
    } catch (OutboxLogFormat.Damaged e) {
      forget();
      throw damaged(e.getMessage());
    } catch (RuntimeException e) {
      forget();
      throw e;
    }
  }

  /**
   * Whether the file is as this object last read or wrote it: the same stamp; or, while it keeps the file open for
   * appends (so its inode is no other file's), the same file and size, as after its own appends (not stamped: a stat
   * a send). A writer of ResChat only appends, cuts a torn tail it did not read or renames a new log in.
   */
  private boolean unchanged(TrustedFiles.Stamp now) {
    return seen != null && end == seen.size()
        && (now.equals(seen) || (appender != null && now.file().equals(appenderFile) && now.size() == end));
  }

  private void apply(Entry e) throws OutboxLogFormat.Damaged {
    switch (e.kind()) {
      case QUEUED -> queued.put(e.page(), e.value());
      case VERIFIED -> verified.put(e.page(), e.value());
      case CONFIRMED -> verified.put(e.page(), takeQueued(e));
      case REMOVED -> takeQueued(e);
      case PAGE_FILES -> files = Math.max(files, e.page());
      default -> throw new IllegalStateException(e.kind().toString());
    }
  }

  private String takeQueued(Entry e) throws OutboxLogFormat.Damaged {
    String value = queued.remove(e.page());
    if (value == null) {
      throw new OutboxLogFormat.Damaged("it says page " + e.page() + " was " + e.kind().toString().toLowerCase()
          + " where none was queued");
    }
    return value;
  }

  private void looked(long holding, long writesBefore) {
    lookedIn = holding;
    writesSeen = writesBefore;
  }

  private void forget() {
    closeAppender();
    lookedIn = 0;
    missingIn = 0;
    seen = null;
    generation = 0;
    end = 0;
    files = 0;
    queued.clear();
    verified.clear();
  }

  private static byte[] read(FileChannel channel, long from, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(Math.max(0, length));
    while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) >= 0) {
      // until full, or the end of the file (shorter than when it was measured)
    }
    return buffer.position() == buffer.capacity() ? buffer.array() : java.util.Arrays.copyOf(buffer.array(), buffer.position());
  }

  // --- writing ----------------------------------------------------------------------------------------------

  /** Queues a version of page {@code number}: durable when this returns (one fsync). */
  void put(long number, String value) throws LocalStateException {
    write(() -> append(Kind.QUEUED, number, value, true));
  }

  /** Drops the queued version of page {@code number} if it is still {@code value}; durable when this returns. */
  void remove(long number, String value) throws LocalStateException {
    write(() -> {
      if (value.equals(queued.get(number))) {
        append(Kind.REMOVED, number, null, true);
      }
    });
  }

  /**
   * The store confirmed the version {@code value} of page {@code number}: the verified copy now, out of the outbox.
   * Not fsynced (see the class comment); not the version queued (written before it was queued, on a store whose
   * writes are local transactions): saved as verified, not fsynced either, and a queued one stays.
   */
  void confirm(long number, String value) throws LocalStateException {
    write(() -> {
      if (value.equals(queued.get(number))) {
        append(Kind.CONFIRMED, number, null, false);
      } else {
        append(Kind.VERIFIED, number, value, false);
      }
    });
  }

  /** Saves a verified page of this feed, durably, when the log exists; false (nothing done) when it does not. */
  boolean saveIfLogged(long number, String value) throws LocalStateException {
    boolean[] logged = {false};
    write(() -> {
      if (seen != null) {
        append(Kind.VERIFIED, number, value, true);
        logged[0] = true;
      }
    });
    return logged[0];
  }

  private interface Step {
    void run() throws LocalStateException;
  }

  private void write(Step step) throws LocalStateException {
    try (LocalState.Lock lock = locks.lock()) {
      synchronized (this) {
        missingIn = 0; // looked for before a write: one moved back by hand is appended to, not renamed over
        refresh();
        lookedIn = 0; // what follows changes the file: looked at again unless it ends by restamping
        cutTornTail();
        moveLegacyIn();
        if (seen != null && end > limit()) {
          compact(); // left over the bound by a process that stopped before compacting
        }
        step.run();
        if (end > limit()) {
          compact();
        }
      }
    } finally {
      APPENDERS.closeExcess(); // holding no log's monitor: closing another log's file waits for its monitor
    }
  }

  private long limit() {
    long live = OutboxLogFormat.HEADER;
    for (Map.Entry<Long, String> e : queued.entrySet()) {
      live += OutboxLogFormat.recordLength(e.getValue());
    }
    return Math.max(compactAt, 2 * live);
  }

  /** What follows the last whole record was cut short by a crash (this writer holds the lock: no one is writing it). */
  private void cutTornTail() throws LocalStateException {
    if (seen == null || seen.size() == end) {
      return;
    }
    try {
      appender().truncate(end); // made durable with the next append's fsync; if lost, the next writer cuts it again
    } catch (IOException e) {
      throw AtomicFiles.failure("repair", file, e);
    }
    restamp();
  }

  /** An earlier version's outbox files for this feed: appended to the log (durably), then deleted. */
  private void moveLegacyIn() throws LocalStateException {
    if (legacyMoved) {
      return; // only an earlier version writes these files: once a process has moved them, there are none
    }
    SortedMap<Long, Path> files = pageFiles.numbers(legacy);
    if (files.isEmpty()) {
      legacyMoved = true;
      return;
    }
    SortedMap<Long, String> old = legacyNotInLog();
    int left = old.size();
    for (Map.Entry<Long, String> e : old.entrySet()) {
      append(Kind.QUEUED, e.getKey(), e.getValue(), --left == 0);
    }
    for (Path p : files.values()) {
      AtomicFiles.delete(p);
    }
    try {
      Files.deleteIfExists(legacy);
    } catch (java.nio.file.DirectoryNotEmptyException keptForSomethingElse) {
      // Only page files are ResChat's there; anything else stays where it is.
    } catch (IOException e) {
      throw AtomicFiles.failure("delete", legacy, e);
    } finally {
      AtomicFiles.changed();
    }
    legacyMoved = true;
  }

  private void append(Kind kind, long number, String value, boolean durable) throws LocalStateException {
    byte[] record = OutboxLogFormat.record(kind, number, value);
    if (seen == null) { // a new file: written whole by rename, and its directory synced, so its name is durable too
      long gen = GENERATIONS.nextLong();
      long newestFile = pageFiles.newest(pages);
      byte[] start = concat(OutboxLogFormat.header(gen), OutboxLogFormat.record(Kind.PAGE_FILES, newestFile, null));
      locks.nextGeneration(); // first: a crash between the two leaves a generation moved for nothing, never a log unseen
      AtomicFiles.write(file, concat(start, record));
      generation = gen;
      files = newestFile;
      end = start.length;
    } else {
      try {
        FileChannel channel = appender();
        ByteBuffer buffer = ByteBuffer.wrap(record);
        while (buffer.hasRemaining()) {
          channel.write(buffer, end + buffer.position());
        }
        if (durable) {
          AtomicFiles.forceData(channel);
        }
      } catch (IOException e) {
        takeBack();
        throw AtomicFiles.failure("write", file, e);
      }
    }
    try {
      apply(new Entry(kind, number, value));
    } catch (OutboxLogFormat.Damaged impossible) {
      throw new IllegalStateException(impossible); // every caller checked what it appends against what is held
    }
    end += record.length;
    restamp();
  }

  /** Writes the verified pages to their files (durably), then the log again with only what is still queued. */
  private void compact() throws LocalStateException {
    Map<String, byte[]> flushed = new TreeMap<>();
    for (Map.Entry<Long, String> e : verified.entrySet()) {
      flushed.put(e.getKey() + ".page", e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    AtomicFiles.writeAll(pages, flushed); // one fsync a page and one for the directory: a page costs a send 1/20 fsync
    long gen = GENERATIONS.nextLong();
    long newestFile = Math.max(files, verified.isEmpty() ? 0 : verified.lastKey());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(OutboxLogFormat.header(gen));
    out.writeBytes(OutboxLogFormat.record(Kind.PAGE_FILES, newestFile, null));
    for (Map.Entry<Long, String> e : queued.entrySet()) {
      out.writeBytes(OutboxLogFormat.record(Kind.QUEUED, e.getKey(), e.getValue()));
    }
    AtomicFiles.write(file, out.toByteArray());
    closeAppender(); // open on the file just replaced
    verified.clear();
    files = newestFile;
    generation = gen;
    end = out.size();
    restamp();
  }

  /** After a failed append: not queued, as the caller is told, so what was written of it goes (or the next writer cuts it). */
  private void takeBack() throws LocalStateException {
    try {
      appender().truncate(end);
    } catch (IOException ignored) {
      // A record cut short stays a torn tail; a whole one not fsynced may stay too, as after a crash.
    } finally {
      closeAppender(); // opened anew for the next append, whatever this one's failure did to it
    }
    restamp();
  }

  /**
   * The log open for appends: the one kept open when it is still the file the log's stamp names (looked at in this
   * holding of the lock, so no other process has replaced it since), else the file opened anew.
   */
  private FileChannel appender() throws IOException {
    if (appender == null || !appenderFile.equals(seen.file())) {
      closeAppender();
      appender = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      appenderFile = seen.file();
      APPENDER_OPENS.incrementAndGet();
    }
    APPENDERS.used(this);
    return appender;
  }

  private void closeAppender() {
    FileChannel open = appender;
    appender = null;
    appenderFile = null;
    if (open != null) {
      APPENDERS.closed(this);
      try {
        open.close();
      } catch (IOException ignored) {
        // appends went through it with their own fsyncs; nothing is left to flush
      }
    }
  }

  /**
   * After this object wrote the file (holding the lock): what it holds is the file's state. Not one of {@link
   * AtomicFiles#changes} (each makes the next look at any file in this holding a stat): an append or a cut changes
   * no directory, and only this class stamps the log, counting the JVM's writes to it itself.
   */
  private void restamp() throws LocalStateException {
    long written = writes.incrementAndGet();
    lookedIn = 0;
    // Kept open, the file is the one appended to and cut here: its size is where its records end (its time is not
    // known, and not needed while it is open: unchanged()). Otherwise a new file: stat'ed.
    seen = appender != null ? new TrustedFiles.Stamp(appenderFile, end, null) : trusted.ownStamp(file).orElse(null);
    if (seen == null) {
      forget();
    } else {
      looked(locks.holding(), written);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private LocalStateException damaged(String problem) {
    return new LocalStateException("The outbox log " + file + " is damaged (" + problem + "). ResChat has not changed"
        + " it. It may hold messages not yet on the ledger: keep a copy, then move it aside to go on without them.");
  }
}
