package org.reschat.cli.commands;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.nayuki.qrcodegen.QrCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.CommandGroup;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.IdentityCreation;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.DeviceException;
import org.reschat.core.DeviceInfo;
import org.reschat.core.DeviceJoin;
import org.reschat.core.Devices;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.localdb.AtomicFiles;
import org.reschat.localdb.Friend;
import org.reschat.localdb.FriendList;
import org.reschat.localdb.Profile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code reschat device}: link a new device to this identity, join one, list them (protocol §15). */
@Command(name = "device", mixinStandardHelpOptions = true,
    description = {"Linked devices: one identity on several devices.",
        "One history: each device writes its own feed. Link on your first device, join on the new one."},
    subcommands = {DeviceCommand.Link.class, DeviceCommand.Join.class, DeviceCommand.ListDevices.class,
        DeviceCommand.Revoke.class})
public final class DeviceCommand extends CommandGroup {
  /** What {@code device link} hands the new device of the profile (the engine hands the rest). */
  static final int APP_STATE_VERSION = 1;

  @Command(name = "link", mixinStandardHelpOptions = true,
      description = {"Link a new device: a one-time code, valid for 10 minutes.",
          "Prints the code (also as a QR code) for 'reschat --home DIR device join CODE' on the new",
          "device, and waits for it. Both screens then show ten digits: link only if they are the",
          "same. Only your first device (device 0) links."})
  static final class Link extends BaseCommand {
    @Option(names = "--check", paramLabel = "DIGITS",
        description = "The ten digits the new device shows, typed here instead of answering a question.")
    String check;

    @Option(names = "--no-qr", description = "Print the code without its QR code.")
    boolean noQr;

    @Option(names = "--poll-millis", hidden = true, defaultValue = "1000", description = "How often to look for the request (tests).")
    long pollMillis;

    Link(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      if (check == null && session.context().questions() == null) {
        throw new CliException(ExitCodes.USAGE, "Nobody can be asked to compare the two screens here: give the ten"
            + " digits the new device shows with --check, or run this on a terminal.");
      }
      Devices devices = session.client().devices();
      byte[] app = applicationState(session);
      Devices.LinkOffer offer = devices.offer();
      if (out.json()) {
        JsonObject o = Json.object("link_code");
        o.addProperty("code", offer.code());
        o.addProperty("expires", offer.expires().toString());
        out.json(o);
      } else {
        out.note("On the new device, within 10 minutes (until " + out.time(offer.expires()) + "), run:");
        out.line("reschat --home DIR device join " + offer.code());
        if (!noQr) {
          out.line(qr(offer.code()));
        }
      }
      Devices.LinkRequest request = waitForRequest(devices, offer);
      String name = SafeText.line(request.name());
      boolean same;
      if (check != null) {
        same = check.replaceAll("\\s+", "").equals(request.check().replace(" ", ""));
      } else {
        out.note("The new device \"" + name + "\" asks to be linked.");
        String answer = session.context().questions().ask("Does it show " + request.check() + "? [y/N] ");
        same = answer != null && answer.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y");
      }
      if (!same) {
        devices.deny(offer);
        throw new CliException(ExitCodes.SECURITY, "The new device's check is not the one this request shows"
            + (check == null ? "" : " (" + request.check() + ")") + ": someone else may have used the code. Nothing"
            + " was linked and the code is spent; make a new one.");
      }
      DeviceInfo linked = devices.approve(offer, request, app);
      if (out.json()) {
        out.json(deviceJson(linked));
      } else {
        out.note("Linked device " + linked.number() + " (" + linked.id() + ") \"" + name + "\": it now has your friends,"
            + " groups and history, and your friends see its messages as yours.");
      }
      return ExitCodes.OK;
    }

    private Devices.LinkRequest waitForRequest(Devices devices, Devices.LinkOffer offer) throws Exception {
      while (true) {
        Optional<Devices.LinkRequest> r = devices.request(offer); // EXPIRED once the 10 minutes are over
        if (r.isPresent()) {
          return r.get();
        }
        Thread.sleep(pollMillis);
      }
    }
  }

  @Command(name = "join", mixinStandardHelpOptions = true,
      description = {"Make this profile a new device of your identity.",
          "Give the code 'reschat device link' shows on your first device. This profile gets your",
          "identity, friends, nicknames, verified marks, groups, channels and read positions, and",
          "reads your whole history. Use a new --home."})
  static final class Join extends BaseCommand {
    @Parameters(paramLabel = "CODE", description = "The link code (rcl1:…).")
    String code;

