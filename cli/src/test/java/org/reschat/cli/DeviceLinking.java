package org.reschat.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Linking a device as a person does it at two terminals (protocol §15.5): the first device prints a code, the new
 * device joins with it and shows ten digits, and the person answers yes on the first device exactly when its
 * question names those digits. Answers the harness's questions from the moment it is made.
 */
final class DeviceLinking {
  private final CliHarness cli;
  private final Duration wait;
  /** The ten digits the new device showed: what the person compares on the first device. */
  private final AtomicReference<String> shown = new AtomicReference<>();

  DeviceLinking(CliHarness cli, Duration wait) {
    this.cli = cli;
    this.wait = wait;
    cli.questions = this::answer;
  }

  private String answer(String question) {
    // The person reads the new device's screen first: waited for as long as the link itself may take.
    for (long end = System.nanoTime() + wait.toNanos(); System.nanoTime() < end && shown.get() == null; ) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return shown.get() != null && question.contains(shown.get()) ? "y" : "n";
  }

  /**
   * Runs the link on {@code first} and the join on {@code home}, a new profile: the two results, the join's null when
   * the link failed (the join is stopped then).
   */
  CliHarness.Result[] link(String first, String home, String... linkOptions) throws Exception {
    shown.set(null); // the check of this link, not of an earlier one
    List<String> args = new ArrayList<>(List.of("device", "link", "--poll-millis", "20"));
    args.addAll(List.of(linkOptions));
    CliHarness.Running link = cli.start(first, args.toArray(new String[0]));
    String code = link.await("rcl1:[A-Za-z0-9_-]+", wait);
    CliHarness.Running join = cli.start(home, "device", "join", code, "--name", home, "--no-passphrase",
        "--poll-millis", "20");
    shown.set(join.await("[0-9]{5} [0-9]{5}", wait));
    CliHarness.Result linked = link.result(wait);
    if (linked.code() != 0) {
      join.code().cancel(true);
      return new CliHarness.Result[] {linked, null};
    }
    return new CliHarness.Result[] {linked, join.result(wait)};
  }
}
