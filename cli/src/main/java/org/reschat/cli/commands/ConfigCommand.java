package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.config.Setting;
import org.reschat.config.Settings;
import picocli.CommandLine.Command;

@Command(name = "config", mixinStandardHelpOptions = true,
    description = {"Show the settings and where each came from.",
        "Sources, lowest first: default, config file, environment, option."})
public final class ConfigCommand extends BaseCommand {
  ConfigCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    Settings s = session.settings();
    if (!out.json()) {
      out.line("config file: " + s.configFile() + (java.nio.file.Files.exists(s.configFile()) ? "" : " (absent)"));
    }
    for (Setting setting : Setting.values()) {
      // The store a profile remembers beats the default (see ProfileStore).
      String value = setting == Setting.STORE ? session.storeSpec() : s.display(setting);
      String source = setting == Setting.STORE ? session.storeSource() : s.sourceOf(setting);
      if (out.json()) {
        JsonObject o = Json.object("setting");
        o.addProperty("name", setting.fileKey());
        o.addProperty("value", value);
        o.addProperty("source", source);
        out.json(o);
      } else {
        out.line(String.format("%-15s %s  (%s)", setting.fileKey(), value, source));
      }
    }
    return ExitCodes.OK;
  }
}
