package org.reschat.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Everything a command may touch outside itself: environment, streams, terminal, clock. Main builds the
 * real one; tests build their own, so no test reads the real environment or home directory.
 */
public final class CliContext {
  /** Reads a passphrase without echoing it. */
  @FunctionalInterface
  public interface PassphrasePrompt {
    char[] read(String prompt) throws IOException;
  }

  /** Reads one visible line: the answer to a yes/no question on the terminal. */
  @FunctionalInterface
  public interface QuestionPrompt {
    String ask(String question) throws IOException;
  }

  /** Opens the terminal for the menu and the chat view. */
  @FunctionalInterface
  public interface TerminalFactory {
    Terminal open() throws IOException;
  }

  final Map<String, String> env;
  final InputStream in;
  final PrintWriter out;
  final PrintWriter err;
  final boolean interactive;
  final boolean stderrIsTerminal;
  final java.io.PrintStream progress;
  final PassphrasePrompt prompt;
  final QuestionPrompt questions;
  final TerminalFactory terminals;
  final Clock clock;
  final ZoneId zone;
  final Session warm;
  final boolean realProcess;

  private CliContext(Builder b) {
    this.env = Map.copyOf(b.env);
    this.in = b.in;
    this.out = b.out;
    this.err = b.err;
    this.interactive = b.interactive;
    this.stderrIsTerminal = b.stderrIsTerminal;
    this.progress = b.progress;
    this.prompt = b.prompt;
    this.questions = b.questions;
    this.terminals = b.terminals;
    this.clock = b.clock;
    this.zone = b.zone;
    this.warm = b.warm;
    this.realProcess = b.realProcess;
  }

  /** The real process: its environment, standard streams (UTF-8) and terminal. */
  public static CliContext system() {
    boolean tty = System.console() != null;
    return builder()
        .env(System.getenv())
        .in(System.in)
        .out(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true))
        .err(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true))
        .interactive(tty)
        .stderrIsTerminal(tty)
        .progress(System.err)
        .prompt(tty ? p -> System.console().readPassword("%s", p) : null)
        .questions(tty ? q -> System.console().readLine("%s", q) : null)
        .terminals(() -> TerminalBuilder.builder().system(true).build())
        .realProcess(true)
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Map<String, String> env() {
    return env;
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }

  public InputStream in() {
    return in;
  }

  public boolean interactive() {
    return interactive;
  }

  public boolean stderrIsTerminal() {
    return stderrIsTerminal;
  }

  public java.io.PrintStream progress() {
    return progress;
  }

  public TerminalFactory terminals() {
    return terminals;
  }

  public Clock clock() {
    return clock;
  }

  /** Who answers a yes/no question on the terminal; null when nobody can be asked. */
  public QuestionPrompt questions() {
    return questions;
  }

  public ZoneId zone() {
    return zone;
  }

  /** What Ctrl-C says during a command that leaves something behind (see {@link InterruptNotice}). */
  public InterruptNotice interrupts(boolean json) {
    return realProcess && warm == null ? InterruptNotice.process(err, json) : InterruptNotice.NONE;
  }

  /** The daemon's open session that commands run inside it borrow; null for an ordinary run. */
  public Session warm() {
    return warm;
  }

  /** This context with other streams and a warm session: one command run inside the daemon. */
  public CliContext forDaemonCall(PrintWriter out, PrintWriter err, Session warm) {
    return builder().env(env).out(out).err(err).zone(zone).clock(clock).warm(warm).build();
  }

  public static final class Builder {
    private Map<String, String> env = Map.of();
    private InputStream in = InputStream.nullInputStream();
    private PrintWriter out = new PrintWriter(OutputStreamWriter.nullWriter());
    private PrintWriter err = new PrintWriter(OutputStreamWriter.nullWriter());
    private boolean interactive;
    private boolean stderrIsTerminal;
    private java.io.PrintStream progress = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
    private PassphrasePrompt prompt;
    private QuestionPrompt questions;
    private TerminalFactory terminals = () -> {
      throw new IOException("no terminal");
    };
    private Clock clock = Clock.systemUTC();
    private ZoneId zone = ZoneId.systemDefault();
    private Session warm;
    private boolean realProcess;

    /** This is the process of the command (Main): it may catch its signals. */
    public Builder realProcess(boolean value) {
      this.realProcess = value;
      return this;
    }

    public Builder env(Map<String, String> env) {
      this.env = Objects.requireNonNull(env);
      return this;
    }

    public Builder in(InputStream in) {
      this.in = Objects.requireNonNull(in);
      return this;
    }

    public Builder out(PrintWriter out) {
      this.out = Objects.requireNonNull(out);
      return this;
    }

    public Builder err(PrintWriter err) {
      this.err = Objects.requireNonNull(err);
      return this;
    }

    /** Whether standard input and output are a terminal (menus, prompts, colour, progress bars). */
    public Builder interactive(boolean interactive) {
      this.interactive = interactive;
      return this;
    }

    public Builder stderrIsTerminal(boolean value) {
      this.stderrIsTerminal = value;
      return this;
    }

    /** Where progress bars draw (stderr); they appear only when stderr is a terminal. */
    public Builder progress(java.io.PrintStream progress) {
      this.progress = Objects.requireNonNull(progress);
      return this;
    }

    public Builder prompt(PassphrasePrompt prompt) {
      this.prompt = prompt;
      return this;
    }

    /** Asks yes/no questions on the terminal; null when there is none to ask on. */
    public Builder questions(QuestionPrompt questions) {
      this.questions = questions;
      return this;
    }

    public Builder terminals(TerminalFactory terminals) {
      this.terminals = Objects.requireNonNull(terminals);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone);
      return this;
    }

    public Builder warm(Session warm) {
      this.warm = warm;
      return this;
    }

    public CliContext build() {
      return new CliContext(this);
    }
  }
}
