package org.reschat.core.internal.device;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.reschat.core.InvalidCardException;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.json.StrictJson;

/**
 * The header of a link's welcome (protocol §15.5): the identity, the new device's number and name, the
 * identity's X25519 secret and self seed, the list entry that certifies the device, and where the rest of the
 * state is.
 *
 * <pre>{"v":1,"card":"rc2:…","device":k,"name":"…","keys":"b64u 64 bytes","list":n,"hash":"b64u","bundle":{…}}</pre>
 */
record Welcome(PublicCard card, int device, String name, byte[] keys, long list, byte[] hash, StoredChunks.Ref bundle) {
  Welcome {
    keys = keys.clone();
    hash = hash.clone();
  }

  byte[] encode() {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("card", card.toString());
    o.addProperty("device", device);
    o.addProperty("name", name);
    o.addProperty("keys", Base64Url.encode(keys));
    o.addProperty("list", list);
    o.addProperty("hash", Base64Url.encode(hash));
    o.add("bundle", bundle.toJson());
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  static Optional<Welcome> decode(byte[] bytes) {
    try {
      JsonObject o = StrictJson.parseObject(bytes).orElse(null);
      if (o == null || o.size() != 8 || StrictJson.integer(o, "v", 1, 1).isEmpty() || !o.get("bundle").isJsonObject()) {
        return Optional.empty();
      }
      PublicCard card = PublicCard.parse(StrictJson.string(o, "card").orElseThrow());
      long device = StrictJson.integer(o, "device", 1, Integer.MAX_VALUE).orElseThrow();
      String name = StrictJson.string(o, "name").orElseThrow();
      byte[] keys = StrictJson.string(o, "keys").flatMap(Base64Url::decode).filter(b -> b.length == 64).orElseThrow();
      long list = StrictJson.integer(o, "list", 1, DeviceList.MAX_ENTRY).orElseThrow();
      byte[] hash = StrictJson.string(o, "hash").flatMap(Base64Url::decode).filter(b -> b.length == 32).orElseThrow();
      StoredChunks.Ref bundle = StoredChunks.Ref.fromJson(o.getAsJsonObject("bundle"),
          org.reschat.core.internal.files.FileLayout.MAX_FILE_BYTES).orElseThrow();
      return Optional.of(new Welcome(card, (int) device, name, keys, list, hash, bundle));
    } catch (InvalidCardException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
