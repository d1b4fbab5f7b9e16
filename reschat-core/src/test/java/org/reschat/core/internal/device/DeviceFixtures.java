package org.reschat.core.internal.device;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.reschat.core.InvalidCardException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.kv.KvStore;

/**
 * Linked devices for tests, as linking will make them (protocol §15.5): a device's own keys drawn from its
 * name, the identity's X25519 secret and self seed copied from device 0, and the identity's device list
 * published by device 0.
 */
public final class DeviceFixtures {
  private DeviceFixtures() {}

  private static byte[] seed(String name, String what) {
    return Sha.sha256(("reschat test device " + name + " " + what).getBytes(StandardCharsets.UTF_8));
  }

  /** Linked device {@code number} of {@code full} (device 0's keys), its own keys drawn from {@code name}. */
  public static Identity linked(Identity full, int number, String name) {
    byte[] identity = Secrets.of(full).export(); // Ed25519 seed, X25519 secret, self seed
    byte[] keys = new byte[Identity.DEVICE_KEY_BYTES];
    System.arraycopy(identity, 32, keys, 0, 64);
    System.arraycopy(seed(name, "ed25519"), 0, keys, 64, 32);
    System.arraycopy(seed(name, "x25519"), 0, keys, 96, 32);
    return Identity.linkedDevice(full.card(), number, keys);
  }

  /** The public keys the device list names for the device {@link #linked} made from {@code name}. */
  public static PublicCard publicKeys(String name) {
    try {
      return PublicCard.of(new Ed25519PrivateKeyParameters(seed(name, "ed25519"), 0).generatePublicKey().getEncoded(),
          new X25519PrivateKeyParameters(seed(name, "x25519"), 0).generatePublicKey().getEncoded());
    } catch (InvalidCardException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Device 0's own X25519 device key (public), drawn from the identity's card. */
  /** A linked device's X25519 device key (public), from its identity. */
  public static byte[] deviceAgreementKeyOf(org.reschat.core.internal.feed.LedgerChatClient client) {
    byte[] secret = org.reschat.core.internal.identity.Secrets.of(client.identity()).deviceAgreementSecret().orElseThrow();
    return new org.bouncycastle.crypto.params.X25519PrivateKeyParameters(secret, 0).generatePublicKey().getEncoded();
  }

  public static byte[] deviceZeroAgreement(Identity full) {
    return new X25519PrivateKeyParameters(Arrays.copyOf(Sha.sha256(full.card().bytes()), 32), 0).generatePublicKey().getEncoded();
  }

  /** Writes entry 1 of {@code full}'s list, naming devices 1, 2, … made from {@code names}; returns it. */
  public static DeviceList publishList(KvStore store, Identity full, String... names) throws Exception {
    List<PublicCard> devices = new ArrayList<>();
    for (String n : names) {
      devices.add(publicKeys(n));
    }
    DeviceList entry = DeviceList.first(full, deviceZeroAgreement(full), devices);
    new DeviceLog(store).publish(entry);
    return entry;
  }
}
