package org.reschat.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser for the web client's tests: Debian's chromium, driven through its own chromedriver (the two come
 * from one source package, so their versions match), headless, with a fresh profile directory, offline.
 *
 * <p>Where chromium is missing: on CI ({@code CI} or {@code RESCHAT_REQUIRE_BROWSER} set; {@code .ci/run} installs
 * chromium and sets the latter) the tests fail, saying so; on a developer's machine they are skipped, loudly.
 * When chromium is there but does not start, they fail.
 */
final class WebBrowser implements AutoCloseable {
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("RESCHAT_CHROMIUM", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getenv().getOrDefault("RESCHAT_CHROMEDRIVER", "/usr/bin/chromedriver"));
  /** Wide waits: a loaded 2-core machine is slow, never wrong; nothing waits this long when things work. */
  static final Duration WAIT = Duration.ofMinutes(2);
  /** The flags that work on these machines (no sandbox in a container, no GPU, nothing fetched from the network). */
  static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1200,800");

  final ChromeDriver driver;
  final Path downloads;
  private final ChromeDriverService service;

  private WebBrowser(ChromeDriver driver, ChromeDriverService service, Path downloads) {
    this.driver = driver;
    this.service = service;
    this.downloads = downloads;
  }

  /** Starts a browser with its profile and downloads under {@code dir}, or skips (or fails on CI) without one. */
  static WebBrowser start(Path dir) throws IOException {
    return start(dir, List.of());
  }

  /** As {@link #start(Path)}, with more flags (a proxy, say). */
  static WebBrowser start(Path dir, List<String> more) throws IOException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
      String why = "the web client's browser tests need " + CHROMIUM + " and " + DRIVER
          + " (Debian: apt-get install chromium chromium-driver)";
      boolean required = System.getenv("CI") != null || System.getenv("RESCHAT_REQUIRE_BROWSER") != null;
      if (required) {
        throw new AssertionError(why + "; they are required here (CI or RESCHAT_REQUIRE_BROWSER is set)");
      }
      System.err.println("[SKIPPED] " + why + ": skipping. CI installs them and runs these tests.");
      Assumptions.abort(why);
    }
    Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
    Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
    Path downloads = Files.createDirectories(dir.resolve("downloads"));
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments(FLAGS);
    o.addArguments("--user-data-dir=" + profile);
    o.addArguments(more);
    Map<String, Object> prefs = new HashMap<>();
    prefs.put("download.default_directory", downloads.toString());
    prefs.put("download.prompt_for_download", false);
    o.setExperimentalOption("prefs", prefs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().withLogOutput(java.io.OutputStream.nullOutputStream()).build();
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, o);
    } catch (RuntimeException e) {
      service.stop();
      throw new AssertionError("chromium is installed but did not start: " + e.getMessage(), e);
    }
    driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    return new WebBrowser(driver, service, downloads);
  }

  WebDriverWait waiting() {
    WebDriverWait w = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
    w.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // a list swapped in while it was read
    return w;
  }

  /** Saves what the browser shows to {@code file} (a failure's evidence, or the README's picture). */
  void screenshot(Path file) {
    try {
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Files.createDirectories(file.getParent());
      Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      System.err.println("[WebBrowser] no screenshot: " + e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
