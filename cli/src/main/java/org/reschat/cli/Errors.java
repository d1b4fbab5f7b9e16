package org.reschat.cli;

import org.reschat.cli.text.SafeText;
import java.io.PrintWriter;
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

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    if (java.util.Arrays.asList(args).contains("--json")) {
      err.println(Json.inert(Json.error(ExitCodes.USAGE, plain(e) + nicknameHint(cmd, args)).toString()));
      err.flush();
      return ExitCodes.USAGE;
    }
    err.println("reschat: " + plain(e) + nicknameHint(cmd, args));
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
    err.flush();
    return ExitCodes.USAGE;
  }
}
