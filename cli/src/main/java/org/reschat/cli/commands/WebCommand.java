package org.reschat.cli.commands;

import java.net.BindException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Session;
import org.reschat.cli.web.WebApp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "web", mixinStandardHelpOptions = true,
    description = {"Your chats in a browser, served by this process on 127.0.0.1 only.",
        "Unlocks the identity, prints the URL to open (with a one-time token) as the first",
        "line on stdout, and opens a browser where there is one. Ctrl-C stops it.",
        "See the README's web section for what the browser can and cannot do."})
public final class WebCommand extends BaseCommand {
  @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
      description = "The loopback port to listen on (default 0: a free one).")
  int port;

  @Option(names = "--no-browser", description = "Only print the URL; open no browser.")
  boolean noBrowser;

  WebCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    if (port < 0 || port > 65535) {
      throw new CliException(ExitCodes.USAGE, "--port " + port + " is not a port number (0 to 65535; 0 picks a free one).");
    }
    session.output(); // everything a request thread uses is made before the first request
    WebApp app = new WebApp(session, new SecureRandom());
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
    Thread hook = new Thread(() -> {
      signalled.set(true);
      stop.countDown(); // Ctrl-C or SIGTERM: stop serving, and let the command finish closing the profile
      try {
        stopped.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "reschat-web-stop");
    try {
      try {
        app.start(port);
      } catch (BindException e) {
        throw new CliException(ExitCodes.LOCAL, "Cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
            + "); choose another --port, or 0 for a free one.");
      }
      Runtime.getRuntime().addShutdownHook(hook);
      // The first line on stdout, and the only thing there: a script can read it.
      session.context().out().println(app.launchUrl());
      session.context().out().flush();
      session.output().note("reschat web: serving " + app.origin() + " on 127.0.0.1 only; the link works once."
          + " Ctrl-C stops it.");
      if (!noBrowser) {
        openBrowser(session, app);
      }
      try {
        stop.await();
      } catch (InterruptedException e) {
        Thread.interrupted(); // stopped by whoever started it in this JVM
      }
      Optional<Exception> failed = app.receiverFailure();
      failed.ifPresent(e -> session.output().warn("receiving had stopped: " + e.getMessage()));
      return ExitCodes.OK;
    } finally {
      app.close();
      if (signalled.get()) {
        session.close(); // the JVM ends when the hook returns: close the store and client now, not after
      }
      session.output().note("reschat web: stopped.");
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNeverAdded) {
        // the hook is running, or was never added
      }
    }
  }

  private static void openBrowser(Session session, WebApp app) {
    try {
      Path file = app.launchFile();
      Optional<List<String>> command = org.reschat.cli.web.Browser.command(session.context().env(), file);
      if (command.isEmpty() || !org.reschat.cli.web.Browser.start(command.get(), session.context().env())) {
        session.output().note("No browser to open here: open the link above in yours.");
      }
    } catch (java.io.IOException e) {
      session.output().note("Could not prepare the browser (" + e.getMessage() + "): open the link above in yours.");
    }
  }
}
