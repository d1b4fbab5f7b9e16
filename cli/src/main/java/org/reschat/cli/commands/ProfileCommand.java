package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.CommandGroup;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.IdentityCreation;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.core.WrongPassphraseException;
import org.reschat.core.identity.PassphraseSeal;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.spi.DeviceRecords;
import org.reschat.localdb.AtomicFiles;
import org.reschat.localdb.Profile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * A whole profile in one encrypted file, and back: the keys (sealed under the backup passphrase), friends and
 * their nicknames, groups, channels, the profile's store, message requests, and the state that keeps reading
 * where it was (verified pages, delivery marks, the outbox, evidence), and every device record (protocol
 * §15.11). {@code identity export} is the keys alone.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
    description = {"Back up a whole profile to one encrypted file, and restore it.",
        "'identity export' saves the keys alone; this saves friends, groups and channels too."},
    subcommands = {ProfileCommand.Backup.class, ProfileCommand.Restore.class})
public final class ProfileCommand extends CommandGroup {
  static final String FORMAT = "reschat profile backup";
  private static final byte[] AAD = "reschat/v2 profile backup".getBytes(StandardCharsets.UTF_8);
  /**
   * What a backup holds, by path in the profile: everything a profile keeps, but locks, temp files and sockets.
   * The device records are all of them (protocol §15.11): the direct chats' later keys, the self channel's
   * epochs, device 0's device key and the devices' names, the device lists verified and the cuts of revoked
   * devices. Without them a restored device 0 would write its self channel where its devices no longer read,
   * and link with a new device key.
   */
  private static final Pattern KEPT = Pattern.compile(
      "(identity\\.json|friends\\.json|store\\.json|channels\\.json|group-joins\\.json"
          + "|state/requests\\.json|state/group-invitations|state/(pages|outbox|evidence)/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\\.page"
          + "|state/outbox/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.log"
          + "|state/cursors/[A-Za-z0-9_.-]+\\.json|state/groups/[A-Za-z0-9_-]+\\.group"
          + "|state/devices/" + DeviceRecords.NAME.pattern() + "\\.record)");
  /** Bounds a restore against a hostile file: the profile of a very busy year is far below it. */
  private static final long MAX_BYTES = 1L << 30;
  private static final int MAX_FILES = 200_000;

  @Command(name = "backup", mixinStandardHelpOptions = true,
      description = {"Write the whole profile, encrypted, to FILE.",
          "Keys, friends and nicknames, groups, channels, the profile's store and what keeps reading where it "
              + "was, sealed with a backup passphrase (Argon2id, AES-256-GCM) typed twice or read from "
              + "--new-passphrase-file; the file is 0600. The keys in it open with that passphrase. Never "
              + "replaces FILE without --force."})
  static final class Backup extends BaseCommand {
    @Mixin
    BackupTarget target;

    Backup(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      target.checkReplace();
      Profile profile = session.profile();
      String current = profile.readIdentity();
      Identity identity = session.identity();
      char[] backup = target.passphrase(session);
      try {
        // The keys as the backup passphrase opens them, as 'identity export' writes them.
        String keys = IdentityCreation.file(identity, IdentityFile.name(current).orElse(null), backup.clone(),
            target.argon2MemoryKiB);
        List<Path> kept = new ArrayList<>();
        byte[] zip = zip(profile.directory(), keys, kept);
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", 1);
        o.addProperty("fingerprint", identity.card().fingerprintText());
        PassphraseSeal.sealInto(o, backup, target.argon2MemoryKiB, AAD, zip);
        AtomicFiles.write(target.file.toAbsolutePath(), o.toString().getBytes(StandardCharsets.UTF_8)); // 0600, all or nothing
        Output out = session.output();
        if (out.json()) {
          JsonObject done = Json.object("profile_backup");
          done.addProperty("file", target.file.toAbsolutePath().toString());
          done.addProperty("fingerprint", identity.card().fingerprintText());
          done.addProperty("files", kept.size());
          out.json(done);
        } else {
          out.note("Wrote the encrypted backup of this profile (" + profile.friends().list().size() + " friend(s), "
              + profile.state().groupIds().size() + " group(s), " + kept.size() + " file(s)) to " + target.file
              + ". Restore it into an empty profile with 'reschat --home DIR profile restore " + target.file + "'; it opens"
              + " with the backup passphrase.");
        }
        return ExitCodes.OK;
      } finally {
        Arrays.fill(backup, '\0');
      }
    }
  }

