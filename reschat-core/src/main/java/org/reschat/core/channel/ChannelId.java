package org.reschat.core.channel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.directory.Names;
import org.reschat.core.identity.Identity;

/**
 * A public channel's id: {@code rcc:} + base64url(owner's Ed25519 key ‖ 16-byte tag). Whoever holds it can
 * find and verify every post; only the owner of that key can write one. The tag is derived from the
 * channel's name, so the owner needs no local state to post from any device.
 */
public record ChannelId(byte[] ownerKey, byte[] tag) {
  public static final String PREFIX = "rcc:";

  public ChannelId {
    if (ownerKey.length != 32 || tag.length != 16) {
      throw new IllegalArgumentException("A channel id is a 32-byte key and a 16-byte tag");
    }
    ownerKey = ownerKey.clone();
    tag = tag.clone();
  }

  /** The id of {@code owner}'s channel called {@code name} (normalised as directory names are). */
  public static ChannelId of(Identity owner, String name) {
    String normal = Names.normalise(name).orElseThrow(() -> new IllegalArgumentException("Not a channel name"));
    return new ChannelId(owner.card().signingKey(), Arrays.copyOf(Sha.sha256(
        "reschat/v2 channel tag\0".getBytes(StandardCharsets.US_ASCII), normal.getBytes(StandardCharsets.UTF_8)), 16));
  }

  /** The id in {@code text}, or empty when it is not exactly one (a valid Ed25519 key included). */
  public static Optional<ChannelId> parse(String text) {
    if (text == null || !text.startsWith(PREFIX) || text.length() != PREFIX.length() + Base64Url.encodedLength(48)) {
      return Optional.empty();
    }
    Optional<byte[]> bytes = Base64Url.decode(text.substring(PREFIX.length()));
    if (bytes.isEmpty() || bytes.get().length != 48 || !Ed25519.validatePublicKeyFull(bytes.get(), 0)) {
      return Optional.empty();
    }
    return Optional.of(new ChannelId(Arrays.copyOf(bytes.get(), 32), Arrays.copyOfRange(bytes.get(), 32, 48)));
  }

  public byte[] bytes() {
    return ByteBuffer.allocate(48).put(ownerKey).put(tag).array();
  }

  /** The ledger key of post {@code n} (n ≥ 1). */
  public String postKey(long n) {
    byte[] h = Sha.sha256("reschat/v2 channel post key\0".getBytes(StandardCharsets.US_ASCII), bytes(),
        ByteBuffer.allocate(8).putLong(n).array());
    return "rcch." + Base64Url.encode(Arrays.copyOf(h, 16));
  }

  @Override
  public byte[] ownerKey() {
    return ownerKey.clone();
  }

  @Override
  public byte[] tag() {
    return tag.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChannelId c && Arrays.equals(c.bytes(), bytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes());
  }

  @Override
  public String toString() {
    return PREFIX + Base64Url.encode(bytes());
  }
}
