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
import org.reschat.core.spi.LocalState;
import org.reschat.kv.EndpointHealthMemory;

/**
 * Everything one person has, in one directory (mode 0700): {@code identity.json} (keys, 0600),
 * {@code friends.json} (the friend list) and {@code state/} (pages, outbox, cursors, locks, and
 * {@code endpoint-health}, the store endpoints that failed recently).
 *
 * <p>Nothing another local user could have written is trusted ({@link TrustedFiles}): a profile directory,
 * or a directory or file ResChat reads in it, that belongs to another user or that others may write is
 * refused in one sentence, and no file is read through a link. A profile directory open only for reading
 * by others is made 0700.
 */
public final class Profile {
  static final String IDENTITY = "identity.json";
  static final String FRIENDS = "friends.json";
  /** What ResChat reads directly in the profile directory and in {@code state/}: checked when the profile opens. */
  private static final String[] KNOWN = {IDENTITY, FRIENDS, FRIENDS + ".lock", ".identity.lock", "state", "uploads",
      "channels.json"};
  private static final String[] KNOWN_IN_STATE = {"pages", "outbox", "evidence", "cursors", "groups", "locks",
      "requests.json", "group-invitations", "endpoint-health"};

  private final Path directory;
  private final Access access;
  private final FriendList friends;
  private final LocalState state;
  private final Clock clock;
  private final TrustedFiles trusted;

  private Profile(Path directory, Access access, Clock clock, TrustedFiles trusted) {
    this.directory = directory;
    this.access = access;
    this.clock = clock;
    this.trusted = trusted;
    this.friends = new FriendList(directory.resolve(FRIENDS), clock, access, trusted);
    FileLocalState files = new FileLocalState(directory.resolve("state"), trusted);
    this.state = access.readOnly() ? new ReadOnlyLocalState(files, directory, access) : files;
  }

  /**
   * Opens the profile at {@code directory}, creating it (0700) if it does not exist. One this user may not
   * write (read-only media) is opened read-only: see {@link #openReadOnly}. One that belongs to another
   * user, or that others may write, is refused (see {@link TrustedFiles}).
   */
  public static Profile open(Path directory) throws LocalStateException {
    return open(directory, Clock.systemUTC());
  }

  public static Profile open(Path directory, Clock clock) throws LocalStateException {
    Path dir = checkedPath(directory);
    TrustedFiles trusted = new TrustedFiles(dir, false);
    boolean existed = Files.exists(dir);
    if (existed) {
      trusted.checkRoot(false); // refused before anything is created in it or its mode is changed
    }
    Access access = Access.of(dir);
    if (!access.readOnly()) {
      try {
        AtomicFiles.createPrivateDirectories(dir);
      } catch (IOException e) {
        throw AtomicFiles.failure("create", dir, e);
      }
      trusted.checkRoot(true);
    }
    checkKnownEntries(dir, trusted);
    return new Profile(dir, access, clock, trusted);
  }

  /**
   * Opens the profile at {@code directory} without changing anything: no directory or lock file is
   * created, what a run learns is kept in memory, and every change (a friend, a message to send, the
   * identity) is refused with a {@link ReadOnlyProfileException} before anything is written. The person
   * asked for this profile by name to look at it, so it may be another user's (a backup restored under
   * another uid); links and files others may write are still refused.
   *
   * @param reason why, in a few words, for the refusal's sentence (e.g. "--read-only was given")
   */
  public static Profile openReadOnly(Path directory, String reason) throws LocalStateException {
    Path dir = checkedPath(directory);
    TrustedFiles trusted = new TrustedFiles(dir, true);
    trusted.checkRoot(false);
    checkKnownEntries(dir, trusted);
    return new Profile(dir, Access.readOnly(reason), Clock.systemUTC(), trusted);
  }

  /** Checks what ResChat reads in the profile directory and in {@code state/}; deeper files are checked when read. */
  private static void checkKnownEntries(Path dir, TrustedFiles trusted) throws LocalStateException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    for (String name : KNOWN) {
      trusted.checkIfPresent(dir.resolve(name));
    }
    if (Files.isDirectory(dir.resolve("state"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      for (String name : KNOWN_IN_STATE) {
        trusted.checkIfPresent(dir.resolve("state").resolve(name));
      }
    }
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

  /** The error saying this profile has no identity yet, and how to make one. */
  public ProfileException noIdentity() {
    return new ProfileException(ProfileException.Kind.NO_IDENTITY,
        "There is no identity in " + directory + " yet; create one with 'reschat init'.");
  }

  /** The identity file's text. */
  public String readIdentity() throws LocalStateException, ProfileException {
    try {
      return trusted.readText(identityFile()).orElseThrow(this::noIdentity);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new LocalStateException("The identity file " + identityFile() + " is damaged: it is not UTF-8 text.", e);
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

  /** What checks this profile's files (tests count its stats). */
  TrustedFiles trusted() {
    return trusted;
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
