package org.reschat.localdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.reschat.core.LocalStateException;

/**
 * What a profile takes from its own disk, checked the way ssh's StrictModes checks {@code authorized_keys}:
 * the profile directory and every directory and file read below it must belong to this user (or root) and
 * must not be writable by group or others, and nothing below the profile directory is read through a
 * symbolic link. Another local user who could put a file there (a friend list naming their card "bob",
 * marked verified) could otherwise decide whom this person trusts. Checks happen before a file is opened;
 * a file that fails is reported in one sentence and left as it is.
 *
 * <p>Directories already checked are remembered for the life of the profile object: only this user and
 * root can change a directory that passed. Where the file system has no POSIX attributes nothing is
 * checked, as elsewhere in local-db.
 */
final class TrustedFiles {
  /** This process's uid, or -1 where the platform does not say (no ownership check then). */
  static final int UID = currentUid();
  private static final int OTHERS_WRITE = 0020 | 0002;
  private static final int OTHERS_ANY = 0077;

  private final Path root;
  private final boolean anyOwner;
  private final Set<Path> checked = ConcurrentHashMap.newKeySet();
  private final SeenFiles seen = new SeenFiles();
  /** Stats of paths that were missing (each costs the JDK two exceptions): a count for tests. */
  private final java.util.concurrent.atomic.AtomicLong misses = new java.util.concurrent.atomic.AtomicLong();

  /**
   * @param root the profile directory; files are checked up to it, and it is checked itself by {@link #checkRoot}
   * @param anyOwner whether files of another user are accepted (a profile the person chose to open read-only)
   */
  TrustedFiles(Path root, boolean anyOwner) {
    this.root = root.toAbsolutePath().normalize();
    this.anyOwner = anyOwner;
  }

  private static int currentUid() {
    try {
      return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    } catch (LinkageError | RuntimeException notUnix) {
      return -1;
    }
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("unix");
  }

  /**
   * Checks the profile directory itself (through a link if it is one: people link their profile elsewhere)
   * and makes it private when only its read bits are open: a directory made by {@code mkdir} under the
   * usual umask before {@code reschat init}.
   *
   * @param tighten whether the profile may be changed (otherwise a mode is reported, never changed)
   */
  void checkRoot(boolean tighten) throws LocalStateException {
    if (!posix(root) || !Files.isDirectory(root)) {
      return;
    }
    int mode = check(root, "The profile directory " + root, true, false);
    if (tighten && (mode & OTHERS_ANY) != 0 && isMine(root)) {
      try {
        Files.setPosixFilePermissions(root, AtomicFiles.PRIVATE_DIR);
      } catch (IOException e) {
        throw AtomicFiles.failure("make private", root, e);
      }
    }
    checked.add(root);
  }

  /** Checks {@code path} (a file or directory ResChat reads, below the profile) if it exists, and its directories. */
  void checkIfPresent(Path path) throws LocalStateException {
    if (posix(root)) {
      checkedAttributes(path);
    }
  }

  /**
   * What tells one version of a file from another without reading it: which file (device and inode), its size
   * and when it was last changed. A rewrite by rename is another file; an append changes the size and time.
   */
  record Stamp(Object file, long size, java.nio.file.attribute.FileTime modified) {}

  /**
   * Checks {@code file} as {@link #checkIfPresent} does and returns its {@link Stamp}, in the same one stat; a file
   * that was missing is not asked for again while its directory is unchanged ({@link SeenFiles}).
   */
  Optional<Stamp> stamp(Path file) throws LocalStateException {
    return stamp(file, false);
  }

  /**
   * {@link #stamp} of a file only ever replaced by rename, never changed in place (what {@link AtomicFiles} writes):
   * not asked for again while its directory is unchanged, missing or not ({@link SeenFiles}).
   */
  Optional<Stamp> stampReplacedByRename(Path file) throws LocalStateException {
    return stamp(file, true);
  }

  private Optional<Stamp> stamp(Path file, boolean replacedByRename) throws LocalStateException {
    return seen.stamp(file, inHolding, replacedByRename);
  }

  /**
   * {@link #stamp} of a file this JVM changes in place (an outbox log's appends), stat'ed each time: a stat taken
   * earlier in the holding stands only while this JVM has renamed, created or deleted nothing ({@link
   * AtomicFiles#changes}), which says nothing of appends. The log keeps its own count of them ({@link OutboxLog}).
   */
  Optional<Stamp> stampChangedInPlace(Path file) throws LocalStateException {
    return seen.stamp(file, this::stampNow, false);
  }

  /** Stats as {@link #stampInHolding} takes them: no earlier than the thread's holding began. */
  private final SeenFiles.Stamper inHolding = new SeenFiles.Stamper() {
    @Override
    public Optional<Stamp> stamp(Path path) throws LocalStateException {
      return stampInHolding(path);
    }

    @Override
    public long takenSince() {
      return FileLocks.threadHoldingSince();
    }
  };

