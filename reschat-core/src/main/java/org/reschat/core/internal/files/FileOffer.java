package org.reschat.core.internal.files;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.json.StrictJson;

/**
 * What a FILE message carries in its sealed body (protocol §10): the name, size and media type as the sender
 * gave them, the file key and the hash of the chunk list, and an optional caption. The feed authenticates
 * it; it in turn authenticates the chunks. The extension (field 3, not encrypted) stays empty.
 *
 * @param name the sender's name for the file: a hint, shown sanitised, saved through {@link FileNames#safe}
 * @param size bytes, 0 … {@link FileLayout#MAX_FILE_BYTES}
 * @param mediaType e.g. {@code application/pdf}; a hint
 * @param key the file key {@code K_f}, 32 bytes
 * @param chunksHash {@link FileLayout#listHash} of the chunks, 32 bytes
 * @param caption text sent with the file, possibly empty
 */
public record FileOffer(String name, long size, String mediaType, byte[] key, byte[] chunksHash, String caption) {
  /** The message type of a file. */
  public static final String TYPE = "FILE";
  public static final int MAX_CAPTION_BYTES = 4096;
  private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}");

  /** Whether {@code text} is a bare media type such as {@code image/png} (no parameters). */
  public static boolean isMediaType(String text) {
    return MEDIA_TYPE.matcher(text).matches();
  }

  public FileOffer {
    if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > FileNames.MAX_NAME_BYTES) {
      throw new IllegalArgumentException("A file name is 1 to 255 bytes of UTF-8");
    }
    if (size < 0 || size > FileLayout.MAX_FILE_BYTES) {
      throw new IllegalArgumentException("A file is at most 100 MiB");
    }
    if (!isMediaType(mediaType)) {
      throw new IllegalArgumentException("Not a media type: " + mediaType);
    }
    if (key.length != 32 || chunksHash.length != 32) {
      throw new IllegalArgumentException("A file key and a chunk list hash are 32 bytes each");
    }
    if (caption.getBytes(StandardCharsets.UTF_8).length > MAX_CAPTION_BYTES) {
      throw new IllegalArgumentException("A caption is at most 4,096 bytes");
    }
    key = key.clone();
    chunksHash = chunksHash.clone();
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public byte[] chunksHash() {
    return chunksHash.clone();
  }

  /** The body of the FILE message: one JSON object, UTF-8. */
  public byte[] encode() {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("name", name);
    o.addProperty("size", size);
    o.addProperty("type", mediaType);
    o.addProperty("key", Base64Url.encode(key));
    o.addProperty("chunks", Base64Url.encode(chunksHash));
    o.addProperty("caption", caption);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The offer in a FILE message body, or empty when the body is not exactly one (any byte string is safe). */
  public static Optional<FileOffer> parse(byte[] body) {
    Optional<JsonObject> parsed = StrictJson.parseObject(body);
    if (parsed.isEmpty() || parsed.get().size() != 7 || !StrictJson.integer(parsed.get(), "v", 1, 1).isPresent()) {
      return Optional.empty();
    }
    JsonObject o = parsed.get();
    Optional<String> name = StrictJson.string(o, "name");
    Optional<Long> size = StrictJson.integer(o, "size", 0, FileLayout.MAX_FILE_BYTES);
    Optional<String> type = StrictJson.string(o, "type");
    Optional<byte[]> key = StrictJson.string(o, "key").flatMap(Base64Url::decode);
    Optional<byte[]> chunks = StrictJson.string(o, "chunks").flatMap(Base64Url::decode);
    Optional<String> caption = StrictJson.string(o, "caption");
    if (name.isEmpty() || size.isEmpty() || type.isEmpty() || key.isEmpty() || chunks.isEmpty() || caption.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new FileOffer(name.get(), size.get(), type.get(), key.get(), chunks.get(), caption.get()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileOffer f && f.name.equals(name) && f.size == size && f.mediaType.equals(mediaType)
        && java.util.Arrays.equals(f.key, key) && java.util.Arrays.equals(f.chunksHash, chunksHash)
        && f.caption.equals(caption);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(chunksHash);
  }

  @Override
  public String toString() {
    return "FileOffer[" + name + ", " + size + " bytes, " + mediaType + "]"; // never the key
  }
}
