package org.reschat.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs reschat commands in this JVM through {@link Cli#run}, exactly as Main does, with an environment
 * that points every directory into a temporary folder.
 */
final class CliHarness {
  final Path root;
  final Map<String, String> env = new HashMap<>();
  String stdin = "";
  boolean interactive;
  boolean stderrIsTerminal;
  java.io.PrintStream progress = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
  /** The masked passphrase prompt and the yes/no questions of a terminal; null: no terminal to ask on. */
  CliContext.PassphrasePrompt prompt;
  CliContext.QuestionPrompt questions;
  /** The clock every command runs with (a later command can be run as if some time had passed). */
  java.time.Clock clock = java.time.Clock.systemUTC();
  CliContext.TerminalFactory terminals = () -> {
    throw new java.io.IOException("no terminal in this test");
  };

  CliHarness(Path root) {
    this.root = root;
    env.put("HOME", root.resolve("home").toString());
    env.put("XDG_DATA_HOME", root.resolve("data").toString());
    env.put("XDG_CONFIG_HOME", root.resolve("config").toString());
    env.put("RESCHAT_STORE", "embedded:" + root.resolve("ledger.db"));
  }

  record Result(int code, String out, String err) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = run(out, err, args);
    return new Result(code, out.toString(), err.toString());
  }

  /** A command running on a thread of its own, whose output can be read while it runs. */
  record Running(StringWriter out, StringWriter err, java.util.concurrent.Future<Integer> code) {
    /** Waits until its output holds a match of {@code regex}, and returns the match. */
    String await(String regex, java.time.Duration within) throws Exception {
      java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
      long end = System.nanoTime() + within.toNanos();
      while (System.nanoTime() < end) {
        java.util.regex.Matcher m = p.matcher(out + "\n" + err);
        if (m.find()) {
          return m.group();
        }
        if (code.isDone()) {
          throw new AssertionError("ended (exit " + code.get() + ") without " + regex + ":\n" + out + err);
        }
        Thread.sleep(20);
      }
      throw new AssertionError("no " + regex + " within " + within + ":\n" + out + err);
    }

    Result result(java.time.Duration within) throws Exception {
      int c = code.get(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return new Result(c, out.toString(), err.toString());
    }
  }

  /** Runs as {@code who} on a thread of its own (for commands that wait, such as linking a device). */
  Running start(String who, String... args) {
    List<String> all = new ArrayList<>(List.of("--home", root.resolve(who).toString()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    java.util.concurrent.FutureTask<Integer> task = new java.util.concurrent.FutureTask<>(
        () -> run(out, err, all.toArray(new String[0])));
    Thread t = new Thread(task, "reschat " + who + " " + String.join(" ", args));
    t.setDaemon(true);
    t.start();
    return new Running(out, err, task);
  }

  private int run(StringWriter out, StringWriter err, String... args) {
    CliContext ctx = CliContext.builder()
        .env(env)
        .in(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))
        .out(new PrintWriter(out, true))
        .err(new PrintWriter(err, true))
        .interactive(interactive)
        .stderrIsTerminal(stderrIsTerminal)
        .progress(progress)
        .prompt(prompt)
        .questions(questions)
        .terminals(terminals)
        .zone(ZoneOffset.UTC)
        .clock(clock)
        .build();
    int code = Cli.run(ctx, args);
    stdin = "";
    return code;
  }

  /** Points every command at an emulated ResilientDB cluster, with the given timeouts. */
  void useResilientDb(org.reschat.kv.testing.ResilientDbCluster cluster, java.time.Duration connect,
      java.time.Duration read, java.time.Duration confirm) {
    env.put("RESCHAT_STORE", cluster.storeSpec());
    env.put("RESCHAT_CONNECT_TIMEOUT", connect.toMillis() + "ms");
    env.put("RESCHAT_READ_TIMEOUT", read.toMillis() + "ms");
    env.put("RESCHAT_CONFIRM_TIMEOUT", confirm.toMillis() + "ms");
  }

  /** Runs as the person whose profile is {@code root/<who>}. */
  Result as(String who, String... args) {
    List<String> all = new ArrayList<>(List.of("--home", root.resolve(who).toString()));
    all.addAll(List.of(args));
    return run(all.toArray(new String[0]));
  }

  /** Creates a profile without a passphrase and returns its card. */
  String init(String who) {
    Result r = as(who, "init", "--name", who, "--no-passphrase");
    if (r.code() != 0) {
      throw new AssertionError(r.toString());
    }
    return r.out().strip();
  }

  /** Two people who have each other as friends. */
  void friends(String a, String b) {
    String cardA = init(a);
    String cardB = init(b);
    check(as(a, "friend", "add", b, cardB));
    check(as(b, "friend", "add", a, cardA));
  }

  /**
   * {@code host} and {@code members} (new profiles), each member a friend of the host's and of no other member's,
   * and the host's group {@code group} of them all, which no member has received yet.
   */
  void groupOfHostsFriends(String group, String host, String... members) {
    String hostCard = init(host);
    List<String> create = new ArrayList<>(List.of("group", "create", group));
    for (String member : members) {
      check(as(host, "friend", "add", member, init(member)));
      check(as(member, "friend", "add", host, hostCard));
      create.addAll(List.of("--member", member));
    }
    check(as(host, create.toArray(String[]::new)));
  }

  /**
   * {@code stranger} holds {@code to}'s card but not the other way round (a new profile each when missing),
   * and writes {@code texts} to them: what a message request is.
   */
  void strangerWrites(String stranger, String to, String... texts) {
    String card = java.nio.file.Files.exists(root.resolve(to).resolve("identity.json"))
        ? cardOf(to) : init(to);
    if (!java.nio.file.Files.exists(root.resolve(stranger).resolve("identity.json"))) {
      init(stranger);
    }
    check(as(stranger, "friend", "add", to, card));
    for (String text : texts) {
      check(as(stranger, "send", to, text));
    }
    // The request is posted by a later command of the stranger's, 10 to 60 minutes on (MessageRequests).
    java.time.Clock now = clock;
    clock = java.time.Clock.offset(now, org.reschat.core.internal.requests.MessageRequests.MAX_DELAY.plusMinutes(1));
    try {
      check(as(stranger, "receive"));
    } finally {
      clock = now;
    }
  }

  /** {@code who}'s card, as {@code whoami --json} prints it. */
  String cardOf(String who) {
    return check(as(who, "whoami", "--json")).out().replaceAll("(?s).*\"card\":\"(rc2:[^\"]+)\".*", "$1");
  }

  /** The first eight hex digits of {@code who}'s fingerprint, as a person types them to name a request. */
  String fingerprintStart(String who) {
    return fingerprintHex(who).substring(0, 8);
  }

  /** {@code who}'s fingerprint in hex, without the spaces {@link #fingerprintOf} groups it with. */
  String fingerprintHex(String who) {
    return fingerprintOf(who).replace(" ", "").strip();
  }

  /** {@code who}'s fingerprint as {@code whoami --json} prints it (hex in groups of four). */
  String fingerprintOf(String who) {
    return check(as(who, "whoami", "--json")).out().replaceAll("(?s).*\"fingerprint\":\"([0-9a-f ]+)\".*", "$1");
  }

  static Result check(Result r) {
    if (r.code() != 0) {
      throw new AssertionError(r.toString());
    }
    return r;
  }
}
