package org.reschat.cli;

import java.util.function.Supplier;

/**
 * What Ctrl-C says while a command is in the middle of something that outlives it (a send whose message is
 * already in the outbox): the JVM alone exits 130 in silence. The real process catches SIGINT for as long as
 * the returned handle is open, prints the sentence on stderr and exits 130 as before; tests use {@link #NONE}.
 */
@FunctionalInterface
public interface InterruptNotice {
  /** Says {@code sentence} (asked for at the moment of the interrupt) if Ctrl-C comes before {@code close}. */
  AutoCloseable whileRunning(Supplier<String> sentence);

  /** Catches nothing: the JVM's own handling. */
  InterruptNotice NONE = sentence -> () -> { };

  /** SIGINT in this process, through JLine's wrapper of the JDK's signal API. */
  static InterruptNotice process(java.io.PrintWriter err, boolean json) {
    return sentence -> {
      Object previous = org.jline.utils.Signals.register("INT", () -> {
        String said;
        try {
          said = sentence.get();
        } catch (RuntimeException e) {
          said = null;
        }
        if (said != null) {
          err.println(json ? Json.inert(Json.error(ExitCodes.INTERRUPTED, said).toString()) : "reschat: " + said);
          err.flush();
        }
        System.exit(ExitCodes.INTERRUPTED); // shutdown hooks run, locks are released, as on a plain Ctrl-C
      });
      return () -> {
        if (previous != null) {
          org.jline.utils.Signals.unregister("INT", previous);
        }
      };
    };
  }
}
