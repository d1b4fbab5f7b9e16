package org.reschat.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/** Builds the command line over a context; Main and the tests both go through here. */
public final class Cli {
  private Cli() {}

  public static CommandLine commandLine(CliContext ctx) {
    CommandLine cl = new CommandLine(ReschatCommand.class, new ContextFactory(ctx));
    cl.setOut(ctx.out);
    cl.setErr(ctx.err);
    Errors errors = new Errors();
    cl.setExecutionExceptionHandler(errors);
    cl.setParameterExceptionHandler(errors);
    boolean noColor = ctx.env.containsKey("NO_COLOR") || !ctx.interactive;
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(noColor ? CommandLine.Help.Ansi.OFF : CommandLine.Help.Ansi.AUTO));
    return cl;
  }

  /** Runs {@code args} and returns the exit code. */
  public static int run(CliContext ctx, String... args) {
    try {
      return commandLine(ctx).execute(args);
    } finally {
      ctx.out.flush();
      ctx.err.flush();
    }
  }

  /** Creates command objects, handing the context to those whose constructor takes one. */
  private static final class ContextFactory implements CommandLine.IFactory {
    private final CliContext ctx;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    ContextFactory(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        Constructor<K> c = type.getDeclaredConstructor(CliContext.class);
        c.setAccessible(true);
        return c.newInstance(ctx);
      } catch (NoSuchMethodException e) {
        return fallback.create(type);
      }
    }
  }
}
