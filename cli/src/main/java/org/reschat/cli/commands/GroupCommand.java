package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.NamedChat;
import org.reschat.cli.CliContext;
import org.reschat.cli.CommandGroup;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.GroupException;
import org.reschat.core.GroupInfo;
import org.reschat.core.Groups;
import org.reschat.core.identity.PublicCard;
import org.reschat.localdb.Friend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "group", mixinStandardHelpOptions = true,
    description = {"Group chats: one conversation with several people, on the same ledger.",
        "send, history and receive take a group's name wherever they take a nickname."},
    subcommands = {GroupCommand.Create.class, GroupCommand.ListGroups.class, GroupCommand.Show.class,
        GroupCommand.Add.class, GroupCommand.Remove.class, GroupCommand.Admin.class, GroupCommand.Leave.class,
        GroupCommand.Link.class,
        GroupCommand.Join.class, GroupCommand.Requests.class, GroupCommand.Approve.class, GroupCommand.Deny.class})
public final class GroupCommand extends CommandGroup {

  static GroupInfo named(Session session, String name) throws Exception {
    return NamedChat.findGroup(session, name).orElseThrow(() -> new GroupException(
        GroupException.Reason.NOT_A_MEMBER, "You are in no group called \"" + SafeText.line(name)
            + "\"; 'reschat group list' shows yours."));
  }

  static JsonObject groupJson(GroupInfo g, PublicCard me) {
    JsonObject o = Json.object("group");
    o.addProperty("name", g.name());
    o.addProperty("id", g.id().id());
    o.addProperty("epoch", g.epoch());
    o.addProperty("members", g.members().size());
    o.addProperty("status", g.status().name().toLowerCase(Locale.ROOT));
    o.addProperty("admin", g.isAdmin(me));
    o.addProperty("confirmed", g.confirmed());
    return o;
  }

  static void report(Output out, GroupInfo g, PublicCard me, String done) {
    if (out.json()) {
      out.json(groupJson(g, me));
    } else {
      out.note(done);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create a group with friends.", "Each gets an invitation through your chat with them."})
  static final class Create extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME",
        description = {"The group's name: 1-64 characters,", "not a friend's nickname."})
    String name;

    @Option(names = "--member", paramLabel = "NICK", description = "A friend to add; repeat for more.")
    List<String> members = new ArrayList<>();

    Create(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      checkNewName(session, name);
      List<PublicCard> cards = new ArrayList<>();
      for (String nick : members) {
        cards.add(session.profile().friends().get(nick).card());
      }
      GroupInfo g = session.client().groups().info(session.client().groups().create(name, cards)).orElseThrow();
      report(session.output(), g, session.card(), "Created \"" + SafeText.line(g.name()) + "\" with "
          + (g.members().size() - 1) + " other member(s); each has been sent an invitation.");
      return ExitCodes.OK;
    }
  }

