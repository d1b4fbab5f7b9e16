package org.reschat.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.localdb.AtomicFiles;

/**
 * The store a profile lives on, kept in the profile ({@code store.json}): the one it was created with or last
 * migrated to ({@code current}), and every store it has used ({@code used}). A command given no store uses
 * the current one, so forgetting {@code RESCHAT_STORE} does not send to the default ledger; a command given
 * another store it has used says so; one given a store it has never used is refused before anything is
 * written there (a mistyped path is not a ledger that lost your pages), with the way to move there.
 *
 * <p>{@code memory:} stores hold nothing past the process and are never recorded.
 */
public final class ProfileStore {
  static final String FILE = "store.json";

  /** What the profile records; {@code current} null when nothing is recorded yet (a profile made before). */
  public record Record(String current, List<String> used) {
    boolean knows(String spec) {
      return used.stream().anyMatch(u -> sameStore(u, spec));
    }
  }

  private ProfileStore() {}

  public static Record read(Path profile) throws LocalStateException {
    Path file = profile.resolve(FILE);
    if (!Files.exists(file)) {
      return new Record(null, List.of());
    }
    Optional<JsonObject> o;
    try {
      o = StrictJson.parseObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new LocalStateException("Could not read " + file + ": " + e.getMessage() + ".", e);
    }
    Optional<String> current = o.flatMap(j -> StrictJson.string(j, "current"));
    if (current.isEmpty() || !o.get().has("used") || !o.get().get("used").isJsonArray()) {
      throw new LocalStateException(file + " is damaged; it is kept as it is. Move it away, and give the store with"
          + " --store (or RESCHAT_STORE) until 'reschat store migrate' records it again.");
    }
    List<String> used = new ArrayList<>();
    o.get().getAsJsonArray("used").forEach(e -> used.add(e.getAsString()));
    return new Record(current.get(), used);
  }

  /** Records {@code spec} as the profile's store (created with it, migrated to it, or first seen using it). */
  public static void record(org.reschat.localdb.Profile profile, String spec) throws LocalStateException {
    if (isMemory(spec) || profile.access().readOnly()) {
      return;
    }
    Record before = read(profile.directory());
    String normal = normalise(spec);
    if (normal.equals(before.current())) {
      return;
    }
    List<String> used = new ArrayList<>(before.used());
    used.removeIf(u -> sameStore(u, normal));
    used.add(normal);
    JsonObject o = new JsonObject();
    o.addProperty("current", normal);
    JsonArray all = new JsonArray();
    used.forEach(all::add);
    o.add("used", all);
    AtomicFiles.write(profile.directory().resolve(FILE), o.toString().getBytes(StandardCharsets.UTF_8));
  }

  static boolean isMemory(String spec) {
    return spec.strip().startsWith("memory:");
  }

  /** An embedded store's path made absolute, so the same file is the same store from any directory. */
  static String normalise(String spec) {
    String s = spec.strip();
    if (s.startsWith("embedded:")) {
      try {
        return "embedded:" + Path.of(s.substring("embedded:".length())).toAbsolutePath().normalize();
      } catch (java.nio.file.InvalidPathException e) {
        return s;
      }
    }
    return s;
  }

  /**
   * Whether two specs name the same store: the same embedded file, or the same kind of cluster sharing an
   * endpoint (a list given in another order, or with a node more, is the same ledger).
   */
  static boolean sameStore(String a, String b) {
    String x = normalise(a);
    String y = normalise(b);
    if (x.equals(y)) {
      return true;
    }
    int cx = x.indexOf(':');
    int cy = y.indexOf(':');
    if (cx < 0 || cy < 0 || !x.substring(0, cx).equals(y.substring(0, cy)) || x.startsWith("embedded:")) {
      return false;
    }
    TreeSet<String> ex = endpoints(x.substring(cx + 1));
    ex.retainAll(endpoints(y.substring(cy + 1)));
    return !ex.isEmpty();
  }

  private static TreeSet<String> endpoints(String list) {
    TreeSet<String> out = new TreeSet<>();
    Arrays.stream(list.split(",")).map(e -> e.strip().toLowerCase(Locale.ROOT).replaceAll("/+$", ""))
        .filter(e -> !e.isEmpty()).forEach(out::add);
    return out;
  }
}