  /** A stat of {@code path}, or the one taken earlier in this thread's holding of a lock ({@link Looked}). */
  private Optional<Stamp> stampInHolding(Path path) throws LocalStateException {
    long holding = FileLocks.threadHolding();
    if (holding == 0) {
      return stampNow(path);
    }
    long changes = AtomicFiles.changes(); // before the look: a change of this JVM after it makes the look stale
    Looked before = looked.get(path);
    if (before != null && before.holding() == holding && before.changes() == changes) {
      return before.stamp();
    }
    Optional<Stamp> now = stampNow(path);
    if (looked.size() >= 256) {
      looked.clear();
    }
    looked.put(path, new Looked(holding, changes, now));
    return now;
  }

  /**
   * A stamp taken in a thread's {@link FileLocks#threadHolding holding} while this JVM had made {@code changes}: it
   * stands for the rest of the holding while this JVM changes nothing. An operation (a send) reads some files
   * twice (the device records); another process's change between the two is one made just after the operation,
   * and the next holding looks again.
   */
  private record Looked(long holding, long changes, Optional<Stamp> stamp) {}

  private final Map<Path, Looked> looked = new ConcurrentHashMap<>();

  /**
   * The files and directories that passed the checks, by the path they were stamped by, with the file (device and
   * inode) that passed. Only root can give a file another owner, and only this user or root can put another file in
   * a directory that passed; while the path names the same file, not a link, and others may still not write it,
   * its stamp comes from one stat's POSIX attributes, the owner not asked for (the checks read the {@code unix:}
   * attributes, a map built each time: a fifth of a send's CPU once). A path not seen before is made absolute and
   * normalised, then checked with its directories.
   */
  private final Map<Path, Object> passed = new ConcurrentHashMap<>();

  private Optional<Stamp> stampNow(Path file) throws LocalStateException {
    if (!posix(root)) {
      return basicStamp(file);
    }
    Object known = passed.get(file);
    if (known != null) {
      Optional<java.nio.file.attribute.PosixFileAttributes> a = posixAttributes(file);
      if (a.isEmpty()) {
        return Optional.empty();
      }
      if (known.equals(a.get().fileKey()) && !a.get().isSymbolicLink() && !writableByOthers(a.get().permissions())) {
        return Optional.of(stampOf(a.get()));
      }
    }
    Optional<Map<String, Object>> a = checkedAttributes(file);
    if (a.isEmpty()) {
      return Optional.empty();
    }
    if (passed.size() >= 4096) {
      passed.clear(); // a long history read once: checked again when read again
    }
    Stamp stamp = new Stamp(a.get().get("fileKey"), (Long) a.get().get("size"),
        (java.nio.file.attribute.FileTime) a.get().get("lastModifiedTime"));
    passed.put(file, stamp.file());
    return Optional.of(stamp);
  }

