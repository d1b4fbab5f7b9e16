package org.reschat.localdb;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.reschat.core.InvalidCardException;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.spi.LocalState;

/**
 * The friend list, a JSON file as ResChat keeps it, made safe: every change is read-modify-write under
 * a file lock (so two processes adding friends at once both succeed), written atomically (temp file,
 * fsync, rename), mode 0600. A damaged file is reported with its path and left exactly as it is.
 *
 * <pre>
 * {"schema": 1, "friends": [{"nickname": "bob", "card": "rc1:…", "fingerprint": "…", "verified": false,
 *                            "added": "2026-11-22T10:00:00Z"}]}
 * </pre>
 */
public final class FriendList {
  static final int SCHEMA = 1;

  private final Path file;
  private final Path lockFile;
  private final Clock clock;
  private final Access access;
  private final TrustedFiles trusted;

  FriendList(Path file, Clock clock, Access access) {
    this(file, clock, access, new TrustedFiles(file.toAbsolutePath().getParent(), false));
  }

  FriendList(Path file, Clock clock, Access access, TrustedFiles trusted) {
    this.file = file;
    this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
    this.clock = clock;
    this.access = access;
    this.trusted = trusted;
  }

  public Path file() {
    return file;
  }

  /** Every friend, in the order they were added. */
  public List<Friend> list() throws LocalStateException {
    return read();
  }

  /** The friend with this nickname, ignoring case. */
  public Optional<Friend> find(String nickname) throws LocalStateException {
    String key = Nicknames.key(nickname);
    return read().stream().filter(f -> Nicknames.key(f.nickname()).equals(key)).findFirst();
  }

  /** The friend with this nickname, or a typed "unknown friend" error. */
  public Friend get(String nickname) throws LocalStateException, ProfileException {
    return find(nickname).orElseThrow(() -> unknown(nickname));
  }

