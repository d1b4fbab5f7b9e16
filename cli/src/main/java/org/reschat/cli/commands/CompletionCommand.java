package org.reschat.cli.commands;

import java.util.List;
import java.util.concurrent.Callable;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Session;
import org.reschat.localdb.Friend;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code generate-completion}: picocli's bash/zsh script, where a friend's or group's name is asked for
 * completed from the profile ({@code complete-names}, run at Tab time with the command line's {@code --home}).
 */
@Command(name = "generate-completion", mixinStandardHelpOptions = true,
    description = {"Print a bash/zsh completion script.",
        "Use it with: source <(reschat generate-completion). Commands, options, and the names of your friends "
            + "and groups complete with Tab (group names only when the keys open without asking: no passphrase, "
            + "or RESCHAT_PASSPHRASE set)."})
public final class CompletionCommand implements Callable<Integer> {
  /** Commands whose first argument is a friend or a group, as picocli names their completion functions. */
  static final List<String> TAKE_A_NAME = List.of("send", "history", "chat", "export", "files", "download",
      "friend_remove", "friend_rename", "friend_verify", "group_show", "group_add", "group_remove", "group_admin",
      "group_leave", "group_link", "group_requests", "group_approve", "group_deny");

  /** Runs {@code reschat complete-names} with the profile options already typed; quiet on any failure. */
  static final String NAMES_FUNCTION = String.join("\n",
      "# Friends' nicknames and group names from the profile the command line names (its --home), for Tab.",
      "function _reschat_names() {",
      "  local args=() i",
      "  for (( i=1; i<COMP_CWORD; i++ )); do",
      "    case \"${COMP_WORDS[i]}\" in",
      "      --home|--store|--config|--passphrase-file) args+=(\"${COMP_WORDS[i]}\" \"${COMP_WORDS[i+1]}\") ;;",
      "      --home=*|--store=*|--config=*|--passphrase-file=*) args+=(\"${COMP_WORDS[i]}\") ;;",
      "    esac",
      "  done",
      "  \"${COMP_WORDS[0]}\" \"${args[@]}\" complete-names 2>/dev/null",
      "}",
      "");

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    String script = AutoComplete.bash("reschat", spec.root().commandLine());
    spec.commandLine().getOut().print(withNames(script));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  /** The script with names completed where a command takes one, and for search's --friend. */
  static String withNames(String script) {
    StringBuilder out = new StringBuilder();
    int at = script.indexOf("\nfunction ");
    out.append(script, 0, at + 1).append(NAMES_FUNCTION);
    String rest = script.substring(at + 1);
    for (String command : TAKE_A_NAME) {
      String header = "function _picocli_reschat_" + command + "() {";
      int start = rest.indexOf(header);
      int end = rest.indexOf("\n}\n", start);
      if (start < 0 || end < 0) {
        throw new IllegalStateException("picocli's script has no " + header);
      }
      String name = command.substring(command.lastIndexOf('_') + 1);
      String body = rest.substring(start, end).replace("    local positionals=\"\"\n",
          "    local positionals=\"\"\n"
              + "    if (( $(currentPositionalIndex \"" + name + "\" \"${arg_opts}\" \"${flag_opts}\") == 0 )); then\n"
              + "      positionals=$(_reschat_names)\n"
              + "    fi\n");
      rest = rest.substring(0, start) + body + rest.substring(end);
    }
    rest = rest.replace("    '--friend')\n      return\n      ;;",
        "    '--friend')\n      local IFS=$'\\n'\n      COMPREPLY=( $(compgen -W \"$(_reschat_names)\" -- \"${curr_word}\") )\n"
            + "      return $?\n      ;;");
    return out.append(rest).toString();
  }

  /** {@code complete-names}: what Tab offers for a name, one per line; never asks anything, never fails loudly. */
  @Command(name = "complete-names", hidden = true, description = "Friends' nicknames and group names, for completion.")
  public static final class Names extends BaseCommand {
    Names(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      if (!session.profile().hasIdentity()) {
        return ExitCodes.OK;
      }
      for (Friend f : session.profile().friends().list()) {
        session.context().out().println(f.nickname());
      }
      // Group names are sealed: only when the keys open without a prompt (none to ask on at Tab time).
      if (!session.profile().state().groupIds().isEmpty() && session.context().warm() == null) {
        try {
          session.usePrompt(prompt -> null);
          for (org.reschat.core.GroupInfo g : session.client().groups().list()) {
            if (g.active()) {
              session.context().out().println(g.name());
            }
          }
        } catch (Exception needsAPassphraseOrTheStore) {
          // friends only
        }
      }
      session.context().out().flush();
      return ExitCodes.OK;
    }
  }
}
