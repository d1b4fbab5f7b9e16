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
 * the log as the feed's verified copy until the log is compacted: then the verified pages still needed (not
 * {@link #forgetBelow forgotten}) are written to {@code state/pages/}, durably, and the log is rewritten,
 * atomically, with only what is still queued. That
 * happens when the log grows past a bound (twice what is queued, at least {@link #COMPACT_AT}), also when a
 * process first writes a log another left over it. Every new or rewritten log starts by saying up to which page the
 * feed's page files go, so the feed's newest page is known without listing them.
 *
 * <p>Writers hold the conversation's lock (taken here too, which costs nothing when the caller holds it already):
 * one writer at a time across threads and processes, and each first cuts off a torn tail (a record a crash cut
 * short) before it appends. Readers take no lock: each call looks at the file's {@link TrustedFiles.Stamp} and reads
 * only what was appended since; a thread that holds the lock looks once in that holding (no one else writes then). A profile of an earlier version has its outbox as files ({@code CONV.TAG/N.page});
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
  }

  /** Looks (stats) at logs this process made to learn whether another wrote them: a count for tests. */
  private static final java.util.concurrent.atomic.AtomicLong LOOKS = new java.util.concurrent.atomic.AtomicLong();

  static long looks() {
    return LOOKS.get();
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
  private final TreeMap<Long, String> queued = new TreeMap<>();
  private final TreeMap<Long, String> verified = new TreeMap<>();
  private long forgetBelow; // verified pages below this are dropped by a compaction, not written to files

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
    long writesBefore = writes.get();
    LOOKS.incrementAndGet();
    Optional<TrustedFiles.Stamp> now = trusted.stamp(file);
    if (now.isEmpty()) {
      forget();
      looked(holding, writesBefore);
      return;
    }
    if (now.get().equals(seen) && end == seen.size()) {
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
    lookedIn = 0;
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

  /**
   * Verified pages numbered below {@code number} are no longer needed ({@link LocalState#forgetPagesBelow}): the
   * next compaction drops them instead of writing each to a file of its own, durably. Held in memory only.
   */
  synchronized void forgetBelow(long number) {
    forgetBelow = Math.max(forgetBelow, number);
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
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      channel.truncate(end); // made durable with the next append's fsync; if lost, the next writer cuts it again
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
      AtomicFiles.write(file, concat(start, record));
      generation = gen;
      files = newestFile;
      end = start.length;
    } else {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
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

  /**
   * Writes the verified pages still needed to their files (durably), then the log again with only what is still
   * queued.
   */
  private void compact() throws LocalStateException {
    Map<String, byte[]> flushed = new TreeMap<>();
    SortedMap<Long, String> needed = verified.tailMap(forgetBelow);
    for (Map.Entry<Long, String> e : needed.entrySet()) {
      flushed.put(e.getKey() + ".page", e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    AtomicFiles.writeAll(pages, flushed); // one fsync a page and one for the directory: a page costs a send 1/20 fsync
    long gen = GENERATIONS.nextLong();
    long newestFile = Math.max(files, needed.isEmpty() ? 0 : needed.lastKey());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(OutboxLogFormat.header(gen));
    out.writeBytes(OutboxLogFormat.record(Kind.PAGE_FILES, newestFile, null));
    for (Map.Entry<Long, String> e : queued.entrySet()) {
      out.writeBytes(OutboxLogFormat.record(Kind.QUEUED, e.getKey(), e.getValue()));
    }
    AtomicFiles.write(file, out.toByteArray());
    verified.clear();
    files = newestFile;
    generation = gen;
    end = out.size();
    restamp();
  }

  /** After a failed append: not queued, as the caller is told, so what was written of it goes (or the next writer cuts it). */
  private void takeBack() throws LocalStateException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      channel.truncate(end);
    } catch (IOException ignored) {
      // A record cut short stays a torn tail; a whole one not fsynced may stay too, as after a crash.
    }
    restamp();
  }

  /** After this object wrote the file (holding the lock): what it holds is the file's state. */
  private void restamp() throws LocalStateException {
    AtomicFiles.changed();
    long written = writes.incrementAndGet();
    lookedIn = 0;
    seen = trusted.ownStamp(file).orElse(null);
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
