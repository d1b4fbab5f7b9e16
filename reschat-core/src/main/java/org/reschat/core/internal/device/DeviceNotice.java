package org.reschat.core.internal.device;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.spi.LocalState;

/**
 * The body of a {@code LINKED_DEVICES} notice (protocol §15.4, §15.7): which entry of the writer's device list is
 * the newest, its hash, and after a revocation where device 0 saw each revoked device's feed in this
 * conversation end: {@code {"v":1,"n":n,"hash":"b64u","cuts":{"fingerprint hex":[page,messages]}}} ({@code cuts}
 * only when there are some). Readers take it only from identity feeds.
 */
public record DeviceNotice(long n, byte[] hash, Map<String, LocalState.Position> cuts) {
  public DeviceNotice {
    hash = hash.clone();
    cuts = Map.copyOf(cuts);
  }

  public DeviceNotice(long n, byte[] hash) {
    this(n, hash, Map.of());
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  public byte[] encode() {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("n", n);
    o.addProperty("hash", Base64Url.encode(hash));
    if (!cuts.isEmpty()) {
      JsonObject c = new JsonObject();
      new TreeMap<>(cuts).forEach((fp, end) -> {
        JsonArray a = new JsonArray();
        a.add(end.page());
        a.add(end.slot());
        c.add(fp, a);
      });
      o.add("cuts", c);
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The notice {@code body} holds, if it is exactly one. Never throws. */
  public static Optional<DeviceNotice> parse(byte[] body) {
    try {
      Optional<JsonObject> o = StrictJson.parseObject(body);
      if (o.isEmpty() || o.get().size() != (o.get().has("cuts") ? 4 : 3) || StrictJson.integer(o.get(), "v", 1, 1).isEmpty()) {
        return Optional.empty();
      }
      Optional<Long> n = StrictJson.integer(o.get(), "n", 1, DeviceList.MAX_ENTRY);
      Optional<byte[]> hash = StrictJson.string(o.get(), "hash").flatMap(Base64Url::decode).filter(h -> h.length == 32);
      Map<String, LocalState.Position> cuts = new TreeMap<>();
      if (o.get().has("cuts")) {
        for (Map.Entry<String, JsonElement> e : o.get().getAsJsonObject("cuts").entrySet()) {
          JsonArray a = e.getValue().getAsJsonArray();
          long page = a.get(0).getAsLong();
          int slots = a.get(1).getAsInt();
          if (!e.getKey().matches("[0-9a-f]{64}") || a.size() != 2 || page < 0 || page > (1L << 31) || slots < 0
              || slots > 20 || cuts.size() >= DeviceList.MAX_REVOKED) {
            return Optional.empty();
          }
          cuts.put(e.getKey(), new LocalState.Position(page, slots));
        }
      }
      return n.isPresent() && hash.isPresent() ? Optional.of(new DeviceNotice(n.get(), hash.get(), cuts)) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
