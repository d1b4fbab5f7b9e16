package org.reschat.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConfigLoaderTest {
  @TempDir Path dir;
  private final Map<String, String> env = new HashMap<>();
  private final Map<Setting, String> flags = new EnumMap<>(Setting.class);

  @BeforeEach
  void isolatedEnvironment() {
    env.put("HOME", dir.resolve("home").toString());
  }

  private Settings load() throws ConfigException {
    return ConfigLoader.load(env, flags, null);
  }

  private Path writeConfig(String json) throws Exception {
    Path file = dir.resolve("home/.config/reschat/config.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, json);
    return file;
  }

  // --- defaults and directories --------------------------------------------------------------------------

  @Test
  void defaultsFollowXdgUnderHome() throws Exception {
    Settings s = load();
    Path data = dir.resolve("home/.local/share/reschat");
    assertThat(s.store()).isEqualTo("embedded:" + data.resolve("ledger.db"));
    assertThat(s.home()).isEqualTo(data.resolve("profile"));
    assertThat(s.dataDirectory()).isEqualTo(data);
    assertThat(s.configFile()).isEqualTo(dir.resolve("home/.config/reschat/config.json"));
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.confirmTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.pagesAtStart()).isEqualTo(2);
    assertThat(s.color()).isEqualTo(Settings.Color.AUTO);
    assertThat(s.bell()).isTrue();
    assertThat(s.desktopNotifications()).isTrue();
    assertThat(s.notifyExec()).isEmpty();
    for (Setting setting : Setting.values()) {
      assertThat(s.sourceOf(setting)).isEqualTo("the default");
    }
  }

  @Test
  void xdgVariablesMoveTheDirectoriesAndTheStoreIsSharedByProfiles() throws Exception {
    env.put("XDG_DATA_HOME", dir.resolve("data").toString());
    env.put("XDG_CONFIG_HOME", dir.resolve("conf").toString());
    Settings alice = load();
    env.put("RESCHAT_HOME", dir.resolve("bob").toString());
    Settings bob = load();
    assertThat(alice.store()).isEqualTo("embedded:" + dir.resolve("data/reschat/ledger.db"));
    assertThat(bob.store()).isEqualTo(alice.store());
    assertThat(bob.home()).isEqualTo(dir.resolve("bob"));
    assertThat(alice.configFile()).isEqualTo(dir.resolve("conf/reschat/config.json"));
  }

  @Test
  void relativeXdgPathsAreIgnoredAsTheSpecSays() throws Exception {
    env.put("XDG_DATA_HOME", "relative/data");
    assertThat(load().dataDirectory()).isEqualTo(dir.resolve("home/.local/share/reschat"));
  }

  // --- precedence: one test per row of the table ---------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Setting.class)
  void fileOverridesDefaultEnvironmentOverridesFileOptionOverridesEnvironment(Setting setting) throws Exception {
    String[] values = sampleValues(setting);
    Path file = writeConfig("{\"" + setting.fileKey() + "\": \"" + values[0] + "\"}");
    Settings fromFile = load();
    assertThat(fromFile.display(setting)).isEqualTo(expected(setting, values[0]));
    assertThat(fromFile.sourceOf(setting)).isEqualTo("config file " + file);

    env.put(setting.environmentVariable(), values[1]);
    Settings fromEnv = load();
    assertThat(fromEnv.display(setting)).isEqualTo(expected(setting, values[1]));
    assertThat(fromEnv.sourceOf(setting)).isEqualTo("environment variable " + setting.environmentVariable());

    flags.put(setting, values[2]);
    Settings fromFlag = load();
    assertThat(fromFlag.display(setting)).isEqualTo(expected(setting, values[2]));
    assertThat(fromFlag.sourceOf(setting)).isEqualTo("option " + setting.option());
  }

  private String[] sampleValues(Setting s) {
    switch (s) {
      case STORE:
        return new String[] {"memory:", "resilientdb:http://127.0.0.1:18000", "embedded:" + dir.resolve("x.db")};
      case HOME:
        return new String[] {dir.resolve("f").toString(), dir.resolve("e").toString(), dir.resolve("o").toString()};
      case PAGES_AT_START:
        return new String[] {"3", "4", "5"};
      case COLOR:
        return new String[] {"always", "never", "auto"};
      case NOTIFY_BELL:
      case NOTIFY_DESKTOP:
        return new String[] {"off", "on", "off"};
      case NOTIFY_EXEC:
        return new String[] {"cat >> /tmp/a", "logger -t reschat", "jq .text"};
      case POLL_INTERVAL:
        return new String[] {"500ms", "3s", "1m"};
      default:
        return new String[] {"500ms", "7s", "2m"};
    }
  }

  private static String expected(Setting s, String value) {
    return s == Setting.PAGES_AT_START || s == Setting.STORE || s == Setting.HOME || s == Setting.COLOR
        || s == Setting.NOTIFY_BELL || s == Setting.NOTIFY_DESKTOP || s == Setting.NOTIFY_EXEC
        ? value : Durations.format(Durations.parse(value).orElseThrow());
  }

  @Test
  void notificationSettingsAreOnOffAndACommandWithoutControls() throws Exception {
    env.put("RESCHAT_NOTIFY_BELL", "maybe");
    assertThatThrownBy(this::load).hasMessageContaining("RESCHAT_NOTIFY_BELL").hasMessageContaining("on or off");
    env.remove("RESCHAT_NOTIFY_BELL");
    flags.put(Setting.NOTIFY_EXEC, "cat\nrm -rf x");
    assertThatThrownBy(this::load).hasMessageContaining("--exec");
    flags.put(Setting.NOTIFY_EXEC, "  jq .text  ");
    assertThat(load().notifyExec()).contains("jq .text");
  }

  @Test
  void numbersInTheFileWork() throws Exception {
    writeConfig("{\"pagesAtStart\": 7, \"readTimeout\": 20}");
    Settings s = load();
    assertThat(s.pagesAtStart()).isEqualTo(7);
    assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void noColorIsHonouredButAnExplicitSettingWins() throws Exception {
    env.put("NO_COLOR", "1");
    assertThat(load().color()).isEqualTo(Settings.Color.NEVER);
    assertThat(load().sourceOf(Setting.COLOR)).isEqualTo("environment variable NO_COLOR");
    flags.put(Setting.COLOR, "always");
    assertThat(load().color()).isEqualTo(Settings.Color.ALWAYS);
    env.put("NO_COLOR", "");
    flags.clear();
    assertThat(load().color()).isEqualTo(Settings.Color.AUTO); // NO_COLOR only counts when non-empty
  }

  @Test
  void configFileCanBeChosenByOptionOrEnvironment() throws Exception {
    Path file = dir.resolve("elsewhere.json");
    Files.writeString(file, "{\"pagesAtStart\": 9}");
    assertThat(ConfigLoader.load(env, flags, file).pagesAtStart()).isEqualTo(9);
    env.put("RESCHAT_CONFIG", file.toString());
    assertThat(load().pagesAtStart()).isEqualTo(9);
    assertThat(load().configFile()).isEqualTo(file);
  }

  @Test
  void theExampleFileIsValid() throws Exception {
    Settings s = ConfigLoader.load(env, flags, Path.of("reschat.example.json"));
    assertThat(s.store()).startsWith("resilientdb:");
    assertThat(s.pagesAtStart()).isEqualTo(2);
  }

  // --- every validation error -------------------------------------------------------------------------------

  @Test
  void everyInvalidValueNamesTheSettingTheSourceAndWhatIsAllowed() throws Exception {
    expectInvalid(Setting.STORE, "sqlite:/tmp/x", "embedded:PATH");
    expectInvalid(Setting.HOME, " ", "a directory path");
    expectInvalid(Setting.CONNECT_TIMEOUT, "50ms", "from 100ms to 5m");
    expectInvalid(Setting.READ_TIMEOUT, "ten seconds", "from 100ms to 5m");
    expectInvalid(Setting.CONFIRM_TIMEOUT, "11m", "from 100ms to 10m");
    expectInvalid(Setting.POLL_INTERVAL, "100ms", "from 200ms to 1h");
    expectInvalid(Setting.PAGES_AT_START, "0", "from 1 to 1000");
    expectInvalid(Setting.PAGES_AT_START, "two", "from 1 to 1000");
    expectInvalid(Setting.COLOR, "sometimes", "auto, always or never");
  }

  private void expectInvalid(Setting s, String value, String allowed) throws Exception {
    env.put(s.environmentVariable(), value);
    assertThatThrownBy(this::load).isInstanceOf(ConfigException.class)
        .hasMessage("Invalid " + s.fileKey() + " \"" + value + "\" from environment variable " + s.environmentVariable()
            + ": use " + s.allowed() + ".")
        .hasMessageContaining(allowed);
    env.remove(s.environmentVariable());
    Path file = writeConfig("{\"" + s.fileKey() + "\": \"" + value + "\"}");
    assertThatThrownBy(this::load).hasMessageContaining("from config file " + file);
    Files.delete(file);
    flags.put(s, value);
    assertThatThrownBy(this::load).hasMessageContaining("from option " + s.option());
    flags.clear();
  }

  @Test
  void fileProblemsAreClearErrors() throws Exception {
    Path file = writeConfig("{\"store\": \"memory:\", }");
    assertThatThrownBy(this::load).hasMessage("The config file " + file
        + " is not a JSON object; fix it or remove it (see config/reschat.example.json).");
    writeConfig("{\"stroe\": \"memory:\"}");
    assertThatThrownBy(this::load).hasMessageContaining("unknown setting \"stroe\"").hasMessageContaining("store, home");
    writeConfig("{\"pagesAtStart\": true}");
    assertThatThrownBy(this::load).hasMessageContaining("Invalid pagesAtStart \"true\"");
    writeConfig("{\"readTimeout\": {\"s\": 1}}");
    assertThatThrownBy(this::load).hasMessageContaining("Invalid readTimeout");
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    assertThatThrownBy(this::load).hasMessageContaining("not UTF-8");
    assertThatThrownBy(() -> ConfigLoader.load(env, flags, dir.resolve("missing.json")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void aMissingDefaultFileIsFine() throws Exception {
    assertThat(Files.exists(dir.resolve("home/.config/reschat/config.json"))).isFalse();
    assertThat(load().store()).startsWith("embedded:");
  }

  @Property
  void anyConfigFileTextGivesSettingsOrAConfigException(@ForAll String text) throws Exception {
    Path file = Files.createTempFile("reschat-config", ".json");
    try {
      Files.writeString(file, text);
      Map<String, String> isolated = Map.of("HOME", file.getParent().resolve("home").toString());
      try {
        ConfigLoader.load(isolated, Map.of(), file);
      } catch (ConfigException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    } finally {
      Files.delete(file);
    }
  }
}
