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

  private final CliContext ctx;
  private final boolean enabled;
  private ProgressBar bar;

  public ProgressDisplay(CliContext ctx, boolean json) {
    this.ctx = ctx;
    this.enabled = ctx.stderrIsTerminal && !json;
  }

  @Override
  public synchronized void pagesRead(int done, int total) {
    if (!enabled || total < WORTH_SHOWING) {
      return;
    }
    if (bar == null) {
      bar = new ProgressBarBuilder()
          .setTaskName("Loading pages")
          .setInitialMax(total)
          .setUpdateIntervalMillis(100)
          .setConsumer(new ConsoleProgressBarConsumer(ctx.progress))
          .build();
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
