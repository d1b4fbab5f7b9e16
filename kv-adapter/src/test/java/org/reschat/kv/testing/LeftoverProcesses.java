package org.reschat.kv.testing;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Stops every process a test class left running: child JVMs, etcd members, anything started from the test
 * JVM. It runs when each top-level test class ends (after its {@code @AfterAll}), at the end of the run, and
 * when the test JVM is shut down (surefire's fork timeout, Ctrl-C), so a failed or hung test never leaves a
 * process behind on a developer's machine or on CI. Each one it has to stop is named on stderr as a leak.
 *
 * <p>A module turns it on with {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}
 * in its test resources.
 */
public final class LeftoverProcesses implements TestExecutionListener {
  private volatile TestPlan plan;

  public LeftoverProcesses() {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll("the test JVM shutting down"), "leftover-processes"));
  }

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    plan = testPlan;
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    TestPlan p = plan;
    if (p == null || !(id.getSource().orElse(null) instanceof ClassSource)) {
      return;
    }
    boolean nested = p.getParent(id).flatMap(TestIdentifier::getSource).filter(ClassSource.class::isInstance).isPresent();
    if (!nested) {
      stopAll(((ClassSource) id.getSource().get()).getClassName());
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    stopAll("the end of the run");
  }

  /** Kills (SIGKILL) every live descendant of this JVM and waits a little for each to go. */
  static void stopAll(String leftBy) {
    List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .collect(Collectors.toList());
    if (left.isEmpty()) {
      return;
    }
    System.err.println("[leak] " + leftBy + " left " + left.size() + " process(es) running; stopping: "
        + left.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse(h.info().command().orElse("?")))
            .map(s -> s.length() > 160 ? s.substring(0, 160) + "…" : s).collect(Collectors.joining("; ")));
    left.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : left) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("[leak] process " + h.pid() + " did not stop within 10 s: " + e);
      }
    }
  }
}
