package org.reschat.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;
import org.reschat.kv.testing.InMemoryEndpointHealth;

/** What a store takes from a health memory when it is built, whatever the memory says. */
class SuspectEndpointsTest {
  private static final HttpUrl A = HttpUrl.get("http://127.0.0.1:18001");
  private static final HttpUrl B = HttpUrl.get("http://127.0.0.1:18002");
  private static final HttpUrl ELSEWHERE = HttpUrl.get("http://127.0.0.1:18003");

  private final InMemoryEndpointHealth memory = new InMemoryEndpointHealth();

  private SuspectEndpoints read() {
    return new SuspectEndpoints(memory, List.of(A, B));
  }

  @Test
  void anEntryFarInTheFutureIsHonouredForAMinuteAtMost() {
    memory.recordFailure(A, Instant.parse("9999-12-31T23:59:59Z"));
    memory.recordFailure(B, Instant.MAX);
    SuspectEndpoints suspects = read();
    assertThat(suspects.avoidAtStart(A)).isEqualTo(EndpointHealthMemory.REMEMBERED_FOR);
    assertThat(suspects.avoidAtStart(B)).isEqualTo(EndpointHealthMemory.REMEMBERED_FOR);
  }

  @Test
  void expiredEntriesAndOtherStoresEndpointsAreIgnored() {
    memory.recordFailure(A, Instant.now().minusSeconds(1));
    memory.recordFailure(ELSEWHERE, Instant.now().plusSeconds(30));
    SuspectEndpoints suspects = read();
    assertThat(suspects.avoidAtStart(A)).isZero();
    assertThat(suspects.avoidAtStart(B)).isZero();
  }

  @Test
  void aRememberedEntryIsHonouredForTheTimeItHasLeft() {
    memory.recordFailure(A, Instant.now().plusSeconds(20));
    Duration left = read().avoidAtStart(A);
    assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void onlyFailuresAndTheRecoveryOfARememberedEndpointReachTheMemory() {
    int[] writes = new int[1];
    EndpointHealthMemory counting = new EndpointHealthMemory() {
      @Override
      public java.util.Map<HttpUrl, Instant> suspects() {
        return memory.suspects();
      }

      @Override
      public void recordFailure(HttpUrl endpoint, Instant suspectUntil) {
        writes[0]++;
        memory.recordFailure(endpoint, suspectUntil);
      }

      @Override
      public void recordSuccess(HttpUrl endpoint) {
        writes[0]++;
        memory.recordSuccess(endpoint);
      }
    };
    SuspectEndpoints suspects = new SuspectEndpoints(counting, List.of(A, B));
    suspects.record(A, true);
    suspects.record(B, true);
    assertThat(writes[0]).as("successes of endpoints in good standing").isZero();
    suspects.record(A, false);
    assertThat(memory.suspects()).containsOnlyKeys(A);
    assertThat(memory.suspects().get(A)).isAfter(Instant.now());
    suspects.record(A, true);
    suspects.record(A, true);
    assertThat(memory.suspects()).isEmpty();
    assertThat(writes[0]).isEqualTo(2);
  }
}
