package org.reschat.cli.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;

/**
 * The files the pages load, all from the jar: this program's script and style sheet, and htmx with its SSE
 * extension from their webjars (their versions read from the webjars themselves, so a version bump in the pom
 * needs nothing here). Nothing is fetched from elsewhere; the Content-Security-Policy would refuse it anyway.
 */
final class Assets {
  private static final String OWN = "/org/reschat/cli/web/assets/";

  private static final Map<String, String> FILES = Map.of(
      "app.js", OWN + "app.js",
      "app.css", OWN + "app.css",
      "htmx.min.js", webjar("htmx.org", "dist/htmx.min.js"),
      "sse.js", webjar("htmx-ext-sse", "sse.js"));

  private Assets() {}

  static void serve(WebRequest r) throws IOException {
    String name = r.pathPart(1);
    String path = FILES.get(name);
    if (path == null) {
      throw new WebException(404, "No such file.");
    }
    byte[] bytes = read(path);
    r.send(200, name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8", bytes);
  }

  static byte[] read(String path) throws IOException {
    try (InputStream in = Assets.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IOException("missing from the jar: " + path);
      }
      return in.readAllBytes();
    }
  }

  /** Where a webjar keeps {@code file}: {@code META-INF/resources/webjars/NAME/VERSION/FILE}. */
  static String webjar(String name, String file) {
    Properties p = new Properties();
    try (InputStream in = Assets.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/" + name + "/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the webjar " + name + " is not on the class path");
      }
      p.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("the webjar " + name + " cannot be read", e);
    }
    return "/META-INF/resources/webjars/" + name + "/" + p.getProperty("version") + "/" + file;
  }
}