  /** Refuses a new group's name that is a friend's nickname or another group's (names must say which chat they mean). */
  public static void checkNewName(Session session, String name) throws Exception {
    if (session.profile().friends().find(name).isPresent()) {
      throw new GroupException(GroupException.Reason.MALFORMED, "\"" + SafeText.line(name)
          + "\" is a friend's nickname; give the group another name.");
    }
    if (NamedChat.findGroup(session, name).isPresent()) {
      throw new GroupException(GroupException.Reason.MALFORMED, "You already have a group called \""
          + SafeText.line(name) + "\".");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List your groups.")
  static final class ListGroups extends BaseCommand {
    ListGroups(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      List<GroupInfo> groups = session.client().groups().list();
      for (GroupInfo g : groups) {
        if (out.json()) {
          out.json(groupJson(g, session.card()));
        } else {
          out.line(SafeText.line(g.name()) + "  " + g.members().size() + " members"
              + (g.status() == GroupInfo.Status.ACTIVE ? "" : "  (" + g.status().name().toLowerCase(Locale.ROOT) + ")"));
        }
      }
      if (groups.isEmpty() && !out.json()) {
        out.note("No groups yet. Create one with 'reschat group create NAME --member NICK'.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Members, roles, fingerprints and epoch.")
  static final class Show extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name.")
    String name;

    Show(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      GroupInfo g = named(session, name);
      List<Friend> friends = session.profile().friends().list();
      if (out.json()) {
        out.json(groupJson(g, session.card()));
      } else {
        out.line(SafeText.line(g.name()) + "  epoch " + g.epoch() + "  " + g.status().name().toLowerCase(Locale.ROOT)
            + (g.confirmed() ? "" : "  (read-only: no admin has vouched yet for the key "
            + org.reschat.core.FeedWarning.shortName(g.unconfirmedFrom().orElseThrow()) + " handed you)"));
      }
      for (PublicCard m : g.members()) {
        String nick = m.equals(session.card()) ? "me" : friends.stream().filter(f -> f.card().equals(m))
            .map(Friend::nickname).findFirst().orElse(null);
        if (out.json()) {
          JsonObject o = Json.object("member");
          o.addProperty("group", g.name());
          o.addProperty("nickname", nick);
          o.addProperty("fingerprint", m.fingerprintText());
          o.addProperty("card", m.toString());
          o.addProperty("admin", g.isAdmin(m));
          out.json(o);
        } else {
          out.line("  " + String.format("%-12s", nick == null ? org.reschat.core.FeedWarning.shortName(m) : nick)
              + (g.isAdmin(m) ? " admin " : "       ") + m.fingerprintText());
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Add a friend to a group.", "The group gets a new key; they read from now on (or all of it with --share-history)."})
  static final class Add extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name.")
    String name;

    @Parameters(index = "1", paramLabel = "NICK", description = "The friend to add.")
    String nickname;

    @Option(names = "--share-history", description = "Hand them the group's earlier messages too.")
    boolean shareHistory;

    Add(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      GroupInfo g = named(session, name);
      Friend f = session.profile().friends().get(nickname);
      GroupInfo added = session.client().groups().add(g.id(), f.card(), shareHistory);
      report(session.output(), added, session.card(), "Added " + f.nickname() + " to \"" + SafeText.line(g.name())
          + "\"; the group has a new key and " + f.nickname() + " has been sent an invitation.");
      return ExitCodes.OK;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = {"Remove a member (admins only).", "The group gets a new key they do not get; nothing they write from now on is read."})
  static final class Remove extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name.")
    String name;

    @Parameters(index = "1", paramLabel = "MEMBER",
        description = {"A friend's nickname, or the start", "of a member's fingerprint."})
    String member;

    Remove(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      GroupInfo g = named(session, name);
      PublicCard card = memberCard(session, g, member);
      GroupInfo after = session.client().groups().remove(g.id(), card);
      // Named as the group shows them, not as typed: a fingerprint prefix does not say who went.
      report(session.output(), after, session.card(), "Removed " + SafeText.line(new org.reschat.cli.People(session)
          .whom(card)) + " from \"" + SafeText.line(g.name()) + "\"; the group has a new key they do not hold."
          + linksRevoked(g, after));
      return ExitCodes.OK;
    }
  }

  @Command(name = "admin", mixinStandardHelpOptions = true,
      description = {"Make a member an admin (admins only).", "With --revoke, no longer one; a group always keeps one."})
  static final class Admin extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name.")
    String name;

    @Parameters(index = "1", paramLabel = "MEMBER",
        description = {"A friend's nickname, me, or the start", "of a member's fingerprint."})
    String member;

    @Option(names = "--revoke", description = "Take the role away instead (yours too, while another admin remains).")
    boolean revoke;

    Admin(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      GroupInfo g = named(session, name);
      PublicCard card = memberCard(session, g, member);
      GroupInfo after = session.client().groups().setAdmin(g.id(), card, !revoke);
      String who = SafeText.line(new org.reschat.cli.People(session).whom(card));
      String done = card.equals(session.card())
          ? (revoke ? "You are no longer an admin of \"" : "You are an admin of \"") + SafeText.line(g.name()) + "\"."
          : (revoke ? "Revoked the admin role of " + who + " in \"" : "Made " + who + " an admin of \"")
              + SafeText.line(g.name()) + "\".";
      report(session.output(), after, session.card(), done + linksRevoked(g, after));
      return ExitCodes.OK;
    }
  }

  @Command(name = "leave", mixinStandardHelpOptions = true, description = "Leave a group.")
  static final class Leave extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name.")
    String name;

    Leave(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      GroupInfo g = named(session, name);
      GroupInfo left = session.client().groups().leave(g.id());
      report(session.output(), left, session.card(), "You left \"" + SafeText.line(g.name()) + "\".");
      return ExitCodes.OK;
    }
  }

  @Command(name = "link", mixinStandardHelpOptions = true,
      description = {"Print a link others can use to ask to join (admins only).",
          "Anyone holding it can ask; any admin can let them in. --list shows the open links, --revoke retires them."})
  static final class Link extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name.")
    String name;

    @Option(names = "--revoke", description = "Retire the group's links, every admin's: requests through them are no longer read.")
    boolean revoke;

    @Option(names = "--list", description = "Show the group's open links and the admin who made each.")
    boolean list;

    Link(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      GroupInfo g = named(session, name);
      Output out = session.output();
      if (revoke) {
        report(out, session.client().groups().revokeLinks(g.id()), session.card(), "Every link of \""
            + SafeText.line(g.name()) + "\" is revoked, for every admin.");
        return ExitCodes.OK;
      }
      if (list) {
        return listLinks(session, g);
      }
      String link = session.client().groups().link(g.id());
      if (out.json()) {
        JsonObject o = Json.object("group_link");
        o.addProperty("group", g.name());
        o.addProperty("link", link);
        out.json(o);
      } else {
        out.line(link);
        out.note("Whoever holds this link can ask to join \"" + SafeText.line(g.name()) + "\" with 'reschat group join"
            + " LINK'; every admin of the group sees their requests ('reschat group requests " + SafeText.line(g.name())
            + "') and any of them can approve or deny.");
      }
      return ExitCodes.OK;
    }

    /** The open links, any admin's, with who made each (the group's ops read first). */
    private static int listLinks(Session session, GroupInfo g) throws Exception {
      Output out = session.output();
      List<GroupInfo.Link> links = session.client().groups().links(g.id());
      org.reschat.cli.People people = new org.reschat.cli.People(session);
      for (GroupInfo.Link l : links) {
        PublicCard maker = l.maker().orElse(session.card()); // kept before links were shared: made here
        if (out.json()) {
          JsonObject o = Json.object("group_link");
          o.addProperty("group", g.name());
          o.addProperty("link", l.text());
          o.addProperty("made_by", people.nameOf(maker));
          o.addProperty("maker_fingerprint", maker.fingerprintText());
          out.json(o);
        } else {
          out.line(l.text() + "  made by " + SafeText.line(people.nameOf(maker)));
        }
      }
      if (links.isEmpty() && !out.json()) {
        out.note(noOpenLink(g));
      }
      return ExitCodes.OK;
    }
  }

  /** The sentence saying that the group has no open link, and how to make one. */
  static String noOpenLink(GroupInfo g) {
    String name = SafeText.line(g.name());
    return "\"" + name + "\" has no open link, so nobody can ask to join; 'reschat group link " + name + "' makes one.";
  }

  /** Said after a removal or an admin changed: the links a former admin held are revoked for every admin. */
  static String linksRevoked(GroupInfo before, GroupInfo after) {
    long gone = before.links().stream().filter(l -> !after.links().contains(l)).count();
    return gone == 0 ? "" : " " + (gone == 1 ? "A join link they held is" : gone + " join links they held are")
        + " revoked (they could still read the requests sent through it); 'reschat group link "
        + SafeText.line(after.name()) + "' makes a new one.";
  }

  @Command(name = "join", mixinStandardHelpOptions = true,
      description = {"Ask to join a group by its link.",
          "Once an admin approves, your next 'reschat receive' (or this command again) completes the join."})
  static final class Join extends BaseCommand {
    @Parameters(index = "0", paramLabel = "LINK", description = "The rcg1:… link an admin gave you.")
    String link;

    @Option(names = "--name", paramLabel = "NAME",
        description = {"The name the admins see (default: the one", "given before, else yours from init)."})
    String asName;

    Join(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      // Asked first: the request goes to the ledger before the profile records anything of the group.
      session.profile().checkWritable("join a group");
      Output out = session.output();
      // Asking again through the same link keeps the name the admins were shown the first time.
      String shown = asName != null ? asName : org.reschat.cli.PendingJoins.nameFor(session, link)
          .orElse(org.reschat.core.identity.IdentityFile.name(session.profile().readIdentity()).orElse("someone"));
      Groups.JoinResult first = session.client().groups().join(link, shown, false);
      for (org.reschat.core.FeedWarning w : first.warnings()) {
        out.feedWarning(w, "group link"); // a welcome refused, or in conflict with the group held
      }
      if (!first.warnings().isEmpty() && first.joined().isEmpty()) {
        return ExitCodes.SECURITY;
      }
      Groups.JoinResult r = first.joined().isPresent() ? first : session.client().groups().join(link, shown, true);
      if (r.joined().isPresent()) {
        org.reschat.cli.PendingJoins.remove(session, link);
        GroupInfo g = r.joined().get();
        if (session.profile().friends().find(g.name()).isPresent()) {
          out.warn("the group's name \"" + SafeText.line(g.name()) + "\" is also a friend's nickname: "
              + "commands taking a name will mean the friend.");
        }
        report(out, g, session.card(), "You joined \"" + SafeText.line(g.name()) + "\" (" + g.members().size()
            + " members).");
        return first.warnings().isEmpty() ? ExitCodes.OK : ExitCodes.SECURITY;
      }
      org.reschat.cli.PendingJoins.add(session, link, shown);
      if (out.json()) {
        JsonObject o = Json.object("join_request");
        o.addProperty("status", "requested");
        o.addProperty("name", shown);
        out.json(o);
      } else {
        out.note("Your request to join was posted as \"" + SafeText.line(shown) + "\"; once an admin approves it,"
            + " your next 'reschat receive' completes the join.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "requests", mixinStandardHelpOptions = true, description = "Who asks to join (admins only).")
  static final class Requests extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name.")
    String name;

    Requests(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      GroupInfo g = named(session, name);
      Output out = session.output();
      List<Groups.JoinRequest> requests = session.client().groups().joinRequests(g.id());
      for (Groups.JoinRequest r : requests) {
        printRequest(out, g.name(), r);
      }
      if (requests.isEmpty() && !out.json()) {
        out.note(nobodyAsks(session, g));
      }
      return ExitCodes.OK;
    }
  }

  /** No request waits: said so, with the group's open links counted (any admin's: every admin reads them all). */
  static String nobodyAsks(Session session, GroupInfo g) throws Exception {
    GroupInfo now = session.client().groups().info(g.id()).orElse(g);
    int open = now.links().size();
    return open == 0 ? noOpenLink(now) : "Nobody asks to join \"" + SafeText.line(now.name()) + "\" through its "
        + (open == 1 ? "open link" : open + " open links") + " ('reschat group link " + SafeText.line(now.name())
        + " --list').";
  }

  /** "carol (fingerprint 3a7f 91c2 …) asks to join": the name is the requester's claim, the fingerprint the fact. */
  public static void printRequest(Output out, String group, Groups.JoinRequest r) {
    if (out.json()) {
      out.json(Json.joinRequest(group, r));
    } else {
      out.line(SafeText.line(r.name()) + " (fingerprint " + r.card().fingerprintText() + ") asks to join \""
          + SafeText.line(group) + "\": 'reschat group approve " + SafeText.line(group) + " "
          + org.reschat.cli.Fingerprints.shortForm(r.card()) + "' or 'reschat group deny " + SafeText.line(group) + " "
          + org.reschat.cli.Fingerprints.shortForm(r.card()) + "'");
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true,
      description = {"Let a requester in (admins only).", "The group gets a new key, and they a welcome only they can open."})
  static final class Approve extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name.")
    String name;

    @Parameters(index = "1", paramLabel = "REQUESTER", description = "The start of the fingerprint 'group requests' shows.")
    String requester;

    @Option(names = "--share-history", description = "Hand them the group's earlier messages too.")
    boolean shareHistory;

    Approve(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      GroupInfo g = named(session, name);
      Groups.JoinRequest r = requestBy(session, g, requester);
      GroupInfo after = session.client().groups().approve(g.id(), r.card(), shareHistory);
      report(session.output(), after, session.card(), "Approved " + SafeText.line(r.name()) + " (" + r.card()
          .fingerprintText().substring(0, 9) + "); their next 'reschat receive' completes the join.");
      return ExitCodes.OK;
    }
  }

  @Command(name = "deny", mixinStandardHelpOptions = true, description = "Deny a request (admins only).")
  static final class Deny extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name.")
    String name;

    @Parameters(index = "1", paramLabel = "REQUESTER", description = "The start of the fingerprint 'group requests' shows.")
    String requester;

    Deny(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      GroupInfo g = named(session, name);
      Groups.JoinRequest r = requestBy(session, g, requester);
      GroupInfo after = session.client().groups().deny(g.id(), r.card());
      report(session.output(), after, session.card(), "Denied " + SafeText.line(r.name()) + "'s request.");
      return ExitCodes.OK;
    }
  }

  /** The one request whose requester's fingerprint starts with {@code who} (at least 4 hex digits). */
  public static Groups.JoinRequest requestBy(Session session, GroupInfo g, String who) throws Exception {
    List<Groups.JoinRequest> matches = org.reschat.cli.Fingerprints.startingWith(who,
        session.client().groups().joinRequests(g.id()), Groups.JoinRequest::card);
    if (matches.size() != 1) {
      throw new GroupException(GroupException.Reason.NOT_A_MEMBER, "\"" + SafeText.line(who) + "\" names "
          + (matches.isEmpty() ? "no" : "more than one") + " request to join \"" + SafeText.line(g.name())
          + "\"; use more of the fingerprint 'reschat group requests' prints.");
    }
    return matches.get(0);
  }

  /** A member by a friend's nickname, "me", or the start of their fingerprint (hex, spaces ignored). */
  static PublicCard memberCard(Session session, GroupInfo g, String who) throws Exception {
    var friend = session.profile().friends().find(who);
    if (friend.isPresent() && g.members().contains(friend.get().card())) {
      return friend.get().card();
    }
    if (who.equals("me") && friend.isEmpty() && g.members().contains(session.card())) {
      return session.card();
    }
    List<PublicCard> matches = org.reschat.cli.Fingerprints.startingWith(who, g.members(), m -> m);
    if (matches.size() != 1) {
      throw new GroupException(GroupException.Reason.NOT_A_MEMBER, "\"" + SafeText.line(who) + "\" names "
          + (matches.isEmpty() ? "no" : "more than one") + " member of \"" + SafeText.line(g.name())
          + "\"; use a friend's nickname or more of the fingerprint 'reschat group show' prints.");
    }
    return matches.get(0);
  }
}