  /**
   * Adds a friend.
   *
   * @param own this person's own card, which cannot be added
   */
  public Friend add(String nickname, PublicCard card, PublicCard own) throws LocalStateException, ProfileException {
    String nick = Nicknames.check(nickname);
    if (card.equals(own)) {
      throw new ProfileException(ProfileException.Kind.OWN_CARD, "That card is your own; add the card of the person you want to talk to.");
    }
    try (LocalState.Lock lock = lock()) {
      List<Friend> friends = read();
      for (Friend f : friends) {
        if (Nicknames.key(f.nickname()).equals(Nicknames.key(nick))) {
          throw duplicateNickname(f);
        }
        if (f.card().equals(card)) {
          throw new ProfileException(ProfileException.Kind.DUPLICATE_CARD,
              "That card is already saved as " + f.nickname() + ".");
        }
      }
      Friend added = new Friend(nick, card, false, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      friends.add(added);
      write(friends);
      return added;
    }
  }

  public Friend remove(String nickname) throws LocalStateException, ProfileException {
    try (LocalState.Lock lock = lock()) {
      List<Friend> friends = read();
      Friend f = match(friends, nickname);
      friends.remove(f);
      write(friends);
      return f;
    }
  }

  public Friend rename(String nickname, String newNickname) throws LocalStateException, ProfileException {
    String nick = Nicknames.check(newNickname);
    return replace(nickname, (friends, f) -> {
      for (Friend other : friends) {
        if (other != f && Nicknames.key(other.nickname()).equals(Nicknames.key(nick))) {
          throw duplicateNickname(other);
        }
      }
      return new Friend(nick, f.card(), f.verified(), f.added());
    });
  }

  /** Records that the safety number was checked with this friend. */
  public Friend markVerified(String nickname) throws LocalStateException, ProfileException {
    return replace(nickname, (friends, f) -> new Friend(f.nickname(), f.card(), true, f.added()));
  }

  private interface Change {
    Friend apply(List<Friend> friends, Friend friend) throws ProfileException;
  }

  /** Replaces one friend's entry under the lock: read, change, write atomically. */
  private Friend replace(String nickname, Change change) throws LocalStateException, ProfileException {
    try (LocalState.Lock lock = lock()) {
      List<Friend> friends = read();
      Friend f = match(friends, nickname);
      Friend changed = change.apply(friends, f);
      friends.set(friends.indexOf(f), changed);
      write(friends);
      return changed;
    }
  }

  private static ProfileException duplicateNickname(Friend existing) {
    return new ProfileException(ProfileException.Kind.DUPLICATE_NICKNAME,
        "You already have a friend called " + existing.nickname() + "; choose another nickname.");
  }

  /** Every change starts here, so a read-only profile refuses it before anything is written. */
  private LocalState.Lock lock() throws LocalStateException {
    access.check(file.getParent(), "change the friend list");
    return FileLocks.acquire(lockFile, "the friend list " + file);
  }

  private static Friend match(List<Friend> friends, String nickname) throws ProfileException {
    String key = Nicknames.key(nickname);
    return friends.stream().filter(f -> Nicknames.key(f.nickname()).equals(key)).findFirst()
        .orElseThrow(() -> unknown(nickname));
  }

  private static ProfileException unknown(String nickname) {
    return new ProfileException(ProfileException.Kind.UNKNOWN_FRIEND,
        "You have no friend called " + nickname + "; see 'reschat friend list', or add them with 'reschat friend add'.");
  }

  private List<Friend> read() throws LocalStateException {
    String text;
    try {
      Optional<String> read = trusted.readText(file); // never another user's file, nor through a link
      if (read.isEmpty()) {
        return new ArrayList<>();
      }
      text = read.get();
    } catch (CharacterCodingException e) {
      throw damaged("it is not UTF-8 text");
    }
    JsonObject root = StrictJson.parseObject(text).orElseThrow(() -> damaged("it is not a JSON object"));
    long schema = StrictJson.integer(root, "schema", 0, Long.MAX_VALUE).orElseThrow(() -> damaged("it has no schema number"));
    if (schema != SCHEMA) {
      throw new LocalStateException("The friends file " + file + " has schema " + schema + " but this ResChat reads schema "
          + SCHEMA + "; upgrade ResChat. The file was not changed.");
    }
    JsonElement list = root.get("friends");
    if (list == null || !list.isJsonArray()) {
      throw damaged("it has no \"friends\" list");
    }
    List<Friend> friends = new ArrayList<>();
    int i = 0;
    for (JsonElement e : list.getAsJsonArray()) {
      i++;
      if (!e.isJsonObject()) {
        throw damaged("entry " + i + " is not an object");
      }
      JsonObject o = e.getAsJsonObject();
      String nickname = StrictJson.string(o, "nickname").orElseThrow(damagedEntry(i, "has no nickname"));
      try {
        Nicknames.checkStored(nickname);
      } catch (ProfileException ex) {
        throw damaged("entry " + i + " has an invalid nickname (" + ex.getMessage() + ")");
      }
      PublicCard card;
      try {
        card = PublicCard.parse(StrictJson.string(o, "card").orElseThrow(damagedEntry(i, "has no card")));
      } catch (InvalidCardException ex) {
        throw damaged("entry " + i + " (" + nickname + ") has an invalid card: " + ex.getMessage());
      }
      String fingerprint = StrictJson.string(o, "fingerprint").orElseThrow(damagedEntry(i, "has no fingerprint"));
      if (!fingerprint.equals(card.fingerprintText())) {
        throw damaged("entry " + i + " (" + nickname + ") has a fingerprint that does not match its card");
      }
      boolean verified = StrictJson.bool(o, "verified").orElseThrow(damagedEntry(i, "has no verified flag"));
      Instant added;
      try {
        added = Instant.parse(StrictJson.string(o, "added").orElseThrow(damagedEntry(i, "has no date added")));
      } catch (DateTimeParseException ex) {
        throw damaged("entry " + i + " (" + nickname + ") has an unreadable date");
      }
      for (Friend f : friends) {
        if (Nicknames.key(f.nickname()).equals(Nicknames.key(nickname)) || f.card().equals(card)) {
          throw damaged("entries " + (friends.indexOf(f) + 1) + " and " + i + " are the same friend");
        }
      }
      friends.add(new Friend(nickname, card, verified, added));
    }
    return friends;
  }

  private void write(List<Friend> friends) throws LocalStateException {
    JsonArray list = new JsonArray();
    for (Friend f : friends) {
      JsonObject o = new JsonObject();
      o.addProperty("nickname", f.nickname());
      o.addProperty("card", f.card().toString());
      o.addProperty("fingerprint", f.fingerprint());
      o.addProperty("verified", f.verified());
      o.addProperty("added", f.added().toString());
      list.add(o);
    }
    JsonObject root = new JsonObject();
    root.addProperty("schema", SCHEMA);
    root.add("friends", list);
    String json = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
    AtomicFiles.write(file, json.getBytes(StandardCharsets.UTF_8));
  }

  private LocalStateException damaged(String problem) {
    return new LocalStateException("The friends file " + file + " is damaged: " + problem
        + ". ResChat has not changed it; fix it by hand or restore it from a backup.");
  }

  private java.util.function.Supplier<LocalStateException> damagedEntry(int i, String problem) {
    return () -> damaged("entry " + i + " " + problem);
  }
}