    @Option(names = "--name", paramLabel = "NAME", description = "What to call this device (default: its host name).")
    String name;

    @Option(names = "--no-passphrase", description = "Store this device's keys unencrypted (protected only by file mode 0600).")
    boolean noPassphrase;

    @Option(names = "--allow-weak-passphrase", description = "Use a passphrase even if it is estimated to be easy to guess (a terminal asks instead).")
    boolean allowWeak;

    @Option(names = "--argon2-memory", hidden = true, defaultValue = "65536", description = "Argon2id memory in KiB (tests).")
    int argon2MemoryKiB;

    @Option(names = "--poll-millis", hidden = true, defaultValue = "1000", description = "How often to look for the welcome (tests).")
    long pollMillis;

    Join(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      Profile profile = session.profile();
      profile.checkNoIdentity(); // before anything is asked or posted
      String device = name != null ? name : hostName();
      char[] passphrase = noPassphrase ? null : session.newPassphrase(allowWeak);
      DeviceJoin join = DeviceJoin.start(session.store(), code, device, session.context().clock());
      if (out.json()) {
        JsonObject o = Json.object("link_check");
        o.addProperty("check", join.check());
        out.json(o);
      } else {
        out.note("Check that your first device shows these ten digits, and say yes there (or type them there"
            + " with --check): " + join.check());
      }
      DeviceJoin.Joined joined;
      while (true) {
        Optional<DeviceJoin.Joined> j = join.poll();
        if (j.isPresent()) {
          joined = j.get();
          break;
        }
        Thread.sleep(pollMillis);
      }
      AppState state = AppState.parse(joined.applicationState());
      profile.createIdentity(IdentityCreation.file(joined.identity(), state.name().orElse(null), passphrase, argon2MemoryKiB));
      session.useIdentity(joined.identity());
      joined.importInto(profile.state());
      int friends = state.install(profile, joined.identity().card());
      if (out.json()) {
        JsonObject o = Json.object("device_joined");
        o.addProperty("card", joined.identity().card().toString());
        o.addProperty("device", joined.identity().deviceNumber());
        o.addProperty("friends", friends);
        out.json(o);
      } else {
        out.note("This profile is now device " + joined.identity().deviceNumber() + " (\"" + SafeText.line(joined.name())
            + "\") of " + joined.identity().card().fingerprintText() + ", with " + friends + " friend"
            + (friends == 1 ? "" : "s") + ", your groups and your whole history ('reschat history NICK').");
      }
      return ExitCodes.OK;
    }

