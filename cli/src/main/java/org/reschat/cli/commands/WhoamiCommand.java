package org.reschat.cli.commands;

import org.reschat.cli.text.SafeText;
import com.google.gson.JsonObject;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.localdb.Profile;
import picocli.CommandLine.Command;

@Command(name = "whoami", mixinStandardHelpOptions = true,
    description = {"Show your card, fingerprint, profile, store and devices.", "Needs no passphrase."})
public final class WhoamiCommand extends BaseCommand {
  WhoamiCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    String file = session.profile().readIdentity();
    PublicCard card = session.card(); // first: a damaged file is reported with its path
    String name = IdentityFile.name(file).orElse(null);
    int device = IdentityFile.device(file);
    java.util.List<org.reschat.core.DeviceInfo> devices = org.reschat.core.Devices.known(session.profile().state(), card,
        card, device);
    if (out.json()) {
      JsonObject o = identityJson(name, card, session.profile(), session);
      o.addProperty("protected", IdentityFile.needsPassphrase(file));
      o.addProperty("device", device);
      com.google.gson.JsonArray a = new com.google.gson.JsonArray();
      devices.forEach(d -> a.add(DeviceCommand.deviceJson(d)));
      o.add("devices", a);
      out.json(o);
    } else {
      out.line("name:        " + (name == null ? "(none)" : SafeText.line(name)));
      out.line("card:        " + card);
      out.line("fingerprint: " + card.fingerprintText());
      out.line("profile:     " + session.profile().directory());
      out.line("store:       " + session.storeSpec() + "  (from " + session.storeSource() + ")");
      out.line("passphrase:  " + (IdentityFile.needsPassphrase(file) ? "yes" : "no"));
      out.line("device:      " + device + (device == 0 ? " (your first device: it holds the identity's signing key)"
          : " (a linked device)"));
      if (devices.size() > 1) {
        out.line("devices:");
        for (org.reschat.core.DeviceInfo d : devices) {
          out.line("  " + DeviceCommand.line(d));
        }
      }
    }
    return ExitCodes.OK;
  }

  static JsonObject identityJson(String name, PublicCard card, Profile profile, Session session) throws Exception {
    JsonObject o = Json.object("identity");
    o.addProperty("name", name);
    o.addProperty("card", card.toString());
    o.addProperty("fingerprint", card.fingerprintText());
    o.addProperty("profile", profile.directory().toString());
    o.addProperty("store", session.storeSpec());
    return o;
  }
}
