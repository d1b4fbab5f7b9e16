package org.reschat.cli.commands;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Fingerprints;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.Message;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.MessageRequest;
import org.reschat.localdb.Friend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "requests", mixinStandardHelpOptions = true,
    description = {"Messages from people who are not your friends yet, with their fingerprints.",
        "Alone it lists them; accept one to add them as a friend, or ignore it for good."},
    subcommands = {RequestsCommand.Accept.class, RequestsCommand.Ignore.class})
public final class RequestsCommand extends BaseCommand {
  RequestsCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    List<MessageRequest> requests = session.client().requests().pending(friendCards(session));
    for (MessageRequest r : requests) {
      print(out, r);
    }
    if (requests.isEmpty() && !out.json()) {
      out.note("No message requests.");
    }
    return ExitCodes.OK;
  }

  static List<PublicCard> friendCards(Session session) throws Exception {
    return session.profile().friends().list().stream().map(Friend::card).toList();
  }

  /**
   * Posts this person's queued message requests that are due (a later command than the send that queued
   * them), then says in one sentence each that could not be posted (the core reports each once).
   */
  static void printNotPosted(Session session) throws Exception {
    session.client().requests().postDue();
    org.reschat.cli.People people = new org.reschat.cli.People(session);
    for (PublicCard to : session.client().requests().notPosted()) {
      session.output().warn(notPosted(people.nameOf(to)));
    }
  }

  /** The sentence for a request to {@code name} that could not be posted. */
  public static String notPosted(String name) {
    return "your message request to " + name + " could not be posted (their inbox kept refusing it), so " + name
        + " sees your messages only after adding your card: send it another way ('reschat whoami').";
  }

  /** A request: who (the fingerprint, the only fact about a stranger), their messages, and what to type next. */
  public static void print(Output out, MessageRequest r) {
    String who = Fingerprints.shortForm(r.from());
    if (out.json()) {
      out.json(Json.messageRequest(r));
      return;
    }
    out.line("Message request from " + who + " (fingerprint " + r.from().fingerprintText() + "), not a friend:");
    for (Message m : r.messages()) {
      out.line("  " + out.format(m, who));
    }
    out.line("  'reschat requests accept " + who + " NICK' adds them as a friend; 'reschat requests ignore " + who
        + "' hides them for good.");
  }

  /** The one pending request whose sender's fingerprint starts with {@code who}. */
  static MessageRequest named(Session session, String who) throws Exception {
    List<MessageRequest> matches = Fingerprints.startingWith(who,
        session.client().requests().pending(friendCards(session)), MessageRequest::from);
    if (matches.size() != 1) {
      throw new CliException(matches.isEmpty() ? ExitCodes.NOT_FOUND : ExitCodes.USAGE, "\"" + SafeText.line(who)
          + "\" names " + (matches.isEmpty() ? "no" : "more than one") + " message request; give the start of a"
          + " fingerprint 'reschat requests' prints (at least " + Fingerprints.MIN_DIGITS + " digits).");
    }
    return matches.get(0);
  }

  /** Makes the sender of {@code r} a friend called {@code nickname}, and forgets the request. */
  public static Friend accept(Session session, MessageRequest r, String nickname) throws Exception {
    Friend f = session.profile().friends().add(nickname, r.from(), session.card());
    session.client().requests().accepted(r.from());
    return f;
  }

  @Command(name = "accept", mixinStandardHelpOptions = true,
      description = {"Add the sender of a request as a friend.", "Their messages then show as any friend's."})
  static final class Accept extends BaseCommand {
    @Parameters(index = "0", paramLabel = "FINGERPRINT", description = "The start of the fingerprint 'reschat requests' prints.")
    String who;

    @Parameters(index = "1", paramLabel = "NICK", description = "The name you will use for them.")
    String nickname;

    Accept(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      org.reschat.localdb.Nicknames.check(nickname); // a bad nickname is refused before anything is read
      session.profile().checkWritable("accept a message request");
      Friend f = accept(session, named(session, who), nickname);
      Output out = session.output();
      if (out.json()) {
        out.json(FriendCommand.friendJson(f));
      } else {
        out.note("Added " + f.nickname() + ". A stranger can claim any name: check the fingerprint with them"
            + " ('reschat friend verify " + f.nickname() + "').");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "ignore", mixinStandardHelpOptions = true, description = {"Hide a request for good.", "Any later one from the same card is hidden too."})
  static final class Ignore extends BaseCommand {
    @Parameters(index = "0", paramLabel = "FINGERPRINT", description = "The start of the fingerprint 'reschat requests' prints.")
    String who;

    Ignore(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      session.profile().checkWritable("ignore a message request");
      MessageRequest r = named(session, who);
      session.client().requests().ignore(r.from());
      Output out = session.output();
      if (out.json()) {
        JsonObject o = Json.object("ignored");
        o.addProperty("fingerprint", r.from().fingerprintText());
        out.json(o);
      } else {
        out.note("Ignored " + Fingerprints.shortForm(r.from()) + "; their requests will not show again.");
      }
      return ExitCodes.OK;
    }
  }
}
