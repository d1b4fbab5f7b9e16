package org.reschat.cli.daemon;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.locks.ReentrantLock;
import org.reschat.cli.Cli;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.EventPrinter;
import org.reschat.cli.Session;
import org.reschat.core.Event;
import org.reschat.core.Receiver;

/**
 * What {@code reschat daemon} and {@code reschat jsonrpc} share: one open {@link Session} (identity
 * unlocked, store open) in which every method runs its command, one at a time, and the listeners that
 * get notifications of arriving messages from the chat engine, which receives on a thread of its own.
 */
public final class Daemon {
  /** The outcome of one command run: its exit code, its JSON lines, and what it said on stderr. */
  public record Outcome(int exitCode, List<JsonObject> objects, String error) {}

  /**
   * Receives notifications (one JSON-RPC notification object each); a connection is one. {@code offer} must
   * not block: it queues, and says false when the listener's bounded queue is full (a peer that stopped
   * reading), which drops the listener so it never holds up the others or the engine.
   */
  public interface Listener {
    boolean offer(JsonObject notification);

    /** Told once when dropped for not keeping up. */
    void dropped();
  }

  private final CliContext ctx;
  private final Session warm;
  /** One command at a time: the client, profile files and outbox are used as by one process. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<Listener> listeners = new CopyOnWriteArraySet<>();

  public Daemon(CliContext ctx, Session warm) {
    this.ctx = ctx;
    this.warm = warm;
  }

  /** The link code {@code device.link} made and not yet used (in memory only, as on a terminal). */
  private org.reschat.core.Devices.LinkOffer linkOffer;

  /** A {@code device.link} that did not link: its exit code and sentence. */
  public static final class LinkFailure extends Exception {
    private final int exitCode;

