package org.reschat.config;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Resolves {@link Settings}: defaults, then the config file, then the environment, then command-line
 * options, each later source overriding the earlier (see the table on {@link Setting}).
 *
 * <p>The config file is {@code --config}, else {@code $RESCHAT_CONFIG}, else
 * {@code $XDG_CONFIG_HOME/reschat/config.json} ({@code ~/.config/reschat/config.json}). The default file
 * may be absent; a file named explicitly must exist. Directories follow the XDG base directory spec;
 * nothing here reads the process environment directly, so tests pass their own.
 */
public final class ConfigLoader {
  private static final TypeAdapter<JsonElement> TREE = new Gson().getAdapter(JsonElement.class);

  private ConfigLoader() {}

  /**
   * @param environment the environment variables (in production {@code System.getenv()})
   * @param options values given on the command line, by setting
   * @param configOption the {@code --config} path, or null
   */
  public static Settings load(Map<String, String> environment, Map<Setting, String> options, Path configOption)
      throws ConfigException {
    Path home = homeDirectory(environment);
    Path dataHome = xdg(environment, "XDG_DATA_HOME", home.resolve(".local/share"));
    Path configHome = xdg(environment, "XDG_CONFIG_HOME", home.resolve(".config"));
    Path dataDirectory = dataHome.resolve("reschat");

    Map<Setting, String> raw = new EnumMap<>(Setting.class);
    Map<Setting, String> sources = new EnumMap<>(Setting.class);
    raw.put(Setting.STORE, "embedded:" + dataDirectory.resolve("ledger.db"));
    raw.put(Setting.HOME, dataDirectory.resolve("profile").toString());
    raw.put(Setting.CONNECT_TIMEOUT, "3s");
    raw.put(Setting.READ_TIMEOUT, "10s");
    raw.put(Setting.CONFIRM_TIMEOUT, "15s");
    raw.put(Setting.POLL_INTERVAL, "2s");
    raw.put(Setting.PAGES_AT_START, "2");
    raw.put(Setting.COLOR, "auto");
    raw.put(Setting.NOTIFY_BELL, "on");
    raw.put(Setting.NOTIFY_DESKTOP, "on");
    raw.put(Setting.NOTIFY_EXEC, "");
    for (Setting s : Setting.values()) {
      sources.put(s, "the default");
    }

    Path configFile;
    boolean explicit;
    if (configOption != null) {
      configFile = configOption;
      explicit = true;
    } else if (nonEmpty(environment.get("RESCHAT_CONFIG"))) {
      configFile = path(environment.get("RESCHAT_CONFIG"), "environment variable RESCHAT_CONFIG");
      explicit = true;
    } else {
      configFile = configHome.resolve("reschat/config.json");
      explicit = false;
    }
    readFile(configFile, explicit, raw, sources);

    for (Setting s : Setting.values()) {
      String value = environment.get(s.environmentVariable());
      if (nonEmpty(value)) {
        raw.put(s, value);
        sources.put(s, "environment variable " + s.environmentVariable());
      }
    }
    if (nonEmpty(environment.get("NO_COLOR")) && !nonEmpty(environment.get(Setting.COLOR.environmentVariable()))) {
      raw.put(Setting.COLOR, "never"); // https://no-color.org
      sources.put(Setting.COLOR, "environment variable NO_COLOR");
    }
    for (Map.Entry<Setting, String> e : options.entrySet()) {
      if (e.getValue() != null) {
        raw.put(e.getKey(), e.getValue());
        sources.put(e.getKey(), "option " + e.getKey().option());
      }
    }

    Map<Setting, Object> values = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      values.put(s, validate(s, expandHome(s, raw.get(s), home), sources.get(s)));
    }
    return new Settings(values, sources, configFile, dataDirectory);
  }

  /**
   * {@code ~} and {@code ~/…} in the profile directory and an embedded store's path mean the home
   * directory, as in a shell: a config file and {@code --home=~/x} get no shell to expand them.
   */
  static String expandHome(Setting s, String value, Path home) {
    if (value == null) {
      return null;
    }
    String prefix = s == Setting.STORE && value.startsWith("embedded:") ? "embedded:" : s == Setting.HOME ? "" : null;
    if (prefix == null) {
      return value;
    }
    String path = value.substring(prefix.length());
    if (path.equals("~")) {
      return prefix + home;
    }
    return path.startsWith("~/") ? prefix + home.resolve(path.substring(2)) : value;
  }

  private static Object validate(Setting s, String value, String source) throws ConfigException {
    switch (s) {
      case STORE:
        if (!(value.startsWith("embedded:") || value.startsWith("resilientdb:") || value.startsWith("etcd:") || value.equals("memory:"))) {
          throw invalid(s, value, source);
        }
        return value.strip();
      case HOME:
        if (value.isBlank()) {
          throw invalid(s, value, source);
        }
        return path(value, source).toAbsolutePath().normalize();
      case PAGES_AT_START:
        try {
          int n = Integer.parseInt(value.strip());
          if (n >= 1 && n <= 1000) {
            return n;
          }
        } catch (NumberFormatException e) {
          // falls through to the error
        }
        throw invalid(s, value, source);
      case NOTIFY_BELL:
      case NOTIFY_DESKTOP:
        switch (value.strip().toLowerCase(Locale.ROOT)) {
          case "on":
            return Boolean.TRUE;
          case "off":
            return Boolean.FALSE;
          default:
            throw invalid(s, value, source);
        }
      case NOTIFY_EXEC:
        if (value.length() > 4096 || value.chars().anyMatch(ch -> ch < 0x20 && ch != '\t')) {
          throw invalid(s, value.length() > 60 ? value.substring(0, 60) + "…" : value, source);
        }
        return value.strip();
      case COLOR:
        try {
          return Settings.Color.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw invalid(s, value, source);
        }
      default:
        Optional<Duration> d = Durations.parse(value);
        if (d.isEmpty() || d.get().compareTo(s.minimum()) < 0 || d.get().compareTo(s.maximum()) > 0) {
          throw invalid(s, value, source);
        }
        return d.get();
    }
  }

  private static void readFile(Path file, boolean explicit, Map<Setting, String> raw, Map<Setting, String> sources)
      throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      if (explicit) {
        throw new ConfigException("The config file " + file + " does not exist; create it (see config/reschat.example.json) or drop --config.");
      }
      return;
    } catch (MalformedInputException e) {
      throw new ConfigException("The config file " + file + " is not UTF-8 text; fix or remove it.");
    } catch (IOException e) {
      throw new ConfigException("Cannot read the config file " + file + ": " + e.getMessage() + ".", e);
    }
    JsonObject object = parseObject(text)
        .orElseThrow(() -> new ConfigException("The config file " + file + " is not a JSON object; fix it or remove it "
            + "(see config/reschat.example.json)."));
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      if (e.getKey().equals("$comment")) {
        continue;
      }
      Setting s = Arrays.stream(Setting.values()).filter(x -> x.fileKey().equals(e.getKey())).findFirst()
          .orElseThrow(() -> new ConfigException("The config file " + file + " has an unknown setting \"" + e.getKey()
              + "\"; known settings are " + Arrays.stream(Setting.values()).map(Setting::fileKey)
              .collect(Collectors.joining(", ")) + "."));
      JsonElement v = e.getValue();
      String source = "config file " + file;
      if (!(v instanceof JsonPrimitive) || ((JsonPrimitive) v).isBoolean()) {
        throw invalid(s, v.toString(), source);
      }
      raw.put(s, v.getAsString());
      sources.put(s, source);
    }
  }

  private static Optional<JsonObject> parseObject(String text) {
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      reader.setNestingLimit(16);
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        return Optional.empty();
      }
      JsonElement e = TREE.read(reader);
      return reader.peek() == JsonToken.END_DOCUMENT ? Optional.of(e.getAsJsonObject()) : Optional.empty();
    } catch (IOException | JsonParseException | IllegalStateException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static ConfigException invalid(Setting s, String value, String source) {
    String shown = value.length() > 80 ? value.substring(0, 80) + "…" : value;
    return new ConfigException("Invalid " + s.fileKey() + " \"" + shown + "\" from " + source + ": use " + s.allowed() + ".");
  }

  private static Path homeDirectory(Map<String, String> environment) throws ConfigException {
    String home = environment.get("HOME");
    if (!nonEmpty(home)) {
      home = System.getProperty("user.home");
    }
    return path(home, "environment variable HOME");
  }

  private static Path xdg(Map<String, String> environment, String variable, Path fallback) throws ConfigException {
    String value = environment.get(variable);
    // The XDG spec says relative paths are invalid and must be ignored.
    if (nonEmpty(value) && Path.of(value).isAbsolute()) {
      return path(value, "environment variable " + variable);
    }
    return fallback;
  }

  private static Path path(String text, String source) throws ConfigException {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new ConfigException("\"" + text + "\" from " + source + " is not a usable path.");
    }
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
