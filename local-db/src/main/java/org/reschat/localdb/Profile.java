package org.reschat.localdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.Set;
import org.reschat.core.LocalStateException;
import org.reschat.core.state.LocalState;
import org.reschat.kv.EndpointHealthMemory;

/**
 * Everything one person has, in one directory (mode 0700): {@code identity.json} (keys, 0600),
 * {@code friends.json} (the friend list) and {@code state/} (pages, outbox, cursors, locks, and
 * {@code endpoint-health}, the store endpoints that failed recently).
 */
public final class Profile {
  static final String IDENTITY = "identity.json";
  static final String FRIENDS = "friends.json";

  private final Path directory;
  private final Access access;
  private final FriendList friends;
  private final LocalState state;
  private final Clock clock;

  private Profile(Path directory, Access access, Clock clock) {
    this.directory = directory;
    this.access = access;
    this.clock = clock;
    this.friends = new FriendList(directory.resolve(FRIENDS), clock, access);
    FileLocalState files = new FileLocalState(directory.resolve("state"));
    this.state = access.readOnly() ? new ReadOnlyLocalState(files, directory, access) : files;
  }

  /**
   * Opens the profile at {@code directory}, creating it (0700) if it does not exist. One this user may not
   * write (read-only media, another user's directory) is opened read-only: see {@link #openReadOnly}.
   */
  public static Profile open(Path directory) throws LocalStateException {
    return open(directory, Clock.systemUTC());
  }

  public static Profile open(Path directory, Clock clock) throws LocalStateException {
    Path dir = checkedPath(directory);
    Access access = Access.of(dir);
    if (!access.readOnly()) {
      try {
        AtomicFiles.createPrivateDirectories(dir);
      } catch (IOException e) {
        throw AtomicFiles.failure("create", dir, e);
      }
    }
    return new Profile(dir, access, clock);
  }

  /**
   * Opens the profile at {@code directory} without changing anything: no directory or lock file is
   * created, what a run learns is kept in memory, and every change (a friend, a message to send, the
   * identity) is refused with a {@link ReadOnlyProfileException} before anything is written.
   *
   * @param reason why, in a few words, for the refusal's sentence (e.g. "--read-only was given")
   */
  public static Profile openReadOnly(Path directory, String reason) throws LocalStateException {
    return new Profile(checkedPath(directory), Access.readOnly(reason), Clock.systemUTC());
  }

  private static Path checkedPath(Path directory) throws LocalStateException {
    Path dir = directory.toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new LocalStateException("The profile path " + dir + " is a file, not a directory; choose another --home.");
    }
    return dir;
  }

  public Path directory() {
    return directory;
  }

  /** Whether this profile may be changed, and if not why. */
  public Access access() {
    return access;
  }

  public Path identityFile() {
    return directory.resolve(IDENTITY);
  }

  public boolean hasIdentity() {
    return Files.exists(identityFile());
  }

  /** The identity file's text. */
  public String readIdentity() throws LocalStateException, ProfileException {
    try {
      return Files.readString(identityFile(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ProfileException(ProfileException.Kind.NO_IDENTITY,
          "There is no identity in " + directory + " yet; create one with 'reschat init'.");
    } catch (IOException e) {
      throw AtomicFiles.failure("read", identityFile(), e);
    }
  }

  /** Throws the typed "identity exists" error when there is one: ResChat never replaces an identity. */
  public void checkNoIdentity() throws ProfileException {
    if (hasIdentity()) {
      throw new ProfileException(ProfileException.Kind.IDENTITY_EXISTS,
          "An identity already exists in " + directory + "; ResChat never replaces one. Use another --home for a second identity.");
    }
  }

  /** Writes a new identity file (0600); refuses to replace an existing one. */
  public void createIdentity(String json) throws LocalStateException, ProfileException {
    access.check(directory, "create an identity");
    try (LocalState.Lock lock = FileLocks.acquire(directory.resolve(".identity.lock"), "the identity file")) {
      checkNoIdentity();
      AtomicFiles.write(identityFile(), json.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Replaces the identity file with {@code json} (the same keys under another passphrase), atomically, and
   * only if it still reads {@code expected}: a change made meanwhile by another process is not overwritten.
   */
  public void replaceIdentity(String expected, String json) throws LocalStateException, ProfileException {
    access.check(directory, "change the identity file");
    try (LocalState.Lock lock = FileLocks.acquire(directory.resolve(".identity.lock"), "the identity file")) {
      if (!readIdentity().equals(expected)) {
        throw new ProfileException(ProfileException.Kind.IDENTITY_EXISTS,
            "The identity file " + identityFile() + " was changed by another process meanwhile; nothing was replaced.");
      }
      AtomicFiles.write(identityFile(), json.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The path of {@code name} in the profile (e.g. {@code uploads}, {@code channels.json}) for the change
   * {@code what} (e.g. "send a file"): refused when the profile is read-only, before anything is written.
   */
  public Path forChange(String name, String what) throws ReadOnlyProfileException {
    checkWritable(what);
    return directory.resolve(name);
  }

  /** Refuses {@code what} when the profile is read-only: for a change whose first write is elsewhere. */
  public void checkWritable(String what) throws ReadOnlyProfileException {
    access.check(directory, what);
  }

  public FriendList friends() {
    return friends;
  }

  public LocalState state() {
    return state;
  }

  /**
   * Where this profile's commands remember store endpoints that failed, for the next command; nowhere when
   * the profile is read-only (it changes no file).
   */
  public EndpointHealthMemory endpointHealth() {
    return access.readOnly() ? EndpointHealthMemory.NONE
        : new EndpointHealthFile(directory.resolve("state").resolve("endpoint-health"), clock);
  }

  /** Whether a file or directory is open to other users (group or others have any permission). */
  public static boolean isOpenToOthers(Path p) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
    return perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"));
  }
}
