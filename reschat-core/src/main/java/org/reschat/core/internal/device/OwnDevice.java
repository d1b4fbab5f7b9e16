package org.reschat.core.internal.device;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.identity.SelfSealer;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.spi.LocalState;

/**
 * What this device keeps about itself and its siblings (protocol §15), sealed under a self secret like a group's
 * state: device 0's X25519 device secret (made at its first link; a linked device's is in its identity file), and
 * the names the person gave the devices (only their own devices know them).
 *
 * <pre>record "own": sealed {"v":1,"x25519":"b64u"(device 0 only),"names":{"0":"phone","1":"laptop"}}</pre>
 */
final class OwnDevice {
  static final String RECORD = "own";
  private static final byte[] LABEL = "reschat/v3 device state".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AAD = RECORD.getBytes(StandardCharsets.UTF_8);

  private final SelfSealer sealer;
  private final LocalState state;

  OwnDevice(Identity me, LocalState state) {
    this.sealer = SelfSealer.of(me, LABEL);
    this.state = state;
  }

  record Kept(Optional<byte[]> agreementSecret, Map<Integer, String> names) {
    Kept {
      names = Map.copyOf(names);
    }
  }

  Kept load() throws LocalStateException {
    Optional<String> text = state.deviceRecord(RECORD);
    if (text.isEmpty()) {
      return new Kept(Optional.empty(), Map.of());
    }
    try {
      byte[] json = sealer.decrypt(Base64Url.decode(text.get()).orElseThrow(() ->
          new OneTimeKeyAead.OpenFailedException("not base64url")), AAD);
      JsonObject o = StrictJson.parseObject(json).orElseThrow();
      Optional<byte[]> x = StrictJson.string(o, "x25519").flatMap(Base64Url::decode).filter(b -> b.length == 32);
      Map<Integer, String> names = new TreeMap<>();
      for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("names").entrySet()) {
        names.put(Integer.parseInt(e.getKey()), e.getValue().getAsString());
      }
      return new Kept(x, names);
    } catch (OneTimeKeyAead.OpenFailedException | RuntimeException e) {
      throw new LocalStateException("This device's own record (state/devices/own.record) is damaged or not this"
          + " identity's; restore the profile from a backup.", e);
    }
  }

  void save(Kept k) throws LocalStateException {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    k.agreementSecret().ifPresent(x -> o.addProperty("x25519", Base64Url.encode(x)));
    JsonObject names = new JsonObject();
    new TreeMap<>(k.names()).forEach((n, name) -> names.addProperty(Integer.toString(n), name));
    o.add("names", names);
    state.saveDeviceRecord(RECORD, Base64Url.encode(sealer.encrypt(o.toString().getBytes(StandardCharsets.UTF_8), AAD)));
  }

  /** Device 0's X25519 device key (public), made and kept the first time it is needed. */
  byte[] agreementKey(SecureRandom random) throws LocalStateException {
    Kept k = load();
    byte[] secret;
    if (k.agreementSecret().isPresent()) {
      secret = k.agreementSecret().get();
    } else {
      secret = new byte[32];
      random.nextBytes(secret);
      save(new Kept(Optional.of(secret), k.names()));
    }
    return new X25519PrivateKeyParameters(secret, 0).generatePublicKey().getEncoded();
  }

  void name(int number, String name) throws LocalStateException {
    Kept k = load();
    Map<Integer, String> names = new TreeMap<>(k.names());
    names.put(number, name);
    save(new Kept(k.agreementSecret(), names));
  }
}
