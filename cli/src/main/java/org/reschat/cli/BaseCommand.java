package org.reschat.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A command that does work: it gets the context and the global options, and runs in a {@link Session}. */
public abstract class BaseCommand implements Callable<Integer> {
  @Mixin
  protected GlobalOptions global;

  protected final CliContext ctx;

  protected BaseCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public final Integer call() throws Exception {
    try (Session session = ctx.warm() != null ? new Session(ctx, global, ctx.warm())
        : new Session(ctx, global, settingOverrides())) {
      return run(session);
    }
  }

  /** Settings this command's own options set, e.g. {@code --interval}; they win over every other source. */
  protected java.util.Map<org.reschat.config.Setting, String> settingOverrides() {
    java.util.Map<org.reschat.config.Setting, String> none = new java.util.EnumMap<>(org.reschat.config.Setting.class);
    return none;
  }

  /** Does the work; returns the exit code. Exceptions become exit codes in {@link Errors}. */
  protected abstract int run(Session session) throws Exception;
}
