package org.reschat.core.internal.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.ChunkStreamAead;
import org.reschat.core.internal.crypto.Sha;

/** The file vectors of docs/protocol.md §10.5, computed from a fixed file key and compared with the published block. */
class FileVectorsTest {
  private static final byte[] FILE_KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

  static String expected() {
    byte[] chunkKey = FileLayout.chunkKey(FILE_KEY);
    byte[] c0 = ChunkStreamAead.seal(chunkKey, 0, false, "chunk zero".getBytes(StandardCharsets.US_ASCII));
    byte[] c1 = ChunkStreamAead.seal(chunkKey, 1, true, "last".getBytes(StandardCharsets.US_ASCII));
    return "file.key: " + HexFormat.of().formatHex(FILE_KEY) + "\n"
        + "chunk_key: " + HexFormat.of().formatHex(chunkKey) + "\n"
        + "chunk0.location: " + FileLayout.location(FILE_KEY, 0) + "\n"
        + "chunk1.location: " + FileLayout.location(FILE_KEY, 1) + "\n"
        + "chunk0.nonce: " + HexFormat.of().formatHex(ChunkStreamAead.nonce(0, false)) + "\n"
        + "chunk0.value: " + Base64Url.encode(c0) + "\n"
        + "chunk1.nonce: " + HexFormat.of().formatHex(ChunkStreamAead.nonce(1, true)) + "\n"
        + "chunk1.value: " + Base64Url.encode(c1) + "\n"
        + "chunks_hash: " + Base64Url.encode(FileLayout.listHash(new byte[][] {Sha.sha256(c0), Sha.sha256(c1)})) + "\n";
  }

  @Test
  void theDocumentPublishesExactlyTheseVectors() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "protocol.md"));
    int start = doc.indexOf("```file-vectors\n");
    assertThat(start).as("docs/protocol.md has a ```file-vectors block").isNotNegative();
    int from = start + "```file-vectors\n".length();
    String published = doc.substring(from, doc.indexOf("```", from));
    assertThat(published).as("docs/protocol.md ```file-vectors block; expected:%n%s", expected()).isEqualTo(expected());
  }

  @Test
  void theLocationsAreDistinctPageShapedKeys() {
    String a = FileLayout.location(FILE_KEY, 0);
    assertThat(a).matches("rc2\\.[A-Za-z0-9_-]{22}").isNotEqualTo(FileLayout.location(FILE_KEY, 1));
    assertThat(FileLayout.MAX_CHUNK_VALUE_CHARS).isLessThan(1024 * 1024 / 2);
  }
}
