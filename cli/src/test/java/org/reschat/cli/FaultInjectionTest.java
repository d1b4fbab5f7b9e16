package org.reschat.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.reschat.cli.CliHarness.Result;
import org.reschat.kv.testing.ResilientDbCluster;

/**
 * Faults of a real ResilientDB deployment, injected while Alice sends: every send returns within its
 * timeouts, says "confirmed" (exit 0) or "queued" (exit 6) and nothing else, and once the fault clears
 * Bob receives every message, in order.
 */
@org.junit.jupiter.api.Tag("slow") // waits out real timeouts: left out by mvn -Pfast
class FaultInjectionTest {
  // While a fault is on: short timeouts, since most faults work by making one of them expire.
  private static final Duration CONNECT = Duration.ofMillis(300);
  private static final Duration READ = Duration.ofMillis(500);
  private static final Duration CONFIRM = Duration.ofSeconds(1);
  // A send waits at most 4 attempts × (connect + 2 × read) + the confirm window (6.2 s). The bound is three
  // times that, for backoff and a loaded machine: it still catches a send that outlives its timeouts.
  private static final Duration SEND_BOUND = CONNECT.plus(READ.multipliedBy(2)).multipliedBy(4).plus(CONFIRM)
      .multipliedBy(3);
  // Everything that must succeed (the set-up, the recovery, failover to a live endpoint) runs with wide
  // timeouts, so that a loaded machine's slow answer is never taken for a fault.
  private static final Duration WIDE_CONNECT = Duration.ofSeconds(5);
  private static final Duration WIDE_READ = Duration.ofSeconds(10);
  private static final Duration WIDE_CONFIRM = Duration.ofSeconds(20);

  @TempDir Path dir;
  CliHarness cli;
  ResilientDbCluster cluster;

  @BeforeEach
  void start() {
    cluster = ResilientDbCluster.start(2);
    cli = new CliHarness(dir);
    cli.useResilientDb(cluster, WIDE_CONNECT, WIDE_READ, WIDE_CONFIRM);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "before the fault"));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        fault("500 storm on every endpoint", c -> c.nodes().forEach(n -> n.server().stubFor(any(urlPathMatching("/v1/.*"))
            .atPriority(1).willReturn(aResponse().withStatus(500).withBody("get value fail"))))),
        fault("connection reset on every endpoint", c -> c.nodes().forEach(n -> n.server().stubFor(any(urlPathMatching("/v1/.*"))
            .atPriority(1).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))))),
        fault("answers slower than the read timeout", c -> c.nodes().forEach(n -> n.server().stubFor(any(urlPathMatching("/v1/.*"))
            .atPriority(1).willReturn(aResponse().withStatus(200).withFixedDelay(3000))))),
        fault("HTML 502 pages from a proxy", c -> c.nodes().forEach(n -> n.server().stubFor(any(urlPathMatching("/v1/.*"))
            .atPriority(1).willReturn(aResponse().withStatus(502).withBody("<html><h1>502 Bad Gateway</h1></html>"))))),
        fault("commits acknowledged but never applied", c -> c.dropCommits(true)),
        fault("commits visible only after the confirm timeout", c -> c.visibilityDelay(Duration.ofMillis(1500))),
        fault("one of two endpoints dead", c -> c.node(0).stop()));
  }

  private static Arguments fault(String name, Consumer<ResilientDbCluster> inject) {
    return Arguments.of(name, inject);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void sendsStayBoundedHonestAndLossless(String name, Consumer<ResilientDbCluster> inject) throws Exception {
    boolean failover = name.startsWith("one of two");
    if (!failover) {
      // A dead endpoint refuses at once; only the faults that make a timeout expire need short ones.
      cli.useResilientDb(cluster, CONNECT, READ, CONFIRM);
    }
    inject.accept(cluster);
    int queued = 0;
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      Result r = cli.as("alice", "send", "bob", name + " #" + i);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(r.code()).as(r.toString()).isIn(ExitCodes.OK, ExitCodes.QUEUED);
      if (!failover) {
        assertThat(took).as("send #" + i + " took " + took).isLessThan(SEND_BOUND);
      }
      if (r.code() == ExitCodes.QUEUED) {
        queued++;
        assertThat(r.err()).contains("queued for bob");
      }
    }
    if (failover) {
      assertThat(queued).as("the live endpoint serves everything").isZero();
    }
    Result local = cli.as("alice", "history", "bob");
    assertThat(local.code()).as(local.toString()).isIn(ExitCodes.OK, ExitCodes.STORE);
    assertThat(local.lines()).as(local.toString()).hasSize(4); // every message shows, from the store or the local copy
    if (queued > 0 && local.code() == ExitCodes.STORE) {
      assertThat(local.out()).contains("(queued)");
      assertThat(local.err()).contains("copy kept on this computer");
    }

    // The fault clears.
    cluster.nodes().forEach(n -> {
      if (n.server().isRunning()) {
        n.resetToContract();
      }
    });
    cluster.dropCommits(false);
    cluster.visibilityDelay(Duration.ZERO);
    cli.useResilientDb(cluster, WIDE_CONNECT, WIDE_READ, WIDE_CONFIRM);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!cluster.everyWriteVisible()) { // writes delayed by the fault become visible
      assertThat(System.nanoTime() - deadline).as("delayed writes still invisible after 30 s").isNegative();
      Thread.sleep(20);
    }
    Result publish = cli.as("alice", "receive");
    assertThat(publish.code()).as(publish.toString()).isZero();
    Result received = cli.as("bob", "receive");
    assertThat(received.code()).as(received.toString()).isZero();
    List<String> texts = received.lines().stream().map(l -> l.substring(l.indexOf(": ") + 2)).collect(Collectors.toList());
    assertThat(texts).containsExactly("before the fault", name + " #0", name + " #1", name + " #2");
    System.out.printf("[reliability] fault '%s': 3 sent, %d queued during the fault, 0 lost%n", name, queued);
  }
}
