package org.reschat.core.internal.files;

import org.reschat.core.FileCheckException;
import org.reschat.core.UploadInterruptedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.memory.MemoryKvStore;

/** Files up and down through a store: sizes at the chunk edges, resumption, and a hostile store. */
class FileTransferTest {
  @TempDir
  Path dir;

  private final MemoryKvStore store = new MemoryKvStore();
  private final List<byte[]> sent = new ArrayList<>();

  private final FileTransfer.MessageSink sink = (type, extension, body) -> {
    assertThat(type).isEqualTo("FILE");
    assertThat(extension).isEmpty(); // field 3 is not encrypted: nothing about the file goes there
    sent.add(body);
    Message m = new Message("t:1:0", Message.Direction.SENT, null, Instant.EPOCH, type, "", 1, 0,
        Message.Status.CONFIRMED, extension, body);
    return new SendResult(m, 0, Optional.empty());
  };

  private Path file(String name, int size, long seed) throws Exception {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return Files.write(dir.resolve(name), bytes);
  }

  private FileOffer upload(KvStore to, Path source) throws Exception {
    new FileTransfer(to, dir.resolve("journals")).send(source, source.getFileName().toString(),
        "application/octet-stream", "", "bob", sink, FileTransfer.Progress.NONE);
    return FileOffer.parse(sent.get(sent.size() - 1)).orElseThrow();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, FileLayout.CHUNK_PLAIN_BYTES, FileLayout.CHUNK_PLAIN_BYTES + 1, 20 * 1024 * 1024})
  void aFileComesBackByteForByte(int size) throws Exception {
    Path source = file("in.bin", size, size);
    FileOffer offer = upload(store, source);
    assertThat(offer.size()).isEqualTo(size);
    Path target = dir.resolve("out.bin");
    new FileTransfer(store, dir.resolve("journals")).fetch(offer, target, false, FileTransfer.Progress.NONE);
    assertThat(Files.mismatch(source, target)).isEqualTo(-1);
    assertThat(FileLayout.chunkCount(size)).isEqualTo(size <= FileLayout.CHUNK_PLAIN_BYTES ? 1 : size == FileLayout.CHUNK_PLAIN_BYTES + 1 ? 2 : 81);
    for (int i = 0; i < FileLayout.chunkCount(size); i++) {
      String value = store.get(FileLayout.location(offer.key(), i)).orElseThrow();
      assertThat(value.length()).isLessThanOrEqualTo(FileLayout.MAX_CHUNK_VALUE_CHARS);
    }
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void anInterruptedUploadResumesWithoutResendingConfirmedChunks() throws Exception {
    Path source = file("big.bin", 10 * FileLayout.CHUNK_PLAIN_BYTES + 7, 1);
    AtomicInteger puts = new AtomicInteger();
    KvStore failsAfterFour = new ForwardingKvStore(store) {
      @Override
      public void put(String key, String value) throws KvException {
        if (puts.incrementAndGet() > 4) {
          throw new KvUnavailableException("the store went away");
        }
        super.put(key, value);
      }
    };
    FileTransfer first = new FileTransfer(failsAfterFour, dir.resolve("journals"));
    assertThatThrownBy(() -> first.send(source, "big.bin", "application/octet-stream", "", "bob", sink, FileTransfer.Progress.NONE))
        .isInstanceOf(UploadInterruptedException.class).hasMessageContaining("4 of 11");
    assertThat(sent).isEmpty(); // no FILE message before every chunk is confirmed

    AtomicInteger resumedPuts = new AtomicInteger();
    KvStore counting = new ForwardingKvStore(store) {
      @Override
      public void put(String key, String value) throws KvException {
        resumedPuts.incrementAndGet();
        super.put(key, value);
      }
    };
    FileOffer offer = upload(counting, source);
    assertThat(resumedPuts.get()).isEqualTo(7);
    Path target = dir.resolve("out.bin");
    new FileTransfer(store, dir.resolve("journals")).fetch(offer, target, false, FileTransfer.Progress.NONE);
    assertThat(Files.mismatch(source, target)).isEqualTo(-1);
    try (Stream<Path> journals = Files.list(dir.resolve("journals"))) {
      assertThat(journals).isEmpty(); // finished uploads leave nothing behind
    }
  }

  @Test
  void aFileChangedBetweenRunsStartsOverUnderANewKey() throws Exception {
    Path source = file("f.bin", 3 * FileLayout.CHUNK_PLAIN_BYTES, 1);
    AtomicInteger puts = new AtomicInteger();
    KvStore failsAfterOne = new ForwardingKvStore(store) {
      @Override
      public void put(String key, String value) throws KvException {
        if (puts.incrementAndGet() > 1) {
          throw new KvUnavailableException("down");
        }
        super.put(key, value);
      }
    };
    assertThatThrownBy(() -> new FileTransfer(failsAfterOne, dir.resolve("journals"))
        .send(source, "f.bin", "application/octet-stream", "", "bob", sink, FileTransfer.Progress.NONE))
        .isInstanceOf(UploadInterruptedException.class);
    byte[] changed = Files.readAllBytes(source);
    changed[0] ^= 1;
    Files.write(source, changed);
    FileOffer offer = upload(store, source);
    Path target = dir.resolve("out.bin");
    new FileTransfer(store, dir.resolve("journals")).fetch(offer, target, false, FileTransfer.Progress.NONE);
    assertThat(Files.readAllBytes(target)).isEqualTo(changed);
  }

  @Test
  void aTamperedChunkIsRefusedAndNothingIsSaved() throws Exception {
    FileOffer offer = upload(store, file("in.bin", 2 * FileLayout.CHUNK_PLAIN_BYTES, 2));
    String key = FileLayout.location(offer.key(), 1);
    char[] value = store.get(key).orElseThrow().toCharArray();
    value[100] = value[100] == 'A' ? 'B' : 'A';
    store.put(key, new String(value));
    assertRefused(offer, "Chunk 2 of 2 does not authenticate");
  }

  @Test
  void aMissingChunkIsRefusedAndNothingIsSaved() throws Exception {
    FileOffer offer = upload(store, file("in.bin", 3 * FileLayout.CHUNK_PLAIN_BYTES, 3));
    MemoryKvStore partial = new MemoryKvStore();
    for (int i : new int[] {0, 2}) {
      String key = FileLayout.location(offer.key(), i);
      partial.put(key, store.get(key).orElseThrow());
    }
    assertThatThrownBy(() -> new FileTransfer(partial, dir).fetch(offer, dir.resolve("out.bin"), false, FileTransfer.Progress.NONE))
        .isInstanceOf(FileCheckException.class).hasMessage("Chunk 2 of 3 is missing from the store; nothing was saved.");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void swappedChunksAreRefused() throws Exception {
    FileOffer offer = upload(store, file("in.bin", 3 * FileLayout.CHUNK_PLAIN_BYTES, 4));
    String a = FileLayout.location(offer.key(), 0);
    String b = FileLayout.location(offer.key(), 1);
    String va = store.get(a).orElseThrow();
    store.put(a, store.get(b).orElseThrow());
    store.put(b, va);
    assertRefused(offer, "Chunk 1 of 3 does not authenticate");
  }

  @Test
  void aTruncatedFileIsRefused() throws Exception {
    // The last chunk's flag is in its nonce: a FILE message claiming fewer chunks cannot end on a middle one.
    FileOffer offer = upload(store, file("in.bin", 2 * FileLayout.CHUNK_PLAIN_BYTES, 5));
    FileOffer shorter = new FileOffer(offer.name(), FileLayout.CHUNK_PLAIN_BYTES, offer.mediaType(), offer.key(),
        offer.chunksHash(), "");
    assertRefused(shorter, "Chunk 1 of 1 does not authenticate");
  }

  @Test
  void chunksOtherThanTheListedOnesAreRefused() throws Exception {
    FileOffer offer = upload(store, file("in.bin", 1000, 6));
    byte[] otherHash = offer.chunksHash();
    otherHash[0] ^= 1;
    assertRefused(new FileOffer(offer.name(), offer.size(), offer.mediaType(), offer.key(), otherHash, ""),
        "not the ones its FILE message lists");
  }

  @Test
  void anExistingFileIsNotOverwrittenWithoutReplace() throws Exception {
    FileOffer offer = upload(store, file("in.bin", 10, 7));
    Path target = Files.writeString(dir.resolve("mine.txt"), "keep me");
    assertThatThrownBy(() -> new FileTransfer(store, dir).fetch(offer, target, false, FileTransfer.Progress.NONE))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(target)).isEqualTo("keep me");
    new FileTransfer(store, dir).fetch(offer, target, true, FileTransfer.Progress.NONE);
    assertThat(Files.size(target)).isEqualTo(10);
  }

  private void assertRefused(FileOffer offer, String why) throws Exception {
    Path target = dir.resolve("out.bin");
    assertThatThrownBy(() -> new FileTransfer(store, dir).fetch(offer, target, false, FileTransfer.Progress.NONE))
        .isInstanceOf(FileCheckException.class).hasMessageContaining(why);
    assertThat(target).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  private List<Path> leftovers() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
    }
  }
}
