package org.reschat.core.internal.device;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.InvalidCardException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.internal.identity.Secrets;

/**
 * One entry of an identity's device list (protocol §15.2): the whole set of its devices at that point, signed
 * with the identity's Ed25519 key. A device is certified when the newest entry its reader holds names it.
 *
 * <pre>
 * entry  = u8 version (1) ‖ u32 n ‖ prev[32]
 *        ‖ u8 #devices ‖ { u32 number ‖ ed25519[32] ‖ x25519[32] ‖ u32 since }
 *        ‖ u8 #revoked ‖ { u32 number ‖ ed25519[32] ‖ x25519[32] ‖ u32 since ‖ u32 at }
 *        ‖ signature[64]
 * signed = "reschat/v3 device list\0" ‖ card bytes ‖ entry without its signature
 * hash   = SHA-256("reschat/v3 device list hash\0" ‖ entry)
 * </pre>
 *
 * {@link #parse} returns an entry only if every rule an entry obeys alone holds; {@link #follows} checks the
 * rules between consecutive entries. Immutable.
 */
public final class DeviceList {
  public static final int VERSION = 1;
  /** Devices an entry names at most: device 0 and 15 linked ones. */
  public static final int MAX_DEVICES = 16;
  public static final int MAX_REVOKED = 255;
  public static final long MAX_ENTRY = (1L << 31) - 1;
  static final int SIGNATURE_BYTES = 64;
  static final byte[] NO_PREV = new byte[32];
  private static final byte[] SIGNED_LABEL = utf8("reschat/v3 device list\0");
  private static final byte[] HASH_LABEL = utf8("reschat/v3 device list hash\0");
  private static final int DEVICE_BYTES = 4 + 32 + 32 + 4;
  private static final int REVOKED_BYTES = DEVICE_BYTES + 4;

  /**
   * One device as an entry names it.
   *
   * @param number its number: 0 for the device holding the identity key, then 1, 2, … never reused
   * @param keys its Ed25519 key (signs its pages; for device 0, the card's) and X25519 key, checked as a card's
   * @param since the entry that first named it
   * @param revokedAt the entry that revoked it; 0 while it is certified
   */
  public record Device(int number, PublicCard keys, long since, long revokedAt) {
    public boolean revoked() {
      return revokedAt > 0;
    }

    /** The same device as revoked by entry {@code at}. */
    public Device revokedBy(long at) {
      return new Device(number, keys, since, at);
    }
  }

  private final PublicCard card;
  private final long n;
  private final byte[] prev;
  private final List<Device> devices;
  private final List<Device> revoked;
  private final byte[] encoded;

  private DeviceList(PublicCard card, long n, byte[] prev, List<Device> devices, List<Device> revoked, byte[] encoded) {
    this.card = card;
    this.n = n;
    this.prev = prev.clone();
    this.devices = List.copyOf(devices);
    this.revoked = List.copyOf(revoked);
    this.encoded = encoded.clone();
  }

  /**
   * Signs entry {@code n} of {@code identity}'s list. Only the holder of the identity key (device 0) can.
   *
   * @throws IllegalArgumentException when the entry would break a rule of {@link #parse}
   */
  public static DeviceList sign(Identity identity, long n, byte[] prev, List<Device> devices, List<Device> revoked) {
    PublicCard card = identity.card();
    byte[] body = body(n, prev, devices, revoked);
    byte[] signature = Secrets.of(identity).sign(signed(card, body));
    byte[] encoded = Arrays.copyOf(body, body.length + SIGNATURE_BYTES);
    System.arraycopy(signature, 0, encoded, body.length, SIGNATURE_BYTES);
    return parse(card, encoded).orElseThrow(() -> new IllegalArgumentException("Not a valid device list entry"));
  }

  /** The first entry: device 0 (with {@code ownAgreementKey}) and the devices given, all since entry 1. */
  public static DeviceList first(Identity identity, byte[] ownAgreementKey, List<PublicCard> linked) {
    List<Device> devices = new ArrayList<>();
    devices.add(new Device(0, card(identity.card().signingKey(), ownAgreementKey), 1, 0));
    for (int i = 0; i < linked.size(); i++) {
      devices.add(new Device(i + 1, linked.get(i), 1, 0));
    }
    return sign(identity, 1, NO_PREV, devices, List.of());
  }

  /** The entry after this one with {@code device} added under the next free number. */
  public DeviceList adding(Identity identity, PublicCard device) {
    List<Device> next = new ArrayList<>(devices);
    next.add(new Device(nextNumber(), device, n + 1, 0));
    return sign(identity, n + 1, hash(), next, revoked);
  }

