package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.testing.TestIdentities;

/**
 * The device list's certificate (protocol §15.2): only the identity's key makes an entry that counts, nobody
 * can add a device to a signed entry, and an entry may follow another only as the rules say (no device
 * dropped quietly, none revoked in the past, no revoked device back, no number reused).
 */
class DeviceListTest {
  static final Identity ALICE = TestIdentities.named("alice");
  static final Identity MALLORY = TestIdentities.named("mallory");
  static final PublicCard OWN = TestIdentities.named("alice device 0").card(); // its X25519 key is device 0's
  static final PublicCard LAPTOP = TestIdentities.named("alice laptop").card();
  static final PublicCard PHONE = TestIdentities.named("alice phone").card();
  static final PublicCard EVIL = TestIdentities.named("mallory's device").card();

  static DeviceList first() {
    return DeviceList.first(ALICE, OWN.encryptionKey(), List.of(LAPTOP));
  }

  @Test
  void anEntryVerifiesUnderItsIdentitysCardAndNoOther() {
    DeviceList e = first();
    assertThat(DeviceList.parse(ALICE.card(), e.encoded())).contains(e);
    assertThat(DeviceList.parse(MALLORY.card(), e.encoded())).isEmpty();
    assertThat(e.devices()).extracting(DeviceList.Device::number).containsExactly(0, 1);
    assertThat(e.devices().get(0).keys().signingKey()).isEqualTo(ALICE.card().signingKey());
    assertThat(e.linked()).extracting(DeviceList.Device::keys).containsExactly(LAPTOP);
  }

  @Test
  void aForgedCertificateIsRefused() {
    // Mallory signs an entry naming Alice's identity key as device 0 and his own device: not Alice's signature.
    byte[] forged = DeviceList.first(MALLORY, OWN.encryptionKey(), List.of(EVIL)).encoded();
    byte[] aliceKey = ALICE.card().signingKey();
    System.arraycopy(aliceKey, 0, forged, 1 + 4 + 32 + 1 + 4, 32); // device 0's Ed25519 key := Alice's
    assertThat(DeviceList.parse(ALICE.card(), forged)).isEmpty();
    assertThat(DeviceList.parse(MALLORY.card(), forged)).isEmpty();
    // Alice's real entry with one byte of her laptop's key changed to another device's: the signature breaks.
    byte[] real = first().encoded();
    for (int i = 0; i < real.length; i++) {
      byte[] changed = real.clone();
      changed[i] ^= 0x01;
      assertThat(DeviceList.parse(ALICE.card(), changed)).as("byte %d changed", i).isEmpty();
    }
    // Her entry with a device spliced in (the count raised, Mallory's keys appended before the signature).
    byte[] spliced = splice(real, EVIL);
    assertThat(DeviceList.parse(ALICE.card(), spliced)).isEmpty();
    // Truncated or with bytes after the signature.
    assertThat(DeviceList.parse(ALICE.card(), Arrays.copyOf(real, real.length - 1))).isEmpty();
    assertThat(DeviceList.parse(ALICE.card(), Arrays.copyOf(real, real.length + 1))).isEmpty();
  }

  private static byte[] splice(byte[] entry, PublicCard device) {
    int devices = entry[1 + 4 + 32] & 0xFF;
    int at = 1 + 4 + 32 + 1 + devices * 72;
    byte[] out = new byte[entry.length + 72];
    System.arraycopy(entry, 0, out, 0, at);
    out[1 + 4 + 32] = (byte) (devices + 1);
    java.nio.ByteBuffer.wrap(out, at, 72).putInt(9).put(device.signingKey()).put(device.encryptionKey()).putInt(1);
    System.arraycopy(entry, at, out, at + 72, entry.length - at);
    return out;
  }

