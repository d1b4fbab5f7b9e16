package org.reschat.core.internal.device;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.DeviceException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.files.FileLayout;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.spi.FeedId;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * What device 0 hands a device it links (protocol §15.5): the engine's share of the identity's state (each
 * group's sealed state, the read positions, the devices' names) and the application's (friends, nicknames,
 * channels: bytes the engine does not read), as strict JSON stored as the chunks of a file under a key of its own
 * (§10.2), so its size is not bounded by a value.
 *
 * <pre>
 * {"v":1,"groups":{"id":"sealed state"},"delivered":[["conv","tag",member,page,slot]],"names":{"0":"phone"},"app":"b64u",
 *  "self":["b64u T_1", …],"pairs":"sealed record"}
 * </pre>
 * {@code "self"}, the secrets of the self epochs after epoch 0, oldest first (§15.6), only after a rotation;
 * {@code "pairs"}, the direct chats' later epochs as device 0 keeps them, sealed under the self seed (§3.1), only
 * after a revocation.
 */
final class LinkBundle {
  private LinkBundle() {}

  /** A read position: the first message of a feed not delivered yet. */
  record Mark(FeedId feed, long page, int slot) {}

  /** The bundle's content. */
  record Content(Map<String, String> groups, List<Mark> delivered, Map<Integer, String> names, byte[] app,
      List<byte[]> selfEpochs, String pairs) {
    Content {
      groups = Map.copyOf(groups);
      delivered = List.copyOf(delivered);
      names = Map.copyOf(names);
      app = app.clone();
      selfEpochs = selfEpochs.stream().map(byte[]::clone).toList();
    }

    Content(Map<String, String> groups, List<Mark> delivered, Map<Integer, String> names, byte[] app) {
      this(groups, delivered, names, app, List.of(), "");
    }

    @Override
    public byte[] app() {
      return app.clone();
    }
  }

  static byte[] encode(Content c) {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    JsonObject groups = new JsonObject();
    c.groups().forEach(groups::addProperty);
    o.add("groups", groups);
    JsonArray marks = new JsonArray();
    for (Mark m : c.delivered()) {
      JsonArray a = new JsonArray();
      a.add(m.feed().conversation());
      a.add(m.feed().writer());
      a.add(m.feed().member());
      a.add(m.page());
      a.add(m.slot());
      marks.add(a);
    }
    o.add("delivered", marks);
    JsonObject names = new JsonObject();
    c.names().forEach((k, v) -> names.addProperty(Integer.toString(k), v));
    o.add("names", names);
    o.addProperty("app", Base64Url.encode(c.app()));
    if (!c.selfEpochs().isEmpty()) {
      JsonArray self = new JsonArray();
      c.selfEpochs().forEach(t -> self.add(Base64Url.encode(t)));
      o.add("self", self);
    }
    if (!c.pairs().isEmpty()) {
      o.addProperty("pairs", c.pairs());
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The content {@code bytes} hold, if they are exactly a bundle; empty otherwise. Never throws. */
  static Optional<Content> decode(byte[] bytes) {
    try {
      Optional<JsonObject> parsed = StrictJson.parseObject(bytes);
      if (parsed.isEmpty()) {
        return Optional.empty();
      }
      JsonObject o = parsed.get();
      boolean self = o.has("self");
      Optional<String> pairs = o.has("pairs") ? StrictJson.string(o, "pairs").filter(p -> !p.isEmpty()) : Optional.of("");
      if (StrictJson.integer(o, "v", 1, 1).isEmpty() || pairs.isEmpty()
          || o.size() != 5 + (self ? 1 : 0) + (o.has("pairs") ? 1 : 0) || !o.get("groups").isJsonObject()
          || (self && (!o.get("self").isJsonArray() || o.getAsJsonArray("self").isEmpty()))
          || !o.get("delivered").isJsonArray() || !o.get("names").isJsonObject()) {
        return Optional.empty();
      }
      Map<String, String> groups = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("groups").entrySet()) {
        if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
          return Optional.empty();
        }
        groups.put(e.getKey(), e.getValue().getAsString());
      }
      List<Mark> marks = new ArrayList<>();
      for (JsonElement e : o.getAsJsonArray("delivered")) {
        JsonArray a = e.getAsJsonArray();
        if (a.size() != 5) {
          return Optional.empty();
        }
        marks.add(new Mark(new FeedId(a.get(0).getAsString(), a.get(1).getAsString(), a.get(2).getAsInt()),
            a.get(3).getAsLong(), a.get(4).getAsInt()));
      }
      Map<Integer, String> names = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("names").entrySet()) {
        names.put(Integer.parseInt(e.getKey()), e.getValue().getAsString());
      }
      List<byte[]> epochs = new ArrayList<>();
      if (self) {
        for (JsonElement e : o.getAsJsonArray("self")) {
          Optional<byte[]> t = Base64Url.decode(e.getAsString()).filter(b -> b.length == 32);
          if (t.isEmpty()) {
            return Optional.empty();
          }
          epochs.add(t.get());
        }
      }
      Optional<byte[]> app = StrictJson.string(o, "app").flatMap(Base64Url::decode);
      return app.map(bytes1 -> new Content(groups, marks, names, bytes1, epochs, pairs.get()));
    } catch (RuntimeException e) {
      return Optional.empty(); // not what encode writes: refused, never a crash
    }
  }

  /** Writes the bundle {@code plain} as the chunks of a file under a fresh key (protocol §10.2); returns where. */
  static StoredChunks.Ref write(KvStore store, byte[] plain, SecureRandom random) throws KvException, DeviceException {
    if (plain.length > FileLayout.MAX_FILE_BYTES) {
      throw new DeviceException(DeviceException.Reason.DAMAGED, "The identity's state is over "
          + FileLayout.MAX_FILE_BYTES / (1024 * 1024) + " MiB and cannot be handed to a new device.");
    }
    return StoredChunks.write(store, plain, random);
  }

  /** Reads back what {@link #write} wrote, every chunk checked. */
  static byte[] read(KvStore store, StoredChunks.Ref ref) throws KvException, DeviceException {
    try {
      return StoredChunks.read(store, ref);
    } catch (StoredChunks.Damaged e) {
      throw new DeviceException(DeviceException.Reason.DAMAGED, "The link cannot finish: the identity's state on the"
          + " store is not the one device 0 wrote (" + e.getMessage() + ").");
    }
  }
}