  /** The entry after this one with device {@code number} revoked. */
  public DeviceList revoking(Identity identity, int number) {
    Device d = device(number).filter(x -> x.number() != 0)
        .orElseThrow(() -> new IllegalArgumentException("No linked device " + number + " to revoke"));
    List<Device> next = new ArrayList<>(devices);
    next.remove(d);
    List<Device> gone = new ArrayList<>(revoked);
    gone.add(d.revokedBy(n + 1));
    gone.sort((a, b) -> Integer.compare(a.number(), b.number()));
    return sign(identity, n + 1, hash(), next, gone);
  }

  /** The number the next device linked gets: above every number this entry names. */
  public int nextNumber() {
    int max = 0;
    for (Device d : devices) {
      max = Math.max(max, d.number());
    }
    for (Device d : revoked) {
      max = Math.max(max, d.number());
    }
    return max + 1;
  }

  /**
   * The entry {@code bytes} hold, if they are exactly an entry of {@code card}'s list that obeys every rule an
   * entry obeys alone (protocol §15.2), its signature included; empty otherwise. Never throws.
   */
  public static Optional<DeviceList> parse(PublicCard card, byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      if ((in.get() & 0xFF) != VERSION) {
        return Optional.empty();
      }
      long n = u32(in);
      byte[] prev = new byte[32];
      in.get(prev);
      if (n < 1 || n > MAX_ENTRY || (n == 1 && !Arrays.equals(prev, NO_PREV))) {
        return Optional.empty();
      }
      int count = in.get() & 0xFF;
      if (count < 1 || count > MAX_DEVICES) {
        return Optional.empty();
      }
      List<Device> devices = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Optional<Device> d = device(in, false, n);
        if (d.isEmpty()) {
          return Optional.empty();
        }
        devices.add(d.get());
      }
      int gone = in.get() & 0xFF;
      List<Device> revoked = new ArrayList<>();
      for (int i = 0; i < gone; i++) {
        Optional<Device> d = device(in, true, n);
        if (d.isEmpty()) {
          return Optional.empty();
        }
        revoked.add(d.get());
      }
      if (in.remaining() != SIGNATURE_BYTES) {
        return Optional.empty();
      }
      byte[] signature = new byte[SIGNATURE_BYTES];
      in.get(signature);
      if (!increasing(devices) || !increasing(revoked) || devices.get(0).number() != 0
          || !Arrays.equals(devices.get(0).keys().signingKey(), card.signingKey())) {
        return Optional.empty();
      }
      for (Device r : revoked) {
        if (r.number() == 0 || devices.stream().anyMatch(d -> d.number() == r.number())) {
          return Optional.empty();
        }
      }
      byte[] body = Arrays.copyOf(bytes, bytes.length - SIGNATURE_BYTES);
      if (!card.verify(signed(card, body), signature)) {
        return Optional.empty();
      }
      return Optional.of(new DeviceList(card, n, prev, devices, revoked, bytes));
    } catch (BufferUnderflowException e) {
      return Optional.empty();
    }
  }

  private static Optional<Device> device(ByteBuffer in, boolean revoked, long n) {
    long number = u32(in);
    byte[] ed = new byte[32];
    byte[] x = new byte[32];
    in.get(ed);
    in.get(x);
    long since = u32(in);
    long at = revoked ? u32(in) : 0;
    if (number > Integer.MAX_VALUE || since < 1 || since > n || (revoked && (at < since || at > n))) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Device((int) number, PublicCard.of(ed, x), since, at));
    } catch (InvalidCardException e) {
      return Optional.empty(); // not a point of prime order, a second spelling, a low-order key
    }
  }

  /**
   * Whether this entry may come right after {@code before} (protocol §15.2): it links to it, keeps every device
   * of it (with the same keys) or revokes it now, keeps every revocation, and adds devices only now and under
   * numbers never used before. Empty when it may; otherwise why not, in a few words.
   */
  public Optional<String> follows(DeviceList before) {
    if (n != before.n + 1 || !Arrays.equals(prev, before.hash())) {
      return Optional.of("it does not link to entry " + before.n);
    }
    return consistentWith(before, true);
  }

  /**
   * The rules of {@link #follows} that hold across entries a reader could not read in between (junk over them):
   * every device of {@code before} is still here with the same keys, or revoked; every revocation stays; a
   * device new since then has a number above every number {@code before} names.
   */
  public Optional<String> consistentWith(DeviceList before, boolean adjacent) {
    if (n <= before.n) {
      return Optional.of("it is not newer than entry " + before.n);
    }
    Map<Integer, Device> now = new HashMap<>();
    devices.forEach(d -> now.put(d.number(), d));
    Map<Integer, Device> gone = new HashMap<>();
    revoked.forEach(d -> gone.put(d.number(), d));
    for (Device d : before.devices) {
      Device here = now.containsKey(d.number()) ? now.get(d.number()) : gone.get(d.number());
      if (here == null || !here.keys().equals(d.keys()) || here.since() != d.since()) {
        return Optional.of("it drops or changes device " + d.number());
      }
      if (here.revoked() && (here.revokedAt() <= before.n || (adjacent && here.revokedAt() != n))) {
        return Optional.of("it backdates the revocation of device " + d.number());
      }
    }
    for (Device d : before.revoked) {
      Device here = gone.get(d.number());
      if (here == null || !here.equals(d)) {
        return Optional.of("it brings back or changes revoked device " + d.number());
      }
    }
    int highest = before.nextNumber() - 1;
    for (Device d : devices) {
      boolean known = before.device(d.number()).isPresent();
      if (!known && (d.number() <= highest || d.since() <= before.n || (adjacent && d.since() != n))) {
        return Optional.of("it adds device " + d.number() + " under a number used before or with a wrong date");
      }
    }
    for (Device d : revoked) {
      boolean known = before.device(d.number()).isPresent();
      if (!known && (adjacent || d.number() <= highest || d.since() <= before.n)) {
        return Optional.of("it revokes device " + d.number() + ", which it never named");
      }
    }
    return Optional.empty();
  }

  private static boolean increasing(List<Device> list) {
    for (int i = 1; i < list.size(); i++) {
      if (list.get(i).number() <= list.get(i - 1).number()) {
        return false;
      }
    }
    return true;
  }

  private static byte[] body(long n, byte[] prev, List<Device> devices, List<Device> revoked) {
    ByteBuffer out = ByteBuffer.allocate(1 + 4 + 32 + 1 + devices.size() * DEVICE_BYTES + 1 + revoked.size() * REVOKED_BYTES);
    out.put((byte) VERSION).putInt((int) n).put(prev);
    if (devices.size() > MAX_DEVICES || revoked.size() > MAX_REVOKED) {
      throw new IllegalArgumentException("A device list names at most " + MAX_DEVICES + " devices and "
          + MAX_REVOKED + " revoked ones");
    }
    out.put((byte) devices.size());
    for (Device d : devices) {
      out.putInt(d.number()).put(d.keys().signingKey()).put(d.keys().encryptionKey()).putInt((int) d.since());
    }
    out.put((byte) revoked.size());
    for (Device d : revoked) {
      out.putInt(d.number()).put(d.keys().signingKey()).put(d.keys().encryptionKey()).putInt((int) d.since())
          .putInt((int) d.revokedAt());
    }
    return out.array();
  }

  static byte[] signed(PublicCard card, byte[] body) {
    byte[] c = card.bytes();
    ByteBuffer out = ByteBuffer.allocate(SIGNED_LABEL.length + c.length + body.length);
    return out.put(SIGNED_LABEL).put(c).put(body).array();
  }

  private static long u32(ByteBuffer in) {
    return in.getInt() & 0xFFFFFFFFL;
  }

  private static PublicCard card(byte[] ed, byte[] x) {
    try {
      return PublicCard.of(ed, x);
    } catch (InvalidCardException e) {
      throw new IllegalArgumentException("Not a valid device key pair: " + e.getMessage(), e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public PublicCard card() {
    return card;
  }

  /** The entry's number, from 1. */
  public long n() {
    return n;
  }

  public byte[] prev() {
    return prev.clone();
  }

  /** The devices certified, by number, device 0 first. */
  public List<Device> devices() {
    return devices;
  }

  /** The devices revoked, by number. */
  public List<Device> revoked() {
    return revoked;
  }

  /** The linked devices certified (every device but device 0). */
  public List<Device> linked() {
    return devices.subList(1, devices.size());
  }

  /** The device of that number, certified or revoked. */
  public Optional<Device> device(int number) {
    for (List<Device> list : List.of(devices, revoked)) {
      for (Device d : list) {
        if (d.number() == number) {
          return Optional.of(d);
        }
      }
    }
    return Optional.empty();
  }

  /** The bytes as signed and stored. */
  public byte[] encoded() {
    return encoded.clone();
  }

  public byte[] hash() {
    return Sha.sha256(HASH_LABEL, encoded);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceList && ((DeviceList) o).card.equals(card) && Arrays.equals(((DeviceList) o).encoded, encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "DeviceList[" + n + ", " + devices.size() + " devices, " + revoked.size() + " revoked]";
  }
}
