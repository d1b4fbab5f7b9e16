package org.reschat.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reschat.cli.text.SafeText;
import org.reschat.core.Content;
import org.reschat.core.Event;
import org.reschat.core.Message;

/**
 * Tells a person about new messages beyond printing them: the terminal's bell, a desktop notification through
 * {@code notify-send}, and a command of theirs run for each event.
 *
 * <p>The command ({@code receive --exec CMD}, the {@code notify.exec} setting) is the person's own line for
 * {@code /bin/sh -c}; each event reaches it only as one JSON object on its standard input. No text anyone
 * else wrote is ever put into its command line, its arguments or its environment, so no message can inject
 * into a shell. {@code notify-send} is run without a shell, its arguments a list, the text sanitised and its
 * markup escaped. Commands run one at a time on a thread of their own, each for at most
 * {@link #EXEC_TIMEOUT_SECONDS}; at most {@link #QUEUE} events wait, and more are dropped with one warning,
 * so a slow command never holds up receiving.
 */
public final class Notifier implements AutoCloseable {
  public static final int EXEC_TIMEOUT_SECONDS = 60;
  public static final int QUEUE = 256;
  /** How long closing waits for commands still queued. */
  private static final long DRAIN_SECONDS = 30;
  private static final int PREVIEW = 100;

  private final CliContext ctx;
  private final Output out;
  private final boolean bell;
  private final Optional<Path> notifySend;
  private final Optional<String> exec;
  private final ThreadPoolExecutor runner;
  private final AtomicBoolean warnedFull = new AtomicBoolean();
  private final AtomicBoolean warnedFailed = new AtomicBoolean();

  /** As the session's settings say; {@code interactive}: a person is at a terminal (bell, desktop). */
  public Notifier(Session session, boolean interactive) throws Exception {
    this.ctx = session.context();
    this.out = session.output();
    this.bell = interactive && session.settings().bell();
    this.notifySend = interactive && session.settings().desktopNotifications() ? desktop(ctx) : Optional.empty();
    this.exec = session.settings().notifyExec();
    this.runner = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
      Thread t = new Thread(r, "reschat-notify");
      t.setDaemon(true);
      return t;
    });
  }

  /** {@code notify-send} on the PATH of a desktop session, if there is one. */
  private static Optional<Path> desktop(CliContext ctx) {
    if (ctx.env().getOrDefault("DISPLAY", "").isEmpty() && ctx.env().getOrDefault("WAYLAND_DISPLAY", "").isEmpty()) {
      return Optional.empty();
    }
    for (String dir : ctx.env().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, "notify-send");
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Whether anything would be done for events: a command set, or a bell or desktop to notify. */
  public boolean active() {
    return exec.isPresent() || bell || notifySend.isPresent();
  }

  /**
   * Tells about {@code e}, which {@code chat} names for people; {@code json}: the event as {@code receive --json}
   * prints it, handed to the command.
   */
  public void event(Event e, String chat, Optional<JsonObject> json) {
    if (e instanceof Event.MessageReceived) {
      Message m = ((Event.MessageReceived) e).message();
      boolean news = m.direction() == Message.Direction.RECEIVED
          && (m.content() instanceof Content.Text || m.content() instanceof Content.Other);
      if (news && bell) {
        ctx.err().print('\u0007');
        ctx.err().flush();
      }
      if (news && notifySend.isPresent()) {
        desktop(chat, m);
      }
    }
    if (exec.isPresent() && json.isPresent()) {
      String line = Json.inert(json.get().toString()) + "\n";
      submit(() -> run(exec.get(), line));
    }
  }

  private void desktop(String chat, Message m) {
    String text = m.content() instanceof Content.Text ? ((Content.Text) m.content()).text() : "a new message";
    if (text.codePointCount(0, text.length()) > PREVIEW) {
      text = text.substring(0, text.offsetByCodePoints(0, PREVIEW)) + "…";
    }
    List<String> command = List.of(notifySend.get().toString(), "--app-name=reschat", "--",
        "reschat: " + SafeText.line(chat), markupEscaped(SafeText.line(text)));
    submit(() -> {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      p.getOutputStream().close();
      if (!p.waitFor(EXEC_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return null;
    });
  }

  /** Notification servers read a subset of HTML in the body: a message's text is shown, never markup. */
  static String markupEscaped(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private Void run(String command, String json) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(json.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the command did not read its input: its business
    }
    if (!p.waitFor(EXEC_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      out.warn("the notify command ran for over " + EXEC_TIMEOUT_SECONDS + " s and was stopped.");
    }
    return null;
  }

  private void submit(java.util.concurrent.Callable<Void> job) {
    try {
      runner.submit(() -> {
        try {
          return job.call();
        } catch (IOException e) {
          if (!warnedFailed.getAndSet(true)) {
            out.warn("could not run the notify command: " + e.getMessage());
          }
          return null;
        }
      });
    } catch (RejectedExecutionException full) {
      if (!warnedFull.getAndSet(true)) {
        out.warn(QUEUE + " events are waiting for the notify command already; later ones are not handed to it.");
      }
    }
  }

  /** Waits a bounded time for commands still queued, then stops them. */
  @Override
  public void close() {
    runner.shutdown();
    try {
      if (!runner.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
        int left = runner.shutdownNow().size();
        out.warn("stopped the notify command" + (left > 0 ? "; " + left + " events were not handed to it." : "."));
      }
    } catch (InterruptedException e) {
      runner.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