    LinkFailure(int exitCode, String sentence) {
      super(sentence);
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  /**
   * {@code device.link} (protocol §15.5), on the first device: without {@code check}, a new one-time code (one
   * made before and not used is spent), {@code {"type":"link_code","code","expires"}}; with {@code check}, the
   * ten digits the new device shows, links the device whose request shows them and returns its {@code device}
   * object. A check that differs links nothing and spends the code, as a "no" on a terminal does; a request not
   * there yet is an error to try again after.
   */
  public JsonObject link(String check) throws LinkFailure {
    lock.lock();
    try {
      org.reschat.core.Devices devices = warm.client().devices();
      if (check == null) {
        if (linkOffer != null) {
          devices.deny(linkOffer);
          linkOffer = null;
        }
        linkOffer = devices.offer();
        JsonObject o = new JsonObject();
        o.addProperty("type", "link_code");
        o.addProperty("code", linkOffer.code());
        o.addProperty("expires", linkOffer.expires().toString());
        return o;
      }
      if (linkOffer == null) {
        throw new LinkFailure(ExitCodes.NOT_FOUND, "No link code is waiting: call device.link without a check first.");
      }
      Optional<org.reschat.core.Devices.LinkRequest> request = devices.request(linkOffer);
      if (request.isEmpty()) {
        throw new LinkFailure(ExitCodes.NOT_FOUND, "No new device has used the code yet: run 'reschat device join"
            + " CODE' there, and call again with the check it shows.");
      }
      org.reschat.core.Devices.LinkOffer offer = linkOffer;
      linkOffer = null;
      if (!request.get().check().equals(check.strip())) {
        devices.deny(offer);
        throw new LinkFailure(ExitCodes.SECURITY, "The new device shows " + request.get().check() + ", not " + check.strip()
            + ": nothing was linked, and the code is spent (someone else may have used it first); make a new one.");
      }
      org.reschat.core.DeviceInfo d = devices.approve(offer, request.get(),
          org.reschat.cli.commands.DeviceCommand.applicationState(warm));
      return org.reschat.cli.commands.DeviceCommand.deviceJson(d);
    } catch (LinkFailure e) {
      throw e;
    } catch (Exception e) {
      linkOffer = e instanceof org.reschat.core.DeviceException ? null : linkOffer;
      throw new LinkFailure(org.reschat.cli.ErrorText.exitCode(e), org.reschat.cli.ErrorText.sentence(e));
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code reschat --json ARGS} inside the warm session. */
  public Outcome run(List<String> args) {
    List<String> all = new ArrayList<>();
    all.add("--json");
    all.addAll(args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    lock.lock();
    try {
      code = Cli.run(ctx.forDaemonCall(new PrintWriter(out), new PrintWriter(err), warm), all.toArray(new String[0]));
    } finally {
      lock.unlock();
    }
    List<JsonObject> objects = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      if (!line.isBlank()) {
        JsonElement e = JsonParser.parseString(line);
        if (e.isJsonObject()) {
          objects.add(e.getAsJsonObject());
        }
      }
    }
    return new Outcome(code, objects, errorSentence(err.toString(), code, all));
  }

  /**
   * The sentence of the command's error: with --json, the last {"type":"error"} object on its stderr, else
   * what it said there; never empty, so a client always has something to show.
   */
  public static String errorSentence(String err, int exitCode, List<String> args) {
    String sentence = err.strip();
    for (String line : err.split("\n")) {
      try {
        JsonElement e = JsonParser.parseString(line);
        if (e.isJsonObject() && e.getAsJsonObject().has("message") && e.getAsJsonObject().has("type")
            && "error".equals(e.getAsJsonObject().get("type").getAsString())) {
          sentence = e.getAsJsonObject().get("message").getAsString();
        }
      } catch (RuntimeException notJson) {
        // a note or warning in plain text
      }
    }
    if (sentence.isEmpty()) {
      String command = String.join(" ", args.stream().filter(a -> !a.equals("--json")).toList());
      return "'reschat " + command + "' failed with exit code " + exitCode
          + " and said nothing more; run it in a terminal to see.";
    }
    return sentence;
  }

  public void addListener(Listener l) {
    listeners.add(l);
  }

  /** Whether {@code l} still gets notifications. */
  public boolean hasListener(Listener l) {
    return listeners.contains(l);
  }

  public void removeListener(Listener l) {
    listeners.remove(l);
  }

  /**
   * Starts receiving in the background: the chat engine's events, as the JSON objects {@code receive --json}
   * prints, go to every listener as {@code receive} notifications; a store that cannot be read as a
   * {@code problem} notification. Received messages are in the local history either way, so a listener that
   * was not connected finds them with {@code history}. Commands are never held behind it.
   */
  public Receiver.Subscription startReceiving() throws Exception {
    EventPrinter printer = new EventPrinter(warm, warm.output());
    Duration every = warm.settings().pollInterval();
    // notify.exec runs for the daemon's events too (no bell or desktop: nobody is at its terminal).
    org.reschat.cli.Notifier notifier = new org.reschat.cli.Notifier(warm, false);
    Receiver.Subscription s = warm.client().receiver().follow(Receiver.Scope.everything(), every,
        every.compareTo(Receiver.DEFAULT_PUSH_FALLBACK) > 0 ? every : Receiver.DEFAULT_PUSH_FALLBACK, event -> {
          if (org.reschat.cli.SelfSync.onEvent(warm, event, text -> {
            JsonObject changed = new JsonObject(); // what another device of this identity changed, made here too
            changed.addProperty("message", text);
            broadcast(notification("device", changed));
          })) {
            return;
          }
          if (event instanceof Event.StoreUnreachable) {
            JsonObject problem = new JsonObject();
            problem.addProperty("exit_code", ExitCodes.STORE);
            problem.addProperty("message", ((Event.StoreUnreachable) event).cause().getMessage());
            broadcast(notification("problem", problem));
            return;
          }
          try {
            Optional<JsonObject> json = printer.json(event);
            json.ifPresent(o -> broadcast(notification("receive", o)));
            if (notifier.active()) {
              notifier.event(event, event.chat().map(printer::nameOf).orElse("reschat"), json);
            }
          } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
          }
        });
    return new Receiver.Subscription() {
      @Override
      public long passes() {
        return s.passes();
      }

      @Override
      public Optional<Exception> failure() {
        return s.failure();
      }

      @Override
      public void close() {
        s.close();
        notifier.close();
      }
    };
  }

  /** Hands a notification to every listener without waiting: one whose queue is full is dropped. */
  void broadcast(JsonObject notification) {
    for (Listener l : listeners) {
      if (!l.offer(notification)) {
        listeners.remove(l);
        l.dropped();
      }
    }
  }

  static JsonObject notification(String method, JsonObject params) {
    JsonObject n = new JsonObject();
    n.addProperty("jsonrpc", "2.0");
    n.addProperty("method", method);
    n.add("params", params);
    return n;
  }

  /** The JSON-RPC result of a method from its command's outcome; null when the outcome is an error. */
  static JsonElement result(RpcMethods.Shape shape, Outcome o) {
    // Data printed means the command got somewhere (a queued send, a history with a warning): the
    // objects say what happened. Nothing printed and a failing exit code is an error.
    if (o.objects().isEmpty() && o.exitCode() != ExitCodes.OK) {
      return null;
    }
    if (shape == RpcMethods.Shape.ONE) {
      return o.objects().isEmpty() ? com.google.gson.JsonNull.INSTANCE : o.objects().get(o.objects().size() - 1);
    }
    JsonArray a = new JsonArray();
    o.objects().forEach(a::add);
    return a;
  }
}
