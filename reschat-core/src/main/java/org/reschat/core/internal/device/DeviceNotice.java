package org.reschat.core.internal.device;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.json.StrictJson;

/**
 * The body of a {@code LINKED_DEVICES} notice (protocol §15.4): which entry of the writer's device list is the
 * newest, and its hash. {@code {"v":1,"n":n,"hash":"b64u"}}. Readers take it only from identity feeds.
 */
public record DeviceNotice(long n, byte[] hash) {
  public DeviceNotice {
    hash = hash.clone();
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
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The notice {@code body} holds, if it is exactly one. Never throws. */
  public static Optional<DeviceNotice> parse(byte[] body) {
    Optional<JsonObject> o = StrictJson.parseObject(new String(body, StandardCharsets.UTF_8));
    if (o.isEmpty() || o.get().size() != 3 || StrictJson.integer(o.get(), "v", 1, 1).isEmpty()) {
      return Optional.empty();
    }
    Optional<Long> n = StrictJson.integer(o.get(), "n", 1, DeviceList.MAX_ENTRY);
    Optional<byte[]> hash = StrictJson.string(o.get(), "hash").flatMap(Base64Url::decode).filter(h -> h.length == 32);
    return n.isPresent() && hash.isPresent() ? Optional.of(new DeviceNotice(n.get(), hash.get())) : Optional.empty();
  }
}
