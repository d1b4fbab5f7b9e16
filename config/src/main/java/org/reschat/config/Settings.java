package org.reschat.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** The resolved, validated settings and where each came from. Immutable. */
public final class Settings {

  /** When to colour output. */
  public enum Color { AUTO, ALWAYS, NEVER }

  private final Map<Setting, Object> values;
  private final Map<Setting, String> sources;
  private final Path configFile;
  private final Path dataDirectory;

  Settings(Map<Setting, Object> values, Map<Setting, String> sources, Path configFile, Path dataDirectory) {
    this.values = Collections.unmodifiableMap(new EnumMap<>(values));
    this.sources = Collections.unmodifiableMap(new EnumMap<>(sources));
    this.configFile = configFile;
    this.dataDirectory = dataDirectory;
  }

  /** The store spec, e.g. {@code embedded:/home/a/.local/share/reschat/ledger.db}. */
  public String store() {
    return (String) values.get(Setting.STORE);
  }

  /** This person's profile directory. */
  public Path home() {
    return (Path) values.get(Setting.HOME);
  }

  public Duration connectTimeout() {
    return (Duration) values.get(Setting.CONNECT_TIMEOUT);
  }

  public Duration readTimeout() {
    return (Duration) values.get(Setting.READ_TIMEOUT);
  }

  public Duration confirmTimeout() {
    return (Duration) values.get(Setting.CONFIRM_TIMEOUT);
  }

  /** How often {@code receive --follow} and the chat view look for new messages. */
  public Duration pollInterval() {
    return (Duration) values.get(Setting.POLL_INTERVAL);
  }

  /** Pages of each feed shown when a chat opens. */
  public int pagesAtStart() {
    return (Integer) values.get(Setting.PAGES_AT_START);
  }

  public Color color() {
    return (Color) values.get(Setting.COLOR);
  }

  /** Whether a new message rings the terminal's bell (on a terminal only). */
  public boolean bell() {
    return (Boolean) values.get(Setting.NOTIFY_BELL);
  }

  /** Whether a new message shows a desktop notification where {@code notify-send} and a desktop session exist. */
  public boolean desktopNotifications() {
    return (Boolean) values.get(Setting.NOTIFY_DESKTOP);
  }

  /** The command run for each event (through {@code /bin/sh -c}, the event on its standard input), if set. */
  public java.util.Optional<String> notifyExec() {
    String s = (String) values.get(Setting.NOTIFY_EXEC);
    return s.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(s);
  }

  /** Where a setting's value came from, e.g. {@code environment variable RESCHAT_STORE}. */
  public String sourceOf(Setting setting) {
    return sources.get(setting);
  }

  /** The config file consulted (it may not exist). */
  public Path configFile() {
    return configFile;
  }

  /** {@code $XDG_DATA_HOME/reschat}: shared by every profile of this account. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The value of a setting as text, as {@code reschat config} shows it. */
  public String display(Setting setting) {
    Object v = values.get(setting);
    if (v instanceof Duration) {
      return Durations.format((Duration) v);
    }
    if (v instanceof Color) {
      return ((Color) v).name().toLowerCase(java.util.Locale.ROOT);
    }
    if (v instanceof Boolean) {
      return (Boolean) v ? "on" : "off";
    }
    return String.valueOf(v);
  }
}