  /** The profile's files that a backup keeps, zipped, with {@code keys} as its identity file. */
  static byte[] zip(Path profile, String keys, List<Path> kept) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> all = Files.walk(profile)) {
      for (Path p : (Iterable<Path>) all.sorted()::iterator) {
        String name = profile.relativize(p).toString().replace('\\', '/');
        if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !KEPT.matcher(name).matches()) {
          continue;
        }
        byte[] content = name.equals("identity.json") ? keys.getBytes(StandardCharsets.UTF_8) : Files.readAllBytes(p);
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
        kept.add(p);
      }
    }
    return bytes.toByteArray();
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = {"Restore a backup made by 'profile backup' into an empty profile.",
          "The backup passphrase (prompt, RESCHAT_PASSPHRASE or --passphrase-file) is checked before anything is "
              + "written, then protects the keys. The profile appears whole or not at all; one that holds an "
              + "identity, friends or conversations is never replaced."})
  static final class Restore extends BaseCommand {
    @Parameters(paramLabel = "FILE", description = "The backup 'profile backup' wrote.")
    Path file;

    Restore(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Path home = session.settings().home().toAbsolutePath().normalize();
      refuseToReplace(home);
      JsonObject o = readBackup(file);
      char[] passphrase = session.passphrase("Backup passphrase: ", false);
      byte[] zip;
      try {
        zip = open(o, passphrase);
        // Everything is checked, the keys opened with this passphrase, before the profile is written.
        Path staging = stage(home, zip, passphrase);
        try {
          refuseToReplace(home);
          place(staging, home);
        } finally {
          deleteTree(staging);
        }
      } finally {
        Arrays.fill(passphrase, '\0');
      }
      String identity = Files.readString(home.resolve("identity.json"), StandardCharsets.UTF_8);
      Output out = session.output();
      long friends = Files.exists(home.resolve("friends.json"))
          ? Profile.openReadOnly(home, "a restore only looks").friends().list().size() : 0;
      if (out.json()) {
        JsonObject done = Json.object("profile_restored");
        done.addProperty("profile", home.toString());
        done.addProperty("fingerprint", IdentityFile.card(identity).fingerprintText());
        done.addProperty("friends", friends);
        out.json(done);
      } else {
        out.note("Restored the profile of " + IdentityFile.card(identity).fingerprintText() + " (" + friends
            + " friend(s), with its groups, channels and conversations) into " + home + ". Its keys open with the"
            + " backup passphrase; 'reschat receive' carries on where it was.");
      }
      return ExitCodes.OK;
    }
  }

  /** Anything of a profile already there (other than empty directories and lock files) stops a restore. */
  static void refuseToReplace(Path home) throws CliException, IOException {
    if (!Files.exists(home)) {
      return;
    }
    if (!Files.isDirectory(home)) {
      throw new CliException(ExitCodes.USAGE, home + " is a file, not a profile directory; choose another --home.");
    }
    try (Stream<Path> all = Files.walk(home)) {
      Optional<Path> something = all.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          && !p.getFileName().toString().endsWith(".lock")).findFirst();
      if (something.isPresent()) {
        throw new CliException(ExitCodes.USAGE, home + " already holds a profile (" + home.relativize(something.get())
            + "); a restore never replaces one. Restore into a new directory with --home (or RESCHAT_HOME).");
      }
    }
  }

  private static JsonObject readBackup(Path file) throws CliException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "The backup " + file + " cannot be read ("
          + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()) + ").");
    }
    Optional<JsonObject> o = StrictJson.parseObject(text);
    if (o.isEmpty() || !FORMAT.equals(StrictJson.string(o.get(), "format").orElse(null))) {
      throw new CliException(ExitCodes.USAGE, file + " is not a profile backup; 'reschat profile backup' makes one"
          + " ('reschat identity import' takes the keys 'identity export' wrote).");
    }
    return o.get();
  }

  /** The backup's zip, or a wrong-passphrase error (exit 4) when it does not open. */
  private static byte[] open(JsonObject o, char[] passphrase) throws Exception {
    try {
      return PassphraseSeal.openFrom(o, passphrase, AAD);
    } catch (org.reschat.core.WrongPassphraseException e) {
      throw new WrongPassphraseException("That is not the backup's passphrase (or the backup was altered); nothing was"
          + " restored.");
    } catch (org.reschat.core.IdentityFileException e) {
      throw new CliException(ExitCodes.LOCAL, "The backup is damaged or was not written by ResChat: " + e.getMessage()
          + "; nothing was restored.");
    }
  }

  /**
   * Unpacks {@code zip} into a new directory beside {@code home} (same file system, so it can be renamed
   * into place), checking every name, the sizes, and that the keys open with {@code passphrase}.
   */
  private static Path stage(Path home, byte[] zip, char[] passphrase) throws Exception {
    Path parent = home.getParent();
    AtomicFiles.createPrivateDirectories(parent);
    Path staging = Files.createTempDirectory(parent, ".reschat-restore-");
    try {
      long total = 0;
      int count = 0;
      try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
        for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
          if (e.isDirectory() || !KEPT.matcher(e.getName()).matches() || e.getName().contains("..")) {
            throw new CliException(ExitCodes.LOCAL, "The backup holds " + org.reschat.cli.text.SafeText.line(e.getName())
                + ", which no profile has; nothing was restored.");
          }
          byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES - total + 1));
          total += content.length;
          if (total > MAX_BYTES || ++count > MAX_FILES) {
            throw new CliException(ExitCodes.LOCAL, "The backup unpacks to more than a profile holds; nothing was restored.");
          }
          AtomicFiles.write(staging.resolve(e.getName()), content);
        }
      }
      Path identity = staging.resolve("identity.json");
      if (!Files.exists(identity)) {
        throw new CliException(ExitCodes.LOCAL, "The backup holds no keys; nothing was restored.");
      }
      IdentityFile.open(Files.readString(identity, StandardCharsets.UTF_8), passphrase); // as 'whoami' will
      return staging;
    } catch (Exception e) {
      deleteTree(staging);
      throw e;
    }
  }

  /** Renames the staged profile into place: it appears whole, or not at all. */
  private static void place(Path staging, Path home) throws IOException, CliException {
    if (Files.exists(home)) {
      deleteTree(home); // empty directories and lock files only (checked just before)
    }
    try {
      Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new CliException(ExitCodes.USAGE, home + " was created meanwhile; nothing was restored.");
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: a leftover staging directory is ignored by everything
        }
      });
    } catch (IOException ignored) {
      // as above
    }
  }
}
