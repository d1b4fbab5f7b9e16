package org.reschat.cli;

import org.reschat.cli.text.SafeText;
import java.io.PrintWriter;
import java.util.List;
import org.reschat.config.ConfigException;
import org.reschat.core.IdentityFileException;
import org.reschat.core.InvalidCardException;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.WrongPassphraseException;
import org.reschat.kv.InvalidStoreSpecException;
import org.reschat.kv.KvException;
import org.reschat.localdb.ProfileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one sentence on stderr and its exit code (see {@link ExitCodes}). Stack
 * traces only with {@code -v}.
 */
final class Errors implements IExecutionExceptionHandler, IParameterExceptionHandler {

  static int exitCode(Throwable e) {
    if (e instanceof CliException) {
      return ((CliException) e).exitCode();
    }
    if (e instanceof ProfileException) {
      ProfileException.Kind k = ((ProfileException) e).kind();
      return k == ProfileException.Kind.UNKNOWN_FRIEND || k == ProfileException.Kind.NO_IDENTITY
          ? ExitCodes.NOT_FOUND : ExitCodes.USAGE;
    }
    if (e instanceof ConfigException || e instanceof InvalidStoreSpecException || e instanceof InvalidCardException
        || e instanceof InvalidMessageException) {
      return ExitCodes.USAGE;
    }
    if (e instanceof org.reschat.core.UploadInterruptedException) {
      return ExitCodes.QUEUED;
    }
    if (e instanceof WrongPassphraseException || e instanceof org.reschat.core.FileCheckException) {
      return ExitCodes.SECURITY;
    }
    if (e instanceof org.reschat.core.GroupException) {
      switch (((org.reschat.core.GroupException) e).reason()) {
        case REMOVED:
        case LEFT:
          return ExitCodes.SECURITY; // you are out of the group: nothing you write there will be read
        case NOT_A_MEMBER:
          return ExitCodes.NOT_FOUND;
        default:
          return ExitCodes.USAGE;
      }
    }
    if (e instanceof org.reschat.core.DeviceException) {
      switch (((org.reschat.core.DeviceException) e).reason()) {
        case NOT_THIS_DEVICE:
        case DAMAGED:
        case REVOKED:
          return ExitCodes.SECURITY; // someone else used the code, or the ledger does not check
        case NO_SUCH_DEVICE:
          return ExitCodes.NOT_FOUND;
        default:
          return ExitCodes.USAGE;
      }
    }
    if (e instanceof org.reschat.kv.KvStorageException) {
      return ExitCodes.LOCAL; // the embedded ledger's file: a local problem, like the profile's files
    }
    if (e instanceof KvException) {
      return ExitCodes.STORE;
    }
    if (e instanceof LocalStateException || e instanceof IdentityFileException) {
      return ExitCodes.LOCAL;
    }
    return ExitCodes.INTERNAL;
  }

  static String sentence(Throwable e) {
    if (exitCode(e) == ExitCodes.INTERNAL) {
      return "Unexpected error (" + e + "). Run again with -v for details, and please report it.";
    }
    if (e instanceof KvException && !(e instanceof org.reschat.kv.KvStorageException)) {
      return "The store failed: " + e.getMessage();
    }
    return e.getMessage();
  }

  /** Prints the failure and returns its exit code. The sentence can quote a store or a file: sanitised. */
  static int report(Throwable e, PrintWriter err, boolean verbose) {
    return report(e, err, verbose, false);
  }

  /** As {@link #report(Throwable, PrintWriter, boolean)}; with {@code json}, the error is a JSON object. */
  static int report(Throwable e, PrintWriter err, boolean verbose, boolean json) {
    if (json) {
      err.println(Json.inert(Json.error(exitCode(e), sentence(e)).toString()));
    } else {
      err.println("reschat: " + SafeText.block(sentence(e), "  "));
    }
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return exitCode(e);
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
    Object root = commandLine.getCommandSpec().root().userObject();
    boolean verbose = root instanceof ReschatCommand && ((ReschatCommand) root).global.verbose;
    boolean json = root instanceof ReschatCommand && ((ReschatCommand) root).global.json;
    return report(e, commandLine.getErr(), verbose, json);
  }

