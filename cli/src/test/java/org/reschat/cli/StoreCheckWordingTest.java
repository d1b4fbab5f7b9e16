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
      // The test is about wording, not speed: the healthy node's first answer can take over a second on a
      // loaded machine, so the read timeout is wide, and the hanging node hangs far longer than it.
      cluster.node(1).responseDelay(Duration.ofSeconds(60));
      CliHarness cli = new CliHarness(dir);
      cli.useResilientDb(cluster, Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(15));
      CliHarness.Result r = cli.run("store", "check");
      assertThat(r.code()).as(r.toString()).isZero();
      assertThat(r.out()).contains("DOWN " + cluster.node(1).url())
          .contains("(read timeout 4 s)").doesNotContain("no answer within 6 s");
    }
  }
}
