package org.reschat.kv.resilientdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.testing.InMemoryEndpointHealth;
import org.reschat.kv.testing.ResilientDbCluster;

/**
 * A ResilientDB store shares what it learns of a failing endpoint through an
 * {@link org.reschat.kv.EndpointHealthMemory}, so the next store (the next reschat command) does not ask
 * that endpoint first. Asserted by which endpoint received requests, not by timing.
 */
class RememberedEndpointsTest {
  private static final StoreOptions OPTIONS = StoreOptions.builder()
      .connectTimeout(Duration.ofSeconds(1))
      .readTimeout(Duration.ofSeconds(5))
      .confirmTimeout(Duration.ofSeconds(5))
      .retryBackoff(Duration.ofMillis(10))
      .build();

  private final InMemoryEndpointHealth memory = new InMemoryEndpointHealth();
  private ResilientDbCluster cluster;

  private ResilientDbStore store() {
    return ResilientDbStore.builder().endpoints(cluster.urls()).options(OPTIONS).healthMemory(memory).build();
  }

  private HttpUrl url(int node) {
    return cluster.urls().get(node);
  }

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aSecondStoreSendsNothingToTheEndpointTheFirstFoundHanging() throws Exception {
    cluster = ResilientDbCluster.start(2);
    cluster.rawPut("k", "{\"id\":\"k\",\"value\":\"v\"}");
    cluster.node(0).responseDelay(Duration.ofSeconds(30)); // accepts, then never answers in time
    try (ResilientDbStore first = store()) {
      assertThat(first.get("k")).contains("v"); // node 0 first, then a hedge to node 1 answers
    }
    assertThat(cluster.node(0).requests()).as("the first store found node 0 by asking it").isEqualTo(1);
    assertThat(memory.suspects()).containsOnlyKeys(url(0));

    int before = cluster.node(0).requests();
    try (ResilientDbStore second = store()) {
      for (int i = 0; i < 5; i++) {
        assertThat(second.get("k")).contains("v");
      }
    }
    assertThat(cluster.node(0).requests() - before).as("requests the second store sent to the hanging node").isZero();
    assertThat(memory.suspects()).containsOnlyKeys(url(0));
  }

  @Test
  void whenEveryEndpointIsRememberedTheStoreStillWorksAndAnAnswerClearsThatEndpoint() throws Exception {
    cluster = ResilientDbCluster.start(2);
    cluster.rawPut("k", "{\"id\":\"k\",\"value\":\"v\"}");
    Instant later = Instant.now().plusSeconds(30);
    memory.recordFailure(url(0), later);
    memory.recordFailure(url(1), later);
    try (ResilientDbStore store = store()) {
      assertThat(store.get("k")).contains("v");
    }
    int answered = cluster.node(0).requests() > 0 ? 0 : 1;
    assertThat(cluster.node(answered).requests()).isEqualTo(1);
    assertThat(memory.suspects()).as("the endpoint that answered is forgotten, the other still remembered")
        .containsOnlyKeys(url(1 - answered));
  }

  @Test
  void aRememberedEndpointThatIsTheOnlyOneIsStillAsked() throws Exception {
    cluster = ResilientDbCluster.start(1);
    memory.recordFailure(url(0), Instant.now().plusSeconds(30));
    try (ResilientDbStore store = store()) {
      store.put("k", "v");
      assertThat(store.get("k")).contains("v");
    }
    assertThat(memory.suspects()).isEmpty();
  }

  @Test
  void aHealthyClusterRecordsNothing() throws Exception {
    cluster = ResilientDbCluster.start(2);
    try (ResilientDbStore store = store()) {
      store.put("k", "v");
    }
    assertThat(memory.suspects()).isEmpty();
  }
}