  @Test
  void anEntryBreakingARuleOfItsOwnIsNeverMade() {
    List<DeviceList.Device> devices = new ArrayList<>(first().devices());
    // device 0 must be the identity's own key
    assertThatThrownBy(() -> DeviceList.sign(ALICE, 1, DeviceList.NO_PREV,
        List.of(new DeviceList.Device(0, LAPTOP, 1, 0)), List.of())).isInstanceOf(IllegalArgumentException.class);
    // numbers strictly increasing
    assertThatThrownBy(() -> DeviceList.sign(ALICE, 1, DeviceList.NO_PREV,
        List.of(devices.get(0), devices.get(1), new DeviceList.Device(1, PHONE, 1, 0)), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    // device 0 is never revoked; a device is not both certified and revoked
    assertThatThrownBy(() -> DeviceList.sign(ALICE, 2, new byte[32], devices,
        List.of(new DeviceList.Device(0, OWN, 1, 2)))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DeviceList.sign(ALICE, 2, new byte[32], devices,
        List.of(new DeviceList.Device(1, LAPTOP, 1, 2)))).isInstanceOf(IllegalArgumentException.class);
    // entry 1 links to nothing; a device cannot be named since a later entry
    byte[] somePrev = new byte[32];
    somePrev[0] = 1;
    assertThatThrownBy(() -> DeviceList.sign(ALICE, 1, somePrev, devices, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DeviceList.sign(ALICE, 1, DeviceList.NO_PREV,
        List.of(devices.get(0), new DeviceList.Device(1, LAPTOP, 2, 0)), List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void entriesFollowEachOtherOnlyAsTheRulesSay() {
    DeviceList one = first();
    DeviceList two = one.adding(ALICE, PHONE);
    assertThat(two.follows(one)).isEmpty();
    assertThat(two.device(2).orElseThrow().since()).isEqualTo(2);
    DeviceList three = two.revoking(ALICE, 1);
    assertThat(three.follows(two)).isEmpty();
    assertThat(three.revoked()).extracting(DeviceList.Device::number).containsExactly(1);
    assertThat(three.linked()).extracting(DeviceList.Device::number).containsExactly(2);
    assertThat(three.nextNumber()).isEqualTo(3); // the revoked number is never given again
    assertThat(three.follows(one)).isPresent(); // not the next one
    assertThat(three.consistentWith(one, false)).isEmpty(); // but a consistent one across a gap

    // the revoked laptop brought back as it was, under its old number
    DeviceList back = DeviceList.sign(ALICE, 4, three.hash(), List.of(three.devices().get(0),
        new DeviceList.Device(1, LAPTOP, 1, 0), three.devices().get(1)), List.of());
    assertThat(back.follows(three)).hasValueSatisfying(why -> assertThat(why).contains("revoked device 1"));
    // under a new number: allowed (a new certification of the same keys is the identity's choice), dated now
    DeviceList relinked = three.adding(ALICE, LAPTOP);
    assertThat(relinked.follows(three)).isEmpty();
    // a number used before given to another device (the revocation dropped to make room)
    DeviceList reused = DeviceList.sign(ALICE, 4, three.hash(), List.of(three.devices().get(0),
        new DeviceList.Device(1, EVIL, 4, 0), three.devices().get(1)), List.of());
    assertThat(reused.follows(three)).hasValueSatisfying(why -> assertThat(why).contains("revoked device 1"));
    DeviceList phoneToo = DeviceList.sign(ALICE, 4, three.hash(), List.of(three.devices().get(0)),
        List.of(three.revoked().get(0), new DeviceList.Device(2, PHONE, 2, 4)));
    assertThat(phoneToo.follows(three)).isEmpty(); // the phone revoked in turn: fine
    // a device dropped without being revoked
    DeviceList dropped = DeviceList.sign(ALICE, 4, three.hash(), List.of(three.devices().get(0)), three.revoked());
    assertThat(dropped.follows(three)).hasValueSatisfying(why -> assertThat(why).contains("drops"));
    // a revocation dated in the past (so that what the device wrote meanwhile would seem revoked earlier)
    DeviceList backdated = DeviceList.sign(ALICE, 4, three.hash(), List.of(three.devices().get(0)),
        List.of(three.revoked().get(0), new DeviceList.Device(2, PHONE, 2, 3)));
    assertThat(backdated.follows(three)).hasValueSatisfying(why -> assertThat(why).contains("backdates"));
    // not linked to the entry before
    DeviceList unlinked = DeviceList.sign(ALICE, 4, new byte[32], three.devices(), three.revoked());
    assertThat(unlinked.follows(three)).hasValueSatisfying(why -> assertThat(why).contains("does not link"));
  }

  @Test
  void aLinkedDeviceCannotSignAnEntry() {
    Identity laptop = DeviceFixtures.linked(ALICE, 1, "alice laptop");
    assertThat(laptop.card()).isEqualTo(ALICE.card());
    assertThat(laptop.holdsIdentityKey()).isFalse();
    assertThatThrownBy(() -> DeviceList.first(laptop, OWN.encryptionKey(), List.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("first device");
  }
}
