package org.reschat.cli;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.reschat.config.Setting;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options every command takes, before or after its name ({@code reschat --json send …} and
 * {@code reschat send --json …} mean the same). Each command mixes this in; the setters store every
 * value in the root command's instance, so there is one place to read them.
 */
public final class GlobalOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  Path home;
  String store;
  Path config;
  boolean json;
  boolean noColor;
  boolean verbose;
  boolean readOnly;
  Path passphraseFile;
  String connectTimeout;
  String readTimeout;
  String confirmTimeout;

  /** The instance holding the values: the root command's. */
  GlobalOptions values() {
    Object root = mixee.root().userObject();
    return root instanceof ReschatCommand ? ((ReschatCommand) root).global : this;
  }

  @Option(names = "--home", paramLabel = "DIR",
      description = "Profile directory (env RESCHAT_HOME).")
  void setHome(Path value) {
    values().home = value;
  }

  @Option(names = "--store", paramLabel = "SPEC",
      description = {"Store: embedded:PATH, resilientdb:URL[,…],", "etcd:URL[,…] or memory: (env RESCHAT_STORE)."})
  void setStore(String value) {
    values().store = value;
  }

  @Option(names = "--config", paramLabel = "FILE",
      description = "Config file (env RESCHAT_CONFIG).")
  void setConfig(Path value) {
    values().config = value;
  }

  @Option(names = "--json", description = "One JSON object per line on stdout.")
  void setJson(boolean value) {
    values().json |= value;
  }

  @Option(names = "--no-color", description = "No colours (also NO_COLOR=1).")
  void setNoColor(boolean value) {
    values().noColor |= value;
  }

  @Option(names = {"-v", "--verbose"}, description = "Details of errors, with stack traces.")
  void setVerbose(boolean value) {
    values().verbose |= value;
  }

  @Option(names = "--read-only",
      description = {"Open the profile without changing it", "(also RESCHAT_READ_ONLY=1)."})
  void setReadOnly(boolean value) {
    values().readOnly |= value;
  }

  @Option(names = "--passphrase-file", paramLabel = "FILE",
      description = {"The passphrase is FILE's first line", "(or set RESCHAT_PASSPHRASE)."})
  void setPassphraseFile(Path value) {
    values().passphraseFile = value;
  }

  @Option(names = "--connect-timeout", paramLabel = "DURATION", description = "Store connect timeout, e.g. 3s.")
  void setConnectTimeout(String value) {
    values().connectTimeout = value;
  }

  @Option(names = "--read-timeout", paramLabel = "DURATION", description = "Store read timeout, e.g. 10s.")
  void setReadTimeout(String value) {
    values().readTimeout = value;
  }

  @Option(names = "--confirm-timeout", paramLabel = "DURATION",
      description = {"How long a write may take to show on", "the store, e.g. 15s."})
  void setConfirmTimeout(String value) {
    values().confirmTimeout = value;
  }

  /** The settings given as options, for {@code ConfigLoader}. */
  Map<Setting, String> asSettings() {
    GlobalOptions v = values();
    Map<Setting, String> m = new EnumMap<>(Setting.class);
    if (v.store != null) {
      m.put(Setting.STORE, v.store);
    }
    if (v.home != null) {
      m.put(Setting.HOME, v.home.toString());
    }
    if (v.connectTimeout != null) {
      m.put(Setting.CONNECT_TIMEOUT, v.connectTimeout);
    }
    if (v.readTimeout != null) {
      m.put(Setting.READ_TIMEOUT, v.readTimeout);
    }
    if (v.confirmTimeout != null) {
      m.put(Setting.CONFIRM_TIMEOUT, v.confirmTimeout);
    }
    if (v.noColor) {
      m.put(Setting.COLOR, "never");
    }
    return m;
  }
}
