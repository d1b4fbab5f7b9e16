package org.reschat.core.internal.conversation;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.internal.json.StrictJson;

/**
 * {@code PAIR_ROTATE} (protocol §3.1): a direct chat's next secret {@code P'}, drawn at random by device 0 when it
 * revokes a device, sealed with HPKE to the friend's identity X25519 key and to each remaining own device's X25519
 * device key; the associated data binds both cards and the new epoch's id, so a body copied into another chat, or
 * naming another epoch, opens for nobody. A revoked device holds neither the friend's secret nor another device's
 * {@code DX}, so it cannot open it.
 *
 * <pre>
 * {"v":1,"epoch":id(P'),"friend":b64u(HPKE.Seal(X25519(friend), info, aad, P')),"devices":{"k":b64u(HPKE.Seal(DX_k, info, aad, P'))}}
 * info = "reschat/v3 pair epoch"    aad = "reschat/v3 pair epoch\0" ‖ lo card (64) ‖ hi card (64) ‖ epoch id
 * </pre>
 */
public final class PairRotate {
  /** The new epoch, written by device 0 in its identity feed of the chat's current conversation. */
  public static final String TYPE = "PAIR_ROTATE";
  /** A friend's acknowledgement, its first message in the new conversation: it holds {@code P'}. */
  public static final String TAKEN = "PAIR_TAKEN";
  /** A body this long is refused unread: 16 devices' seals and the friend's fit in a quarter of it. */
  public static final int MAX_BODY = 4096;
  static final byte[] INFO = "reschat/v3 pair epoch".getBytes(StandardCharsets.UTF_8);

  private PairRotate() {}

  /** The id of the epoch of secret {@code secret} between {@code me} and {@code them}: its conversation's id (§3). */
  public static String epochId(Identity me, PublicCard them, byte[] secret) {
    return Conversation.observe(me, secret.clone(), List.of(me.card(), them)).id();
  }

  static byte[] aad(PublicCard a, PublicCard b, String epoch) {
    boolean aFirst = Arrays.compareUnsigned(a.bytes(), b.bytes()) < 0;
    byte[] label = "reschat/v3 pair epoch\0".getBytes(StandardCharsets.UTF_8);
    byte[] id = epoch.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[label.length + 128 + id.length];
    System.arraycopy(label, 0, out, 0, label.length);
    System.arraycopy((aFirst ? a : b).bytes(), 0, out, label.length, 64);
    System.arraycopy((aFirst ? b : a).bytes(), 0, out, label.length + 64, 64);
    System.arraycopy(id, 0, out, label.length + 128, id.length);
    return out;
  }

  /** The body announcing {@code secret} to {@code them} and to the devices of {@code deviceKeys} (by number). */
  public static byte[] body(Identity me, PublicCard them, byte[] secret, Map<Integer, byte[]> deviceKeys, Hpke hpke) {
    String epoch = epochId(me, them, secret);
    byte[] aad = aad(me.card(), them, epoch);
    JsonObject devices = new JsonObject();
    for (Map.Entry<Integer, byte[]> e : new TreeMap<>(deviceKeys).entrySet()) {
      devices.addProperty(Integer.toString(e.getKey()), Base64Url.encode(hpke.seal(e.getValue(), INFO, aad, secret)));
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("epoch", epoch);
    o.addProperty("friend", Base64Url.encode(hpke.seal(them.encryptionKey(), INFO, aad, secret)));
    o.add("devices", devices);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The secret a {@code PAIR_ROTATE} in the chat of {@code me} and {@code other} holds for this device, written
   * by {@code writer}'s device 0 (the caller checked the feed): the friend's seal when {@code writer} is the other,
   * this device's own seal (its X25519 device key) when it is this identity. Empty when the body is oversized or
   * not exactly one, holds nothing for this device, does not open with these cards, or opens to another epoch.
   */
  public static Optional<byte[]> open(Identity me, PublicCard other, PublicCard writer, byte[] body) {
    if (body.length > MAX_BODY) {
      return Optional.empty();
    }
    try {
      Optional<JsonObject> o = StrictJson.parseObject(body);
      if (o.isEmpty() || o.get().size() != 4 || StrictJson.integer(o.get(), "v", 1, 1).isEmpty()
          || !o.get().has("devices") || !o.get().get("devices").isJsonObject()) {
        return Optional.empty();
      }
      Optional<String> epoch = StrictJson.string(o.get(), "epoch");
      Optional<String> friend = StrictJson.string(o.get(), "friend");
      if (epoch.isEmpty() || friend.isEmpty() || epoch.get().length() > 32) {
        return Optional.empty();
      }
      byte[] aad = aad(me.card(), other, epoch.get());
      byte[] secret;
      if (writer.equals(other)) {
        Optional<byte[]> sealed = Base64Url.decode(friend.get());
        if (sealed.isEmpty()) {
          return Optional.empty();
        }
        secret = Secrets.of(me).openSealed(INFO, aad, sealed.get());
      } else {
        Optional<byte[]> dx = Secrets.of(me).deviceAgreementSecret();
        JsonElement mine = o.get().getAsJsonObject("devices").get(Integer.toString(me.deviceNumber()));
        if (dx.isEmpty() || me.deviceNumber() == 0 || mine == null || !mine.isJsonPrimitive()
            || !mine.getAsJsonPrimitive().isString()) {
          return Optional.empty();
        }
        Optional<byte[]> sealed = Base64Url.decode(mine.getAsString());
        if (sealed.isEmpty()) {
          return Optional.empty();
        }
        byte[] pub = new X25519PrivateKeyParameters(dx.get(), 0).generatePublicKey().getEncoded();
        secret = Hpke.open(dx.get(), pub, INFO, aad, sealed.get());
      }
      if (secret.length != 32 || !epochId(me, other, secret).equals(epoch.get())) {
        return Optional.empty();
      }
      return Optional.of(secret);
    } catch (Hpke.OpenFailedException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
