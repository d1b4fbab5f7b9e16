package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import java.util.List;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CommandGroup;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.identity.SafetyNumber;
import org.reschat.localdb.Friend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "friend", mixinStandardHelpOptions = true,
    description = "Manage your friends: the people whose cards you hold.",
    subcommands = {FriendCommand.Add.class, FriendCommand.ListFriends.class, FriendCommand.Remove.class,
        FriendCommand.Rename.class, FriendCommand.Verify.class, FriendCommand.Show.class})
public final class FriendCommand extends CommandGroup {

  static JsonObject friendJson(Friend f) {
    JsonObject o = Json.object("friend");
    o.addProperty("nickname", f.nickname());
    o.addProperty("card", f.card().toString());
    o.addProperty("fingerprint", f.fingerprint());
    o.addProperty("verified", f.verified());
    o.addProperty("added", f.added().toString());
    return o;
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a friend by their card (rc2:…).")
  static final class Add extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NICK", description = "The name you will use for them.")
    String nickname;

    // 1..*: a card copied with a line break arrives as two words; they are one card (whitespace is ignored).
    // None when --from-directory names it instead.
    @Parameters(index = "1..*", arity = "0..*", paramLabel = "CARD", description = "Their card, as 'reschat whoami' prints it.")
    List<String> card;

    @Option(names = "--from-directory", paramLabel = "NAME", description = "Take the card from the directory instead.")
    String directoryName;

    @Option(names = "--fingerprint", paramLabel = "PREFIX", description = "With --from-directory: the card whose fingerprint starts so.")
    String fingerprint;

    Add(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      boolean hasCard = card != null && !card.isEmpty();
      if (hasCard == (directoryName != null)) {
        throw new org.reschat.cli.CliException(ExitCodes.USAGE, "Give either CARD or --from-directory NAME.");
      }
      PublicCard theirs = hasCard ? PublicCard.parse(String.join("", card))
          : DirectoryCommand.pick(session, directoryName, fingerprint);
      Friend f = session.profile().friends().add(nickname, theirs, session.card());
      org.reschat.cli.SelfSync.friendChanged(session, f.card(), java.util.Optional.of(f));
      if (out.json()) {
        out.json(friendJson(f));
      } else {
        out.note("Added " + f.nickname() + (directoryName != null ? " (fingerprint " + theirs.fingerprintText()
            + ", from the directory, where names are hints)" : "") + ". Check it is really them: 'reschat friend verify "
            + f.nickname() + "'.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"Show a friend's card, fingerprint, verified mark and devices.",
          "The devices are those the newest list of theirs this profile verified names (read when you",
          "chat with them). Needs no passphrase."})
  static final class Show extends BaseCommand {
    @Parameters(paramLabel = "NICK", description = "The friend's nickname.")
    String nickname;

    Show(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      Friend f = session.profile().friends().get(nickname);
      java.util.List<org.reschat.core.DeviceInfo> devices = org.reschat.core.Devices.known(session.profile().state(),
          f.card(), session.card(), -1);
      if (out.json()) {
        JsonObject o = friendJson(f);
        com.google.gson.JsonArray a = new com.google.gson.JsonArray();
        devices.forEach(d -> a.add(DeviceCommand.deviceJson(d)));
        o.add("devices", a);
        out.json(o);
      } else {
        out.line("nickname:    " + f.nickname());
        out.line("card:        " + f.card());
        out.line("fingerprint: " + f.card().fingerprintText());
        out.line("verified:    " + (f.verified() ? "yes" : "no ('reschat friend verify " + f.nickname() + "')"));
        out.line("devices:     " + devices.size() + (devices.size() == 1 ? " (device 0 only)" : ""));
        for (org.reschat.core.DeviceInfo d : devices) {
          out.line("  " + DeviceCommand.line(d));
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List your friends.")
  static final class ListFriends extends BaseCommand {
    ListFriends(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      List<Friend> friends = session.profile().friends().list();
      int width = friends.stream().mapToInt(f -> f.nickname().length()).max().orElse(0);
      for (Friend f : friends) {
        if (out.json()) {
          out.json(friendJson(f));
        } else {
          out.line(String.format("%-" + Math.max(1, width) + "s  %-10s  %s", f.nickname(),
              f.verified() ? "verified" : "unverified", f.card()));
        }
      }
      if (friends.isEmpty() && !out.json()) {
        out.note("No friends yet. Add one with 'reschat friend add NICK CARD'.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Remove a friend from your list (messages stay on the ledger).")
  static final class Remove extends BaseCommand {
    @Parameters(paramLabel = "NICK", description = "The friend's nickname.")
    String nickname;

    Remove(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Friend f = session.profile().friends().remove(nickname);
      org.reschat.cli.SelfSync.friendChanged(session, f.card(), java.util.Optional.empty());
      Output out = session.output();
      if (out.json()) {
        JsonObject o = friendJson(f);
        o.addProperty("removed", true);
        out.json(o);
      } else {
        out.note("Removed " + f.nickname() + ".");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "rename", mixinStandardHelpOptions = true, description = "Give a friend another nickname.")
  static final class Rename extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NICK", description = "The friend's nickname now.")
    String nickname;

    @Parameters(index = "1", paramLabel = "NEW-NICK", description = "The new nickname.")
    String newNickname;

    Rename(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Friend f = session.profile().friends().rename(nickname, newNickname);
      org.reschat.cli.SelfSync.friendChanged(session, f.card(), java.util.Optional.of(f));
      Output out = session.output();
      if (out.json()) {
        out.json(friendJson(f));
      } else {
        out.note("Renamed " + nickname + " to " + f.nickname() + ".");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Show the safety number you and a friend both see.",
          "Compare it with them in person or on a call you trust; if it matches, mark it with --mark."})
  static final class Verify extends BaseCommand {
    @Parameters(paramLabel = "NICK", description = "The friend's nickname.")
    String nickname;

    @Option(names = "--mark", description = "Record that you compared the safety number and it matched.")
    boolean mark;

    Verify(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      Friend f = session.profile().friends().get(nickname);
      String number = SafetyNumber.between(session.card(), f.card());
      if (mark) {
        boolean before = f.verified();
        f = session.profile().friends().markVerified(nickname);
        if (!before) {
          org.reschat.cli.SelfSync.friendChanged(session, f.card(), java.util.Optional.of(f));
        }
      }
      if (out.json()) {
        JsonObject o = Json.object("safety_number");
        o.addProperty("friend", f.nickname());
        o.addProperty("safety_number", number);
        o.addProperty("their_fingerprint", f.fingerprint());
        o.addProperty("your_fingerprint", session.card().fingerprintText());
        o.addProperty("verified", f.verified());
        out.json(o);
      } else {
        out.note("Safety number with " + f.nickname() + " (they see the same):");
        out.line(number);
        out.note(f.verified() ? (mark ? "Marked " + f.nickname() + " as verified." : f.nickname() + " is marked as verified.")
            : "If it matches what " + f.nickname() + " sees, run 'reschat friend verify " + f.nickname() + " --mark'.");
      }
      return ExitCodes.OK;
    }
  }
}
