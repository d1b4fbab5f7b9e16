package org.reschat.core.channel;

import org.reschat.core.internal.identity.Secrets;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.json.StrictJson;

/**
 * One post of a public channel (protocol §12): signed by the channel's owner, unencrypted, chained to the
 * post before it by hash. Its number and channel are inside the signature, so it counts only at its own key.
 *
 * @param n the post's number, 1 for the first
 * @param prev {@link #hash} of post {@code n − 1}; 32 zero bytes for post 1
 * @param at the owner's clock
 * @param name the channel's name as the owner wrote it
 * @param text the post, at most 4,096 bytes of UTF-8
 */
public record ChannelPost(long n, byte[] prev, Instant at, String name, String text) {
  public static final int MAX_TEXT_BYTES = 4096;
  static final int MAX_VALUE_CHARS = 16 * 1024;
  private static final byte[] LABEL = "reschat/v2 channel post\0".getBytes(StandardCharsets.US_ASCII);

  public ChannelPost {
    prev = prev.clone();
    if (n < 1 || prev.length != 32 || text.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES
        || name.getBytes(StandardCharsets.UTF_8).length > 128) {
      throw new IllegalArgumentException("Not a channel post");
    }
  }

  @Override
  public byte[] prev() {
    return prev.clone();
  }

  byte[] signedBytes(ChannelId channel) {
    byte[] nm = name.getBytes(StandardCharsets.UTF_8);
    byte[] tx = text.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(LABEL.length + 48 + 8 + 32 + 8 + 2 + nm.length + 4 + tx.length)
        .put(LABEL).put(channel.bytes()).putLong(n).put(prev).putLong(at.toEpochMilli())
        .putShort((short) nm.length).put(nm).putInt(tx.length).put(tx).array();
  }

  /** What the next post's {@code prev} holds. */
  public byte[] hash(ChannelId channel) {
    return Sha.sha256(signedBytes(channel));
  }

  /** The ledger value of this post signed by {@code signer}; readers accept it only when that is the channel's owner. */
  public String sign(ChannelId channel, Identity signer) {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("n", n);
    o.addProperty("prev", Base64Url.encode(prev));
    o.addProperty("at", at.toEpochMilli());
    o.addProperty("name", name);
    o.addProperty("text", text);
    o.addProperty("sig", Base64Url.encode(Secrets.of(signer).sign(signedBytes(channel))));
    return o.toString();
  }

  /** The post in {@code value} if it is post {@code n} of {@code channel}, signed by its owner; else empty. */
  public static Optional<ChannelPost> parse(ChannelId channel, long n, String value) {
    if (value.length() > MAX_VALUE_CHARS) {
      return Optional.empty();
    }
    Optional<JsonObject> o = StrictJson.parseObject(value);
    if (o.isEmpty() || o.get().size() != 7 || StrictJson.integer(o.get(), "v", 1, 1).isEmpty()
        || !StrictJson.integer(o.get(), "n", n, n).isPresent()) {
      return Optional.empty();
    }
    Optional<byte[]> prev = StrictJson.string(o.get(), "prev").flatMap(Base64Url::decode);
    Optional<Long> at = StrictJson.integer(o.get(), "at", 0, 1L << 53);
    Optional<String> name = StrictJson.string(o.get(), "name");
    Optional<String> text = StrictJson.string(o.get(), "text");
    Optional<byte[]> sig = StrictJson.string(o.get(), "sig").flatMap(Base64Url::decode);
    if (prev.isEmpty() || at.isEmpty() || name.isEmpty() || text.isEmpty() || sig.isEmpty() || sig.get().length != 64) {
      return Optional.empty();
    }
    ChannelPost post;
    try {
      post = new ChannelPost(n, prev.get(), Instant.ofEpochMilli(at.get()), name.get(), text.get());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    byte[] signed = post.signedBytes(channel);
    return Ed25519.verify(sig.get(), 0, channel.ownerKey(), 0, signed, 0, signed.length) ? Optional.of(post) : Optional.empty();
  }
}