    private static String hostName() {
      try {
        String h = java.net.InetAddress.getLocalHost().getHostName();
        return h.isBlank() ? "new device" : h.length() > 64 ? h.substring(0, 64) : h;
      } catch (java.io.IOException e) {
        return "new device";
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = {"List your devices: number, id, name (where this device knows it), and which one this is."})
  static final class ListDevices extends BaseCommand {
    ListDevices(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      List<DeviceInfo> devices = session.client().devices().mine();
      List<String> waiting = notYetRekeyed(session);
      if (out.json()) {
        JsonArray a = new JsonArray();
        devices.forEach(d -> a.add(deviceJson(d)));
        JsonObject o = Json.object("devices");
        o.add("devices", a);
        o.add("not_yet_rekeyed", names(waiting));
        o.addProperty("misses_self_epochs", session.client().devices().missesSelfEpochs());
        out.json(o);
      } else {
        for (DeviceInfo d : devices) {
          out.line(line(d));
        }
        sayNotYetRekeyed(out, waiting);
        sayIfMissingSelfEpochs(session);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = {"Revoke device NUMBER (see 'device list').",
          "From now on nobody shows what it writes, in any chat or group, and every chat gets a new",
          "key it cannot read, once your friend's client has taken it (at their next receive; an older",
          "version must update; a group member who is not your friend gets theirs in the group); each",
          "group gets one once all its members have. It keeps what it already read. Only your first",
          "device revokes."})
  static final class Revoke extends BaseCommand {
    @Parameters(paramLabel = "NUMBER", description = "The device's number.")
    int number;

    Revoke(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      DeviceInfo revoked = session.client().devices().revoke(number);
      List<String> waiting = notYetRekeyed(session);
      if (out.json()) {
        JsonObject o = deviceJson(revoked);
        o.add("not_yet_rekeyed", names(waiting));
        out.json(o);
      } else {
        long others = Devices.known(session.profile().state(), session.card(), session.card(), 0).stream() // read nothing
            .filter(d -> !d.revoked() && !d.thisDevice()).count();
        out.note("Revoked device " + revoked.number() + " (" + revoked.id() + ")" + revoked.name().map(n -> " \""
            + SafeText.line(n) + "\"").orElse("") + ": every chat was told, and nobody shows what it writes from now"
            + " on. Every chat has a new key it cannot read, and each group gets one once all its members have taken"
            + " theirs. " + (others == 0 ? "Device " + revoked.number() + " learns none of the changes your devices"
            + " tell each other (friends, groups, read positions) from now on." : "Your " + others + " other device"
            + (others == 1 ? "" : "s") + " got a new key for what your devices tell each other (friends, groups,"
            + " read positions); device " + revoked.number() + " learns none of it from now on."));
        sayNotYetRekeyed(out, waiting);
        out.note("It still holds what it already read; if it was stolen, make a new identity.");
      }
      return ExitCodes.OK;
    }
  }

  /**
   * One sentence when this device 0 lacks the self channel's newer epochs (protocol §15.11), so that what the
   * other devices tell it is not silently missed; reads nothing.
   */
  public static void sayIfMissingSelfEpochs(Session session) throws Exception {
    if (!session.client().devices().missesSelfEpochs()) {
      return;
    }
    int revoked = Devices.known(session.profile().state(), session.card(), session.card(), 0).stream()
        .filter(DeviceInfo::revoked).mapToInt(DeviceInfo::number).max().orElseThrow();
    session.output().note("This device lacks the newer key your devices tell each other things under (a copy"
        + " restored from 'identity export' alone): what you change here reaches your other devices, what they"
        + " change does not reach it. 'reschat device revoke " + revoked + "' (revoked already) gives every device"
        + " a new one; linking a device does too.");
  }

  /** The friends whose clients have not yet taken the new key of the chat (protocol §3.1), as this profile names them. */
  static List<String> notYetRekeyed(Session session) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    org.reschat.cli.People people = new org.reschat.cli.People(session);
    for (org.reschat.core.identity.PublicCard card : session.client().devices().notYetRekeyed()) {
      out.add(SafeText.line(people.nameOf(card)));
    }
    return out;
  }

  private static JsonArray names(List<String> names) {
    JsonArray a = new JsonArray();
    names.forEach(a::add);
    return a;
  }

  /** What a revoked device still reads: one sentence per friend who has not taken the new key yet. */
  private static void sayNotYetRekeyed(Output out, List<String> waiting) {
    for (String name : waiting) {
      out.note(name + "'s client has not yet taken the new key: what you send " + name + " is still readable by"
          + " the revoked device until it does, and so is every group " + name + " is in (at " + name
          + "'s next receive; an older version must update).");
    }
  }

  /** One device as a line: {@code 1  3f9a 01c2  laptop  (this device)}. */
  public static String line(DeviceInfo d) {
    return d.number() + "  " + d.id() + "  " + d.name().map(SafeText::line).orElse("-")
        + (d.thisDevice() ? "  (this device)" : "") + (d.revoked() ? "  (revoked)" : "");
  }

  /** A device as JSON. */
  public static JsonObject deviceJson(DeviceInfo d) {
    JsonObject o = Json.object("device");
    o.addProperty("number", d.number());
    o.addProperty("id", d.id());
    o.addProperty("name", d.name().orElse(null));
    o.addProperty("this_device", d.thisDevice());
    o.addProperty("revoked", d.revoked());
    o.addProperty("since", d.since());
    return o;
  }

  /**
   * {@code text} as a QR code (ECC level M) in Unicode half blocks, two rows of modules a line, light modules
   * drawn, with a quiet zone of 2 modules: readable from a terminal with light text on a dark background.
   */
  /**
   * {@code text} as a QR code (ECC level M) in SVG, dark modules on light with a quiet zone of 4 modules: for the
   * web client's page (numbers only: nothing of the text appears as text).
   */
  public static String qrSvg(String text) {
    QrCode q = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
    int border = 4;
    int size = q.size + 2 * border;
    StringBuilder path = new StringBuilder();
    for (int y = 0; y < q.size; y++) {
      for (int x = 0; x < q.size; x++) {
        if (q.getModule(x, y)) {
          path.append('M').append(x + border).append(',').append(y + border).append("h1v1h-1z");
        }
      }
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" width=\"" + size * 5 + "\" height=\"" + size * 5
        + "\" viewBox=\"0 0 " + size + " " + size + "\" role=\"img\" aria-label=\"the link code as a QR code\">"
        + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"" + path + "\" fill=\"#000\"/></svg>";
  }

  static String qr(String text) {
    QrCode q = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
    int border = 2;
    StringBuilder sb = new StringBuilder();
    for (int y = -border; y < q.size + border; y += 2) {
      for (int x = -border; x < q.size + border; x++) {
        boolean top = !q.getModule(x, y);
        boolean bottom = y + 1 >= q.size + border || !q.getModule(x, y + 1);
        sb.append(top && bottom ? '\u2588' : top ? '\u2580' : bottom ? '\u2584' : ' ');
      }
      if (y + 2 < q.size + border) {
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * What the CLI hands a new device besides the engine's share: the display name, the friends with their
   * nicknames and verified marks, and the channels it follows ({@code channels.json} as it is).
   * {@code {"v":1,"name":…,"friends":[{"nickname","card","verified"}],"channels":{…}}}
   */
  public static byte[] applicationState(Session session) throws Exception {
    JsonObject o = new JsonObject();
    o.addProperty("v", APP_STATE_VERSION);
    IdentityFile.name(session.profile().readIdentity()).ifPresent(n -> o.addProperty("name", n));
    JsonArray friends = new JsonArray();
    for (Friend f : session.profile().friends().list()) {
      JsonObject j = new JsonObject();
      j.addProperty("nickname", f.nickname());
      j.addProperty("card", f.card().toString());
      j.addProperty("verified", f.verified());
      friends.add(j);
    }
    o.add("friends", friends);
    Path channels = session.profile().directory().resolve("channels.json");
    if (Files.exists(channels)) {
      o.add("channels", StrictJson.parseObject(Files.readString(channels)).orElseThrow(() ->
          new CliException(ExitCodes.LOCAL, channels + " is damaged; move it away and link again.")));
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** What {@link #applicationState} wrote, as the new device installs it. */
  record AppState(Optional<String> name, JsonArray friends, Optional<JsonObject> channels) {
    static AppState parse(byte[] bytes) throws CliException {
      JsonObject o = StrictJson.parseObject(new String(bytes, StandardCharsets.UTF_8)).orElseThrow(() ->
          new CliException(ExitCodes.SECURITY, "What your first device handed over is not ResChat's; nothing was kept."));
      if (StrictJson.integer(o, "v", APP_STATE_VERSION, APP_STATE_VERSION).isEmpty()) {
        throw new CliException(ExitCodes.USAGE, "Your first device runs a newer ResChat; update this one and link again.");
      }
      JsonArray friends = o.has("friends") && o.get("friends").isJsonArray() ? o.getAsJsonArray("friends") : new JsonArray();
      Optional<JsonObject> channels = o.has("channels") && o.get("channels").isJsonObject()
          ? Optional.of(o.getAsJsonObject("channels")) : Optional.empty();
      return new AppState(StrictJson.string(o, "name"), friends, channels);
    }

    /** Adds the friends (with their verified marks) and writes the channels followed; returns how many friends. */
    int install(Profile profile, PublicCard own) throws Exception {
      FriendList list = profile.friends();
      int added = 0;
      for (JsonElement e : friends) {
        JsonObject f = e.getAsJsonObject();
        String nickname = StrictJson.string(f, "nickname").orElseThrow();
        PublicCard card = PublicCard.parse(StrictJson.string(f, "card").orElseThrow());
        list.add(nickname, card, own);
        if (StrictJson.bool(f, "verified").orElse(false)) {
          list.markVerified(nickname);
        }
        added++;
      }
      if (channels.isPresent()) {
        AtomicFiles.write(profile.forChange("channels.json", "follow channels"),
            channels.get().toString().getBytes(StandardCharsets.UTF_8));
      }
      return added;
    }
  }
}
