package org.reschat.cli.interactive;

import org.reschat.cli.text.SafeText;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.reschat.core.MessageRequest;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.reschat.cli.CliException;
import org.reschat.cli.IdentityCreation;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.identity.SafetyNumber;
import org.reschat.localdb.Friend;
import org.reschat.localdb.FriendList;

/**
 * The menu for people, following ResChat's flow: main menu (start chatting / add friend / quit), pick a
 * friend, chat. Numbered choices, Tab completion, a masked passphrase prompt.
 */
public final class Menu {
  private final Session session;
  private final Output out;
  private Terminal terminal;
  private LineReader reader;

  public Menu(Session session) {
    this.session = session;
    this.out = session.output();
  }

  public int run() throws Exception {
    terminal = session.context().terminals().open();
    try {
      reader = LineReaderBuilder.builder().terminal(terminal).appName("reschat").build();
      session.usePrompt(prompt -> {
        String typed = reader.readLine(prompt, HIDDEN);
        return typed == null ? null : typed.toCharArray();
      });
      if (!session.profile().hasIdentity() && !createIdentity()) {
        return 0;
      }
      session.identity(); // ask for the passphrase once, up front
      while (true) {
        String name = SafeText.line(IdentityFile.name(session.profile().readIdentity()).orElse("you"));
        println("");
        println(out.paint("1", "ResChat") + " — " + name + " · " + session.profile().friends().list().size()
            + " friend(s) · " + session.storeSpec());
        println("  1) Start chatting");
        println("  2) Add a friend");
        println("  3) Show my card");
        println("  4) Verify, rename or remove a friend");
        println("  5) Message requests (people who are not friends yet)");
        println("  6) Quit"); // last, where people look for it
        Optional<String> choice = ask("> ", "1", "2", "3", "4", "5", "6", "chat", "add", "card", "quit", "friend",
            "requests");
        if (choice.isEmpty()) {
          return 0;
        }
        switch (choice.get().strip().toLowerCase(java.util.Locale.ROOT)) {
          case "1":
          case "chat":
            chat();
            break;
          case "2":
          case "add":
            addFriend();
            break;
          case "3":
          case "card":
            println("Your card (give it to friends):");
            println(session.card().toString());
            println("Fingerprint: " + session.card().fingerprintText());
            break;
          case "4":
          case "friend":
            manageFriend();
            break;
          case "5":
          case "requests":
            messageRequests();
            break;
          case "6":
          case "quit":
          case "q":
            return 0;
          default:
            println("Choose a number from 1 to 6 (6 quits).");
        }
      }
    } finally {
      terminal.close();
    }
  }

  private boolean createIdentity() throws Exception {
    println("Welcome to ResChat. You have no identity in " + session.profile().directory() + " yet.");
    Optional<String> yes = ask("Create one now? [Y/n] ", "y", "n");
    if (yes.isEmpty() || yes.get().strip().toLowerCase(java.util.Locale.ROOT).startsWith("n")) {
      return false;
    }
    Optional<String> name = ask("Your name (shown to you only; Enter to skip): ");
    if (name.isEmpty()) {
      return false;
    }
    println("Choose a passphrase to protect your keys.");
    char[] passphrase = null;
    while (passphrase == null) {
      Optional<String> typed = hidden("Passphrase: ");
      if (typed.isEmpty()) {
        println("Nothing was created.");
        return false;
      }
      String first = typed.get();
      // An Enter alone is easily a slip: keys without a passphrase need an explicit yes.
      if (first.isEmpty()) {
        Optional<String> none = ask("No passphrase: anyone who can read your files can use your keys. Create them "
            + "without one? [y/N] ");
        if (none.isEmpty()) {
          return false;
        }
        if (none.get().strip().toLowerCase(java.util.Locale.ROOT).startsWith("y")) {
          break;
        }
        continue;
      }
      Optional<String> again = hidden("Repeat it: ");
      if (again.isEmpty()) {
        println("Nothing was created.");
        return false;
      }
      String second = again.get();
      if (!first.equals(second)) {
        println("The two passphrases differ; type it again.");
        continue;
      }
      try {
        passphrase = Session.acceptStrength(first.toCharArray(), false, q -> ask(q).orElse(null), this::println);
      } catch (CliException closed) {
        println("Nothing was created.");
        return false;
      }
      if (passphrase == null) {
        println(Session.ANOTHER);
      }
    }
    session.useIdentity(IdentityCreation.create(session.profile(), name.get().isBlank() ? null : name.get().strip(),
        passphrase, IdentityFile.DEFAULT_ARGON2_MEMORY_KIB));
    org.reschat.cli.ProfileStore.record(session.profile(), session.storeSpec());
    println("Created. Your card, to give to friends:");
    println(session.card().toString());
    return true;
  }

  private void chat() throws Exception {
    org.reschat.cli.NamedChat chosen = pickChat();
    if (chosen != null) {
      new ChatView(session, terminal, chosen).run();
    }
  }

