package org.reschat.kv.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The key range a prefix watch asks etcd for (no cluster needed). */
class EtcdWatcherTest {
  @Test
  void theRangeEndOfAPrefixIsItsLastByteplusOne() {
    assertThat(EtcdWatcher.prefixEnd("rc2.".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("rc2/".getBytes(StandardCharsets.UTF_8));
    assertThat(EtcdWatcher.prefixEnd("a~".getBytes(StandardCharsets.UTF_8))).isEqualTo(new byte[] {'a', 0x7f});
  }

  @Test
  void trailingFfBytesAreDroppedAndAllFfMeansEveryKeyAfter() {
    assertThat(EtcdWatcher.prefixEnd(new byte[] {'a', (byte) 0xff})).isEqualTo(new byte[] {'b'});
    assertThat(EtcdWatcher.prefixEnd(new byte[] {(byte) 0xff, (byte) 0xff})).isEqualTo(new byte[] {0});
  }
}
