package org.reschat.config;

import java.time.Duration;

/**
 * Every setting, with its name in each source. Precedence, lowest first: the default, the config file,
 * the environment, the command line.
 *
 * <table>
 *   <caption>Where each setting comes from</caption>
 *   <tr><th>setting</th><th>config file key</th><th>environment</th><th>option</th><th>default</th></tr>
 *   <tr><td>store</td><td>store</td><td>RESCHAT_STORE</td><td>--store</td><td>embedded:$XDG_DATA_HOME/reschat/ledger.db</td></tr>
 *   <tr><td>profile directory</td><td>home</td><td>RESCHAT_HOME</td><td>--home</td><td>$XDG_DATA_HOME/reschat/profile</td></tr>
 *   <tr><td>connect timeout</td><td>connectTimeout</td><td>RESCHAT_CONNECT_TIMEOUT</td><td>--connect-timeout</td><td>3s</td></tr>
 *   <tr><td>read timeout</td><td>readTimeout</td><td>RESCHAT_READ_TIMEOUT</td><td>--read-timeout</td><td>10s</td></tr>
 *   <tr><td>confirm timeout</td><td>confirmTimeout</td><td>RESCHAT_CONFIRM_TIMEOUT</td><td>--confirm-timeout</td><td>15s</td></tr>
 *   <tr><td>poll interval</td><td>pollInterval</td><td>RESCHAT_POLL_INTERVAL</td><td>--interval</td><td>2s</td></tr>
 *   <tr><td>pages at start</td><td>pagesAtStart</td><td>RESCHAT_PAGES</td><td>--pages</td><td>2</td></tr>
 *   <tr><td>colour</td><td>color</td><td>RESCHAT_COLOR, NO_COLOR</td><td>--color, --no-color</td><td>auto</td></tr>
 *   <tr><td>bell</td><td>notify.bell</td><td>RESCHAT_NOTIFY_BELL</td><td>--bell</td><td>on</td></tr>
 *   <tr><td>desktop notifications</td><td>notify.desktop</td><td>RESCHAT_NOTIFY_DESKTOP</td><td>--desktop</td><td>on</td></tr>
 *   <tr><td>command per event</td><td>notify.exec</td><td>RESCHAT_NOTIFY_EXEC</td><td>--exec</td><td>(none)</td></tr>
 * </table>
 */
public enum Setting {
  STORE("store", "RESCHAT_STORE", "--store",
      "a store: embedded:PATH, resilientdb:http://HOST:18000[,http://HOST2:18000...], etcd:http://HOST:2379[,http://HOST2:2379...] or memory:"),
  HOME("home", "RESCHAT_HOME", "--home", "a directory path"),
  CONNECT_TIMEOUT("connectTimeout", "RESCHAT_CONNECT_TIMEOUT", "--connect-timeout",
      "a duration from 100ms to 5m, such as 3s or 500ms"),
  READ_TIMEOUT("readTimeout", "RESCHAT_READ_TIMEOUT", "--read-timeout", "a duration from 100ms to 5m, such as 10s"),
  CONFIRM_TIMEOUT("confirmTimeout", "RESCHAT_CONFIRM_TIMEOUT", "--confirm-timeout",
      "a duration from 100ms to 10m, such as 15s"),
  POLL_INTERVAL("pollInterval", "RESCHAT_POLL_INTERVAL", "--interval", "a duration from 200ms to 1h, such as 2s"),
  PAGES_AT_START("pagesAtStart", "RESCHAT_PAGES", "--pages", "a whole number from 1 to 1000"),
  COLOR("color", "RESCHAT_COLOR", "--color", "auto, always or never"),
  /** A terminal bell for each new message, on a terminal. */
  NOTIFY_BELL("notify.bell", "RESCHAT_NOTIFY_BELL", "--bell", "on or off"),
  /** A desktop notification (notify-send) for each new message, on a terminal of a desktop session that has it. */
  NOTIFY_DESKTOP("notify.desktop", "RESCHAT_NOTIFY_DESKTOP", "--desktop", "on or off"),
  /** A command run for each event, the event as one JSON object on its standard input; empty: none. */
  NOTIFY_EXEC("notify.exec", "RESCHAT_NOTIFY_EXEC", "--exec", "a command line for /bin/sh (the event arrives on its standard input), or empty");

  private final String fileKey;
  private final String environmentVariable;
  private final String option;
  private final String allowed;

  Setting(String fileKey, String environmentVariable, String option, String allowed) {
    this.fileKey = fileKey;
    this.environmentVariable = environmentVariable;
    this.option = option;
    this.allowed = allowed;
  }

  /** Its key in the config file. */
  public String fileKey() {
    return fileKey;
  }

  /** Its environment variable. */
  public String environmentVariable() {
    return environmentVariable;
  }

  /** Its command-line option. */
  public String option() {
    return option;
  }

  /** What values are allowed, for error messages. */
  public String allowed() {
    return allowed;
  }

  Duration minimum() {
    switch (this) {
      case POLL_INTERVAL:
        return Duration.ofMillis(200);
      default:
        return Duration.ofMillis(100);
    }
  }

  Duration maximum() {
    switch (this) {
      case CONFIRM_TIMEOUT:
        return Duration.ofMinutes(10);
      case POLL_INTERVAL:
        return Duration.ofHours(1);
      default:
        return Duration.ofMinutes(5);
    }
  }
}