  private static Stamp stampOf(java.nio.file.attribute.BasicFileAttributes a) {
    return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime());
  }

  private static boolean writableByOthers(Set<java.nio.file.attribute.PosixFilePermission> permissions) {
    return permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
        || permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
  }

  private static Optional<Stamp> basicStamp(Path file) throws LocalStateException {
    try {
      return Optional.of(stampOf(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS)));
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    } catch (IOException e) {
      throw AtomicFiles.failure("check", file, e);
    }
  }

  /** One stat of {@code file}, not through a link, counted in {@link #looks} (and {@link #misses}: empty when missing). */
  private Optional<java.nio.file.attribute.PosixFileAttributes> posixAttributes(Path file) throws LocalStateException {
    looks.incrementAndGet();
    try {
      return Optional.of(Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException absent) {
      misses.incrementAndGet();
      return Optional.empty();
    } catch (IOException e) {
      throw AtomicFiles.failure("check", file, e);
    }
  }

  /**
   * The {@link Stamp} of a file this process has just written itself (not through a link): checked before, so
   * only the stat, and equal to what {@link #stamp} returns for it.
   */
  Optional<Stamp> ownStamp(Path file) throws LocalStateException {
    return basicStamp(file);
  }

  /** How many times this object has stat'ed a path (or one of its directories) to check or stamp it and found it missing. */
  long misses() {
    return misses.get();
  }

  /** How many times this object has stat'ed a path to check or stamp it: a count for tests. */
  long looks() {
    return looks.get();
  }

  private final java.util.concurrent.atomic.AtomicLong looks = new java.util.concurrent.atomic.AtomicLong();

  /** How many of {@link #looks} read the {@code unix:} attributes to check a path in full: a count for tests. */
  long fullChecks() {
    return fullChecks.get();
  }

  private final java.util.concurrent.atomic.AtomicLong fullChecks = new java.util.concurrent.atomic.AtomicLong();

  private Optional<Map<String, Object>> checkedAttributes(Path path) throws LocalStateException {
    Path p = path.toAbsolutePath().normalize();
    looks.incrementAndGet();
    fullChecks.incrementAndGet();
    // One stat for all that is checked (it was seven per file read): a consistent view, and fewer system calls.
    Map<String, Object> a;
    try {
      a = Files.readAttributes(p, "unix:mode,uid,isDirectory,isSymbolicLink,isRegularFile,fileKey,size,lastModifiedTime",
          LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException absent) {
      misses.incrementAndGet();
      return Optional.empty(); // nothing to trust, so no directory to check: a missing one cost an exception more
    } catch (IOException e) {
      throw AtomicFiles.failure("check", p, e);
    }
    checkDirectories(p.getParent()); // before anything stat'ed here is trusted
    boolean dir = (Boolean) a.get("isDirectory");
    if (dir && checked.contains(p)) {
      return Optional.of(a);
    }
    boolean link = (Boolean) a.get("isSymbolicLink");
    check(p, () -> (dir ? "The directory " : "The file ") + p, (Integer) a.get("mode"), (Integer) a.get("uid"), link, dir,
        !dir && !link, (Boolean) a.get("isRegularFile"));
    if (dir) {
      checked.add(p);
    }
    return Optional.of(a);
  }

  /** Checks {@code dir} and every directory between it and the profile directory. */
  void checkDirectories(Path dir) throws LocalStateException {
    if (!posix(root) || dir == null) {
      return;
    }
    Path d = dir.toAbsolutePath().normalize();
    if (checked.contains(d) || !d.startsWith(root) || d.equals(root)) {
      return;
    }
    checkDirectories(d.getParent());
    if (Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
      check(d, "The directory " + d, false, false);
      checked.add(d);
    } else {
      misses.incrementAndGet();
    }
  }

  /** The text of {@code file}, strict UTF-8, read without following a link; empty when there is no file. */
  Optional<String> readText(Path file) throws LocalStateException, CharacterCodingException {
    Optional<byte[]> bytes = readBytes(file);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.get())).toString());
  }

  /** The bytes of {@code file}, read without following a link; empty when there is no file. */
  Optional<byte[]> readBytes(Path file) throws LocalStateException {
    checkIfPresent(file);
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(in.readAllBytes());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw AtomicFiles.failure("read", file, e);
    }
  }

  private boolean isMine(Path p) throws LocalStateException {
    return UID < 0 || uid(p) == UID;
  }

  /**
   * Refuses {@code p} (named {@code what} in the sentence) when it is a link (unless {@code followLink}),
   * not a regular file where one is expected, another user's, or writable by others; returns its mode.
   */
  private int check(Path p, String what, boolean followLink, boolean regularFile) throws LocalStateException {
    LinkOption[] how = followLink ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    int mode;
    int uid;
    try {
      mode = (Integer) Files.getAttribute(p, "unix:mode", how);
      uid = (Integer) Files.getAttribute(p, "unix:uid", how);
    } catch (NoSuchFileException gone) {
      return 0;
    } catch (IOException e) {
      throw AtomicFiles.failure("check", p, e);
    }
    return check(p, () -> what, mode, uid, !followLink && Files.isSymbolicLink(p), Files.isDirectory(p, how), regularFile,
        !regularFile || Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
  }

  /**
   * The checks of {@link #check(Path, String, boolean, boolean)} on attributes already read; the sentence naming
   * {@code p} is made only when it is refused (this runs on every read).
   */
  private int check(Path p, java.util.function.Supplier<String> named, int mode, int uid, boolean link, boolean directory,
      boolean regularFile, boolean isRegularFile) throws LocalStateException {
    if (link) {
      throw new LocalStateException(named.get() + " is a symbolic link; ResChat does not follow links inside a profile."
          + " Put the real file there (or move the link aside).");
    }
    if (regularFile && !isRegularFile) {
      throw new LocalStateException(named.get() + " is not a regular file; move it aside.");
    }
    if (!anyOwner && UID >= 0 && uid != UID && uid != 0) {
      throw new LocalStateException(named.get() + " belongs to another user (uid " + uid + "), so anyone could have written "
          + (directory ? "what it holds" : "it") + "; ResChat trusts only " + (directory ? "directories" : "files")
          + " you own. Check it, then give it to yourself with 'chown' (or move it aside).");
    }
    if ((mode & OTHERS_WRITE) != 0) {
      String octal = String.format("%04o", mode & 07777);
      throw new LocalStateException(named.get() + " may be written by other users (mode " + octal + "), so anyone could have"
          + " changed " + (directory ? "what it holds; ResChat does not use it. Check its files, then run"
          + " 'chmod 700 " + p + "'." : "it; ResChat does not use it. Check it, then run 'chmod 600 " + p + "'."));
    }
    return mode;
  }

  /** Makes {@code file} 0600 without following a link (a lock file an older ResChat left open). */
  static void makePrivate(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view != null && !view.readAttributes().permissions().equals(AtomicFiles.PRIVATE_FILE)) {
      view.setPermissions(AtomicFiles.PRIVATE_FILE);
    }
  }

  private static int uid(Path p) throws LocalStateException {
    try {
      return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw AtomicFiles.failure("check", p, e);
    }
  }
}
