package org.reschat.kv.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.PutIfUnchanged;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.testing.HostileStreamServer;

/**
 * A hostile etcd member answering a compare-and-put (issue 24): with an answer far larger than any real one, or
 * dripped a byte a second. The call ends either way: the huge answer is a refusal whose value is not a value
 * (the client stopped reading at its bound, so the engine treats it as junk), the dripped one is a failure at
 * the call's deadline; neither is ever taken for a write. No real etcd is needed: the member is the hostile one.
 */
class EtcdHostileConditionalPutTest {
  /** Two attempts at most; {@code read} long enough that a loaded machine never turns the huge answer into a timeout. */
  private static StoreOptions options(Duration read) {
    return StoreOptions.builder().connectTimeout(Duration.ofSeconds(10)).readTimeout(read).maxAttempts(2).build();
  }

  @Test
  @Timeout(120) // a client that read the answer whole would take 256 MiB, and minutes
  void aHugeAnswerIsARefusalWithJunkAndIsReadOnlyUpToTheBound() throws Exception {
    try (HostileStreamServer huge = new HostileStreamServer(HostileStreamServer.Kind.ETCD_WATCH);
        EtcdStore store = EtcdStore.builder().endpoint(huge.url()).options(options(Duration.ofSeconds(30))).build()) {
      PutIfUnchanged answer = store.putIfUnchanged("page", Optional.of("seen"), "new");
      assertThat(answer.written()).isFalse();
      assertThat(answer.current()).isInstanceOf(KvRead.Corrupt.class);
      assertThat(huge.streams()).isEqualTo(1);
      assertThat(huge.mostTaken()).isLessThan(HostileStreamServer.HUGE / 16);
    }
  }

  @Test
  @Timeout(120)
  void aDrippedAnswerFailsTheCallAndIsNeverAWrite() throws Exception {
    try (HostileStreamServer drip = new HostileStreamServer(HostileStreamServer.Kind.DRIP);
        EtcdStore store = EtcdStore.builder().endpoint(drip.url()).options(options(Duration.ofSeconds(1))).build()) {
      assertThatThrownBy(() -> store.putIfUnchanged("page", Optional.empty(), "new")).isInstanceOf(KvException.class);
      // asked again at most as often as the options allow (safe: a retry that finds its value says so), not forever
      assertThat(drip.streams()).isBetween(1, 2);
    }
  }
}
