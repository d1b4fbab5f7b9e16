package org.reschat.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.reschat.core.HistoryRequest;

/**
 * A progress bar on stderr while many pages load, only when stderr is a terminal and the load is long
 * enough to be worth one (each page can take 100 ms or more on ResilientDB).
 */
public final class ProgressDisplay implements HistoryRequest.Progress, AutoCloseable {
  private static final int WORTH_SHOWING = 6;
  /** A file bar is worth it from one chunk up. */
  private static final long FILE_WORTH_SHOWING = 192 * 1024; // one chunk: smaller files move at once

  private final CliContext ctx;
  private final boolean enabled;
  private final String task;
  private ProgressBar bar;

  public ProgressDisplay(CliContext ctx, boolean json) {
    this(ctx, json, "Loading pages");
  }

  /** A bar named {@code task}, e.g. "Sending report.pdf" (sanitised by the caller). */
  public ProgressDisplay(CliContext ctx, boolean json, String task) {
    this.ctx = ctx;
    this.enabled = ctx.stderrIsTerminal && !json;
    this.task = task;
  }

  @Override
  public synchronized void pagesRead(int done, int total) {
    if (total >= WORTH_SHOWING) {
      show(done, total, false);
    }
  }

  /** Bytes of a file moved so far (a file transfer's progress). */
  public synchronized void bytes(long done, long total) {
    if (total >= FILE_WORTH_SHOWING) {
      show(done, total, true);
    }
  }

  private void show(long done, long total, boolean bytes) {
    if (!enabled) {
      return;
    }
    if (bar == null) {
      ProgressBarBuilder b = new ProgressBarBuilder()
          .setTaskName(task)
          .setInitialMax(total)
          .setUpdateIntervalMillis(100)
          .setConsumer(new ConsoleProgressBarConsumer(ctx.progress));
      if (bytes) {
        b.setUnit(" MiB", 1 << 20).showSpeed();
      }
      bar = b.build();
    }
    // Loader threads report out of order; the bar only moves forward.
    if (done > bar.getCurrent()) {
      bar.stepTo(done);
    }
  }

  @Override
  public synchronized void close() {
    if (bar != null) {
      bar.refresh();
      bar.close();
      bar = null;
    }
  }
}
