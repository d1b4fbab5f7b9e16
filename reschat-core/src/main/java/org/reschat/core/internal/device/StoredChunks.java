package org.reschat.core.internal.device;

import com.google.gson.JsonObject;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.ChunkStreamAead;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.internal.files.FileLayout;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Bytes too long for one value, written once as the chunks of a file under a fresh key (protocol §10.2), and
 * what names them: the key, the size, the chunk count and the chunks' list hash. Whoever holds the reference
 * reads back exactly the bytes written or nothing: every chunk opens under the key only, and the list hash
 * pins every chunk. Used for a link's bundle (§15.5) and a group state over a message ({@code SELF_GROUP}, §15.6).
 */
final class StoredChunks {
  private StoredChunks() {}

  /** Where the bytes are, and what pins them. */
  record Ref(byte[] key, long size, int chunks, byte[] hash) {
    JsonObject toJson() {
      JsonObject o = new JsonObject();
      o.addProperty("key", Base64Url.encode(key));
      o.addProperty("size", size);
      o.addProperty("chunks", chunks);
      o.addProperty("hash", Base64Url.encode(hash));
      return o;
    }

    /** The reference {@code o} holds exactly, naming at most {@code maxBytes}; empty otherwise. */
    static Optional<Ref> fromJson(JsonObject o, long maxBytes) {
      Optional<byte[]> key = StrictJson.string(o, "key").flatMap(Base64Url::decode).filter(k -> k.length == 32);
      Optional<Long> size = StrictJson.integer(o, "size", 0, maxBytes);
      Optional<byte[]> hash = StrictJson.string(o, "hash").flatMap(Base64Url::decode).filter(h -> h.length == 32);
      if (key.isEmpty() || size.isEmpty() || hash.isEmpty() || o.size() != 4) {
        return Optional.empty();
      }
      Optional<Long> chunks = StrictJson.integer(o, "chunks", 1, FileLayout.chunkCount(size.get()));
      return chunks.filter(c -> c == FileLayout.chunkCount(size.get()))
          .map(c -> new Ref(key.get(), size.get(), c.intValue(), hash.get()));
    }
  }

  /** What was read is not what was written: why, in a few words. */
  static class Damaged extends Exception {
    Damaged(String what) {
      super(what);
    }
  }

  /**
   * A chunk the store does not hold (yet, or withheld): unlike one that does not open, it may still be served
   * as written, so a reader that can wait asks again later instead of giving the bytes up.
   */
  static final class Missing extends Damaged {
    private final String location;

    Missing(String what, String location) {
      super(what);
      this.location = location;
    }

    /** The store key of the chunk that is not there: what to ask for before anything else. */
    String location() {
      return location;
    }
  }

  /** Writes {@code plain} (at most {@link FileLayout#MAX_FILE_BYTES}) as chunks under a fresh key. */
  static Ref write(KvStore store, byte[] plain, SecureRandom random) throws KvException {
    if (plain.length > FileLayout.MAX_FILE_BYTES) {
      throw new IllegalArgumentException("over " + FileLayout.MAX_FILE_BYTES + " bytes");
    }
    byte[] key = new byte[32];
    random.nextBytes(key);
    byte[] chunkKey = FileLayout.chunkKey(key);
    int n = FileLayout.chunkCount(plain.length);
    byte[][] hashes = new byte[n][];
    int at = 0;
    for (int i = 0; i < n; i++) {
      int len = FileLayout.plainLength(plain.length, i);
      byte[] part = Arrays.copyOfRange(plain, at, at + len);
      at += len;
      byte[] sealed = ChunkStreamAead.seal(chunkKey, i, i == n - 1, part);
      hashes[i] = Sha.sha256(sealed);
      store.put(FileLayout.location(key, i), Base64Url.encode(sealed));
    }
    return new Ref(key, plain.length, n, FileLayout.listHash(hashes));
  }

  /** Reads back what {@link #write} wrote, checking each chunk's length, its seal and the list hash. */
  static byte[] read(KvStore store, Ref ref) throws KvException, Damaged {
    byte[] chunkKey = FileLayout.chunkKey(ref.key());
    byte[][] hashes = new byte[ref.chunks()][];
    byte[] out = new byte[(int) ref.size()];
    int at = 0;
    for (int i = 0; i < ref.chunks(); i++) {
      String where = "part " + (i + 1) + " of " + ref.chunks();
      String location = FileLayout.location(ref.key(), i);
      Optional<String> value = store.get(location);
      if (value.isPresent() && value.get().length() > FileLayout.MAX_CHUNK_VALUE_CHARS) {
        throw new Damaged(where + " is longer than any part"); // judged before it is decoded
      }
      if (value.isEmpty()) {
        throw new Missing(where + " is missing from the store", location);
      }
      Optional<byte[]> sealed = value.flatMap(Base64Url::decode);
      if (sealed.isEmpty()) {
        throw new Damaged(where + " is not base64");
      }
      byte[] part;
      try {
        part = ChunkStreamAead.open(chunkKey, i, i == ref.chunks() - 1, sealed.get());
      } catch (OneTimeKeyAead.OpenFailedException e) {
        throw new Damaged(where + " does not open");
      }
      if (part.length != FileLayout.plainLength(ref.size(), i)) {
        throw new Damaged(where + " has the wrong length");
      }
      hashes[i] = Sha.sha256(sealed.get());
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    if (!Arrays.equals(FileLayout.listHash(hashes), ref.hash())) {
      throw new Damaged("its parts are not the ones written");
    }
    return out;
  }
}
