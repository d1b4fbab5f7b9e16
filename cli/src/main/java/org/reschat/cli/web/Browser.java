package org.reschat.cli.web;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Opens a browser on a file, where there is one: {@code $BROWSER} when set (as Python's {@code webbrowser} and
 * {@code xdg-open} honour it), else the desktop's opener ({@code xdg-open} with a display, {@code open} on
 * macOS, {@code start} on Windows). The browser is handed the launch file, never the URL: a process's arguments
 * are readable by every user of the machine, and the URL holds the one-time token.
 */
public final class Browser {
  private Browser() {}

  /** The command that would open {@code file}, if this machine has a way. */
  public static Optional<List<String>> command(Map<String, String> env, Path file) {
    String target = file.toAbsolutePath().toString();
    String chosen = env.get("BROWSER");
    if (chosen != null && !chosen.isBlank()) {
      String first = chosen.split(File.pathSeparator)[0].strip(); // BROWSER may list several; the first is tried
      List<String> cmd = new ArrayList<>(List.of(first.split("\\s+")));
      if (first.contains("%s")) {
        cmd.replaceAll(a -> a.replace("%s", target));
      } else {
        cmd.add(target);
      }
      return Optional.of(cmd);
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.contains("mac")) {
      return Optional.of(List.of("open", target));
    }
    if (os.contains("win")) {
      return Optional.of(List.of("rundll32", "url.dll,FileProtocolHandler", target));
    }
    boolean display = !env.getOrDefault("DISPLAY", "").isEmpty() || !env.getOrDefault("WAYLAND_DISPLAY", "").isEmpty();
    return display ? Optional.of(List.of("xdg-open", target)) : Optional.empty();
  }

  /** Starts {@code command} and leaves it running; false when it could not be started. */
  public static boolean start(List<String> command, Map<String, String> env) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().putAll(env);
      pb.start();
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
