package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.kv.testing.ResilientDbCluster;

/** {@code store check} reports a hanging endpoint with the time it waited and the timeout that ended it. */
class StoreCheckWordingTest {
  @TempDir Path dir;

  @Test
  void aHangingEndpointIsReportedWithTheReadTimeout() {
    try (ResilientDbCluster cluster = ResilientDbCluster.start(2)) {
      cluster.node(1).responseDelay(Duration.ofSeconds(10));
      CliHarness cli = new CliHarness(dir);
      cli.useResilientDb(cluster, Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(3));
      CliHarness.Result r = cli.run("store", "check");
      assertThat(r.code()).as(r.toString()).isZero();
      assertThat(r.out()).contains("DOWN " + cluster.node(1).url()).contains("(read timeout 0.5 s)")
          .doesNotContain("no answer within 2.5 s");
    }
  }
}
