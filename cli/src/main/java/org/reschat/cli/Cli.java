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
    tidyHelp(cl);
    // A message id is random base64url and may start with "-" (one in 64): where one is a positional parameter,
    // a word picocli does not know as an option is that parameter, not an unknown option.
    for (String takesAnId : java.util.List.of("react", "edit", "delete", "download")) {
      cl.getSubcommands().get(takesAnId).setUnmatchedOptionsArePositionalParams(true);
    }
    // The same for a card wrapped over several words: a piece may start with "-".
    cl.getSubcommands().get("friend").getSubcommands().get("add").setUnmatchedOptionsArePositionalParams(true);
    return cl;
  }

  /** Columns the help is laid out in: what every terminal has. */
  static final int HELP_WIDTH = 80;

  /**
   * Every command's help: "Usage: reschat send [OPTIONS] NICK [TEXT…]" instead of a synopsis of every global
   * option over five lines, and each paragraph of a description wrapped here so that no line is left with a
   * single word. The first line, the summary the command list shows, is left as written (short, a sentence).
   */
  private static void tidyHelp(CommandLine cl) {
    cl.getCommandSpec().usageMessage().abbreviateSynopsis(true);
    String[] description = cl.getCommandSpec().usageMessage().description();
    if (description.length > 1) {
      java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of(description[0]));
      for (String paragraph : paragraphs(description)) {
        if (lines.size() > 1) {
          lines.add(""); // between paragraphs, as the source separated them
        }
        lines.addAll(wrap(paragraph, HELP_WIDTH - 1));
      }
      cl.getCommandSpec().usageMessage().description(lines.toArray(new String[0]));
    }
    cl.getSubcommands().values().forEach(Cli::tidyHelp);
  }

  /**
   * The description after its summary as paragraphs: the source breaks its strings where it fits the editor,
   * often mid-sentence, so consecutive strings are one paragraph; an empty string separates two. Wrapping each
   * string on its own left "verified and" alone on a line, then "decrypted." on the next.
   */
  static java.util.List<String> paragraphs(String[] description) {
    java.util.List<String> out = new java.util.ArrayList<>();
    StringBuilder paragraph = new StringBuilder();
    for (int i = 1; i < description.length; i++) {
      String part = description[i].strip();
      if (part.isEmpty()) {
        if (paragraph.length() > 0) {
          out.add(paragraph.toString());
          paragraph.setLength(0);
        }
        continue;
      }
      paragraph.append(paragraph.length() > 0 ? " " : "").append(part);
    }
    if (paragraph.length() > 0) {
      out.add(paragraph.toString());
    }
    return out;
  }

  /** {@code text} in lines of at most {@code width} columns, the last never a lone word when it can have two. */
  static java.util.List<String> wrap(String text, int width) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    lines.add(line.toString());
    int last = lines.size() - 1;
    if (last > 0 && !lines.get(last).contains(" ")) {
      String before = lines.get(last - 1);
      int cut = before.lastIndexOf(' ');
      if (cut > 0) { // move the previous line's last word down to keep the orphan company
        lines.set(last - 1, before.substring(0, cut));
        lines.set(last, before.substring(cut + 1) + " " + lines.get(last));
      }
    }
    return lines;
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