  /** picocli's message, said as a person would where picocli's wording is a parser's. */
  static String plain(ParameterException e) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^Error: (.+) are mutually exclusive \\(specify only one\\)$")
        .matcher(e.getMessage());
    if (m.matches()) {
      String[] options = m.group(1).split(", ");
      return String.join(" and ", options).replace("=N", " N") + " cannot be used together; give only one of them.";
    }
    return e.getMessage();
  }

  /**
   * When a command taking a nickname got a word starting with '-' that is no option of it ({@code friend
   * add -carol CARD}), picocli reports a missing parameter; say what happened to the word.
   */
  private static String nicknameHint(CommandLine cmd, String[] args) {
    boolean takesNick = cmd.getCommandSpec().positionalParameters().stream().anyMatch(p -> p.paramLabel().contains("NICK"));
    if (!takesNick) {
      return "";
    }
    for (String a : args) {
      if (a.startsWith("-") && !a.equals("-") && !a.equals("--") && cmd.getCommandSpec().findOption(a.split("=", 2)[0]) == null
          && cmd.getCommandSpec().root().findOption(a.split("=", 2)[0]) == null) {
        return " ('" + a + "' was read as an option: " + org.reschat.localdb.Nicknames.RULE + ")";
      }
    }
    return "";
  }

  /**
   * A word that is no command or option, said as a person would: "'sned' is not a reschat command; did you
   * mean 'send'?" instead of picocli's "Unmatched arguments from index 0". Null when it is something else
   * (an extra argument), which picocli's sentence says well enough.
   */
  static String unmatched(CommandLine.UnmatchedArgumentException e) {
    CommandLine cmd = e.getCommandLine();
    List<String> words = e.getUnmatched();
    if (words.isEmpty()) {
      return null;
    }
    String word = words.get(0);
    CommandLine.Model.CommandSpec spec = cmd.getCommandSpec();
    if (word.startsWith("-") && word.length() > 1) {
      List<String> options = new java.util.ArrayList<>();
      spec.options().forEach(o -> options.addAll(List.of(o.names())));
      spec.root().options().forEach(o -> options.addAll(List.of(o.names())));
      String close = closest(word.split("=", 2)[0], options);
      if (close == null && !nicknameHint(cmd, words.toArray(new String[0])).isEmpty()) {
        return null; // rather a nickname starting with '-': said below
      }
      return "Unknown option '" + SafeText.line(word) + "'" + (close == null
          ? "; '" + spec.qualifiedName() + " --help' lists the options." : "; did you mean '" + close + "'?");
    }
    if (spec.subcommands().isEmpty() || !spec.positionalParameters().isEmpty()) {
      return null;
    }
    String close = closest(word, new java.util.ArrayList<>(spec.subcommands().keySet()));
    String what = spec.parent() == null ? "a reschat command" : "a '" + spec.qualifiedName() + "' command";
    return "'" + SafeText.line(word) + "' is not " + what + (close == null
        ? "; '" + spec.qualifiedName() + " --help' lists them." : "; did you mean '" + close + "'?");
  }

  /** The candidate a typo most likely meant: within two edits, or the only one it starts; null when none is close. */
  static String closest(String typed, List<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String t = typed.toLowerCase(java.util.Locale.ROOT);
    for (String c : candidates) {
      int d = distance(t, c.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    if (best != null && bestDistance <= Math.min(2, Math.max(1, t.length() / 3))) {
      return best;
    }
    List<String> starting = candidates.stream().filter(c -> t.length() >= 2 && c.startsWith(t)).toList();
    return starting.size() == 1 ? starting.get(0) : null;
  }

  /** Edit distance, a swap of two neighbours counting as one edit (the commonest typo). */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String said = e instanceof CommandLine.UnmatchedArgumentException
        ? unmatched((CommandLine.UnmatchedArgumentException) e) : null;
    String sentence = said != null ? said : plain(e) + nicknameHint(cmd, args);
    if (java.util.Arrays.asList(args).contains("--json")) {
      err.println(Json.inert(Json.error(ExitCodes.USAGE, sentence).toString()));
      err.flush();
      return ExitCodes.USAGE;
    }
    err.println("reschat: " + sentence);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
    err.flush();
    return ExitCodes.USAGE;
  }
}