  /** Lists friends, then groups, and asks for one; null when there is none or nobody was chosen. */
  private org.reschat.cli.NamedChat pickChat() throws Exception {
    List<org.reschat.cli.NamedChat> chats = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Friend f : session.profile().friends().list()) {
      chats.add(org.reschat.cli.NamedChat.of(f));
      labels.add(SafeText.line(f.nickname()) + (f.verified() ? "" : out.paint("2", " (unverified)")));
    }
    for (org.reschat.core.GroupInfo g : session.client().groups().list()) {
      if (g.active()) {
        chats.add(org.reschat.cli.NamedChat.of(g));
        labels.add(SafeText.line(g.name()) + out.paint("2", " (group, " + g.members().size() + " members)"));
      }
    }
    if (chats.isEmpty()) {
      println("No friends or groups yet: add a friend first (2).");
      return null;
    }
    List<String> choices = new ArrayList<>();
    for (int i = 0; i < chats.size(); i++) {
      org.reschat.cli.NamedChat c = chats.get(i);
      println(String.format("  %d) %s", i + 1, labels.get(i)));
      choices.add(Integer.toString(i + 1));
      choices.add(c.name());
    }
    Optional<String> pick = ask("Friend or group (number or name, Tab completes): ", choices.toArray(new String[0]));
    if (pick.isEmpty() || pick.get().isBlank()) {
      return null;
    }
    String p = pick.get().strip();
    if (p.matches("\\d+") && Integer.parseInt(p) >= 1 && Integer.parseInt(p) <= chats.size()) {
      return chats.get(Integer.parseInt(p) - 1);
    }
    for (org.reschat.cli.NamedChat c : chats) {
      if (c.name().equals(p)) {
        return c;
      }
    }
    println("No friend or group " + SafeText.line(p) + ".");
    return null;
  }

  /** Lists the friends and asks for one; null when there is none or nobody was chosen. */
  private Friend pickFriend() throws Exception {
    List<Friend> friends = session.profile().friends().list();
    if (friends.isEmpty()) {
      println("No friends yet: add one first (2).");
      return null;
    }
    List<String> choices = new ArrayList<>();
    for (int i = 0; i < friends.size(); i++) {
      Friend f = friends.get(i);
      println(String.format("  %d) %s%s", i + 1, f.nickname(), f.verified() ? "" : out.paint("2", " (unverified)")));
      choices.add(Integer.toString(i + 1));
      choices.add(f.nickname());
    }
    Optional<String> pick = ask("Friend (number or name, Tab completes): ", choices.toArray(new String[0]));
    if (pick.isEmpty() || pick.get().isBlank()) {
      return null;
    }
    Friend chosen = null;
    String p = pick.get().strip();
    if (p.matches("\\d+") && Integer.parseInt(p) >= 1 && Integer.parseInt(p) <= friends.size()) {
      chosen = friends.get(Integer.parseInt(p) - 1);
    } else {
      Optional<Friend> byName = session.profile().friends().find(p);
      chosen = byName.orElse(null);
    }
    if (chosen == null) {
      println("No friend " + SafeText.line(p) + ".");
    }
    return chosen;
  }

  private void addFriend() throws Exception {
    FriendList friends = session.profile().friends();
    // The nickname first, refused at once when taken or invalid, so a pasted card is never thrown away
    // because of the name; a card that does not parse is asked for again.
    String nick = askNickname("Nickname: ");
    if (nick == null) {
      return;
    }
    while (true) {
      Optional<String> card = ask("Their card (rc2:…, Enter to stop): ");
      if (card.isEmpty() || card.get().isBlank()) {
        return;
      }
      try {
        Friend f = friends.add(nick, PublicCard.parse(card.get()), session.card());
        println("Added " + f.nickname() + ".");
        println("Safety number: " + SafetyNumber.between(session.card(), f.card()));
        println("Compare it with " + f.nickname() + " (in person or on a call); it is the same on both sides.");
        return;
      } catch (org.reschat.core.InvalidCardException e) {
        println(out.paint("31", SafeText.line(e.getMessage())) + " Paste it again.");
      } catch (Exception e) {
        println(out.paint("31", SafeText.line(e.getMessage())));
        return;
      }
    }
  }

  /** Each request in turn: the stranger's fingerprint and messages, then accept (with a nickname), ignore or skip. */
  private void messageRequests() throws Exception {
    List<MessageRequest> requests;
    try {
      requests = session.client().requests().pending(
          session.profile().friends().list().stream().map(Friend::card).toList());
    } catch (org.reschat.kv.KvException e) {
      println(out.paint("31", "Could not read the store: " + SafeText.line(e.getMessage())));
      return;
    }
    if (requests.isEmpty()) {
      println("No message requests.");
      return;
    }
    for (MessageRequest r : requests) {
      String who = org.reschat.cli.Fingerprints.shortForm(r.from());
      println("");
      println("From " + who + " (fingerprint " + r.from().fingerprintText() + "), not a friend:");
      r.messages().forEach(m -> println("  " + out.format(m, who)));
      Optional<String> what = ask("[a]ccept as a friend, [i]gnore for good, Enter to skip: ", "accept", "ignore");
      if (what.isEmpty()) {
        return;
      }
      String w = what.get().strip().toLowerCase(java.util.Locale.ROOT);
      if (w.startsWith("a") || w.startsWith("i")) {
        try {
          session.profile().checkWritable("accept or ignore a message request");
        } catch (org.reschat.localdb.ReadOnlyProfileException e) {
          println(out.paint("31", SafeText.line(e.getMessage())));
          return;
        }
      }
      if (w.startsWith("a")) {
        String nick = askNickname("Nickname for them: ");
        if (nick != null) {
          session.profile().friends().add(nick, r.from(), session.card());
          session.client().requests().accepted(r.from());
          println("Added " + nick + ". A stranger can claim any name: compare the safety number "
              + SafetyNumber.between(session.card(), r.from()) + " with them.");
        }
      } else if (w.startsWith("i")) {
        session.client().requests().ignore(r.from());
        println("Ignored.");
      }
    }
  }

  /** Asks until a nickname is valid and free; null when the person gives up (Enter or Ctrl-D). */
  private String askNickname(String prompt) throws Exception {
    while (true) {
      Optional<String> nick = ask(prompt);
      if (nick.isEmpty() || nick.get().isBlank()) {
        return null;
      }
      try {
        String n = org.reschat.localdb.Nicknames.check(nick.get().strip());
        Optional<Friend> taken = session.profile().friends().find(n);
        if (taken.isEmpty()) {
          return n;
        }
        println(out.paint("31", "You already have a friend called " + SafeText.line(taken.get().nickname())
            + "; choose another nickname."));
      } catch (org.reschat.localdb.ProfileException e) {
        println(out.paint("31", SafeText.line(e.getMessage())));
      }
    }
  }

  /** Verify, rename or remove one friend. */
  private void manageFriend() throws Exception {
    Friend f = pickFriend();
    if (f == null) {
      return;
    }
    FriendList friends = session.profile().friends();
    Optional<String> what = ask("v) verify  r) rename  d) remove  (Enter: back) ", "v", "r", "d");
    String w = what.map(x -> x.strip().toLowerCase(java.util.Locale.ROOT)).orElse("");
    if (w.startsWith("v")) {
      println("Safety number with " + f.nickname() + " (they see the same):");
      println(SafetyNumber.between(session.card(), f.card()));
      if (f.verified()) {
        println(f.nickname() + " is marked as verified.");
        return;
      }
      Optional<String> same = ask("Does it match what " + f.nickname() + " sees? [y/N] ", "y", "n");
      if (same.isPresent() && same.get().strip().toLowerCase(java.util.Locale.ROOT).startsWith("y")) {
        friends.markVerified(f.nickname());
        println("Marked " + f.nickname() + " as verified.");
      } else {
        println("Not marked. If the numbers differ, you may not have " + f.nickname() + "'s real card.");
      }
    } else if (w.startsWith("r")) {
      String n = askNickname("New nickname for " + f.nickname() + ": ");
      if (n != null) {
        friends.rename(f.nickname(), n);
        println("Renamed " + f.nickname() + " to " + n + ".");
      }
    } else if (w.startsWith("d")) {
      Optional<String> sure = ask("Remove " + f.nickname() + "? Your messages stay on the ledger. [y/N] ", "y", "n");
      if (sure.isPresent() && sure.get().strip().toLowerCase(java.util.Locale.ROOT).startsWith("y")) {
        friends.remove(f.nickname());
        println("Removed " + f.nickname() + ".");
      }
    }
  }

  /** Passphrases are typed without any echo, as at every other prompt of reschat (and of sudo or ssh). */
  public static final char HIDDEN = org.jline.reader.impl.LineReaderImpl.NULL_MASK;

  /** A passphrase typed with no echo; empty when the person leaves (Ctrl-D or Ctrl-C). */
  private Optional<String> hidden(String prompt) {
    try {
      return Optional.of(reader.readLine(prompt, HIDDEN));
    } catch (UserInterruptException | EndOfFileException e) {
      return Optional.empty();
    }
  }

  private Optional<String> ask(String prompt, String... completions) {
    LineReader r = completions.length == 0 ? reader
        : LineReaderBuilder.builder().terminal(terminal).appName("reschat").completer(new StringsCompleter(completions)).build();
    try {
      return Optional.of(r.readLine(prompt));
    } catch (UserInterruptException | EndOfFileException e) {
      return Optional.empty();
    }
  }

  private void println(String text) {
    terminal.writer().println(text);
    terminal.writer().flush();
  }
}
