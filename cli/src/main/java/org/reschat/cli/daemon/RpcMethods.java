package org.reschat.cli.daemon;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The daemon's methods: each is one entry mapping a method name and its named parameters to the
 * arguments of a {@code reschat} command, which then runs exactly as on the command line with
 * {@code --json}. A new command is one more entry here; nothing else in the daemon changes.
 */
public final class RpcMethods {
  /** How a method's answer is shaped from the command's JSON lines. */
  public enum Shape {
    /** The command prints one object (send, whoami): the result is that object. */
    ONE,
    /** The command prints any number of objects (history, receive, friend list): the result is an array. */
    LIST
  }

  /** One method: how to build the command's arguments from the parameters, and the result's shape. */
  public record Method(Function<Params, List<String>> arguments, Shape shape) {}

  private static final Map<String, Method> METHODS;
  /**
   * Linking a device from the first one: not a command run, since the daemon keeps the one-time code between
   * its two calls (see {@link Daemon#link}). A new device joins on a terminal ('device join'): it makes a
   * profile, which a daemon, running on one, does not.
   */
  public static final String DEVICE_LINK = "device.link";

  static {
    Map<String, Method> m = new LinkedHashMap<>();
    // send {"to", "text"}: the fields of 'send --json'. "--" so a text starting with '-' stays text.
    // With "reply_to": the id of the message it answers.
    m.put("send", new Method(p -> {
      List<String> a = new ArrayList<>(List.of("send"));
      if (p.has("reply_to")) {
        a.add("--reply-to=" + p.string("reply_to"));
      }
      a.addAll(List.of("--", p.string("to"), p.string("text")));
      return a;
    }, Shape.ONE));
    // react {"to", "id", "emoji"} or {"to", "id", "remove": true}; edit {"to", "id", "text"}; delete {"to", "id"}.
    m.put("react", new Method(p -> p.flag("remove") ? List.of("react", "--remove", "--", p.string("to"), p.string("id"))
        : List.of("react", "--", p.string("to"), p.string("id"), p.string("emoji")), Shape.ONE));
    m.put("edit", new Method(p -> List.of("edit", "--", p.string("to"), p.string("id"), p.string("text")), Shape.ONE));
    m.put("delete", new Method(p -> List.of("delete", "--", p.string("to"), p.string("id")), Shape.ONE));
    m.put("history", new Method(p -> {
      List<String> a = new ArrayList<>(List.of("history"));
      if (p.flag("all")) {
        a.add("--all");
      } else if (p.has("pages")) {
        a.add("--pages=" + p.integer("pages"));
      }
      if (p.flag("edits")) {
        a.add("--edits");
      }
      a.addAll(List.of("--", p.string("friend")));
      return a;
    }, Shape.LIST));
    m.put("receive", new Method(p -> List.of("receive"), Shape.LIST));
    m.put("search", new Method(p -> {
      List<String> a = new ArrayList<>(List.of("search"));
      if (p.has("friend")) {
        a.add("--friend=" + p.string("friend"));
      }
      a.addAll(List.of("--", p.string("text")));
      return a;
    }, Shape.LIST));
    m.put("requests", new Method(p -> List.of("requests"), Shape.LIST));
    m.put("requests.accept", new Method(p -> List.of("requests", "accept", "--", p.string("fingerprint"),
        p.string("nick")), Shape.ONE));
    m.put("requests.ignore", new Method(p -> List.of("requests", "ignore", "--", p.string("fingerprint")), Shape.ONE));
    m.put("whoami", new Method(p -> List.of("whoami"), Shape.ONE));
    m.put("friend.list", new Method(p -> List.of("friend", "list"), Shape.LIST));
    m.put("friend.show", new Method(p -> List.of("friend", "show", "--", p.string("nick")), Shape.ONE));
    // Linked devices (protocol §15); device.link is the daemon's own (DEVICE_LINK).
    m.put("device.list", new Method(p -> List.of("device", "list"), Shape.ONE));
    m.put("device.revoke", new Method(p -> List.of("device", "revoke", "--", Integer.toString(p.integer("number"))),
        Shape.ONE));
    m.put("friend.add", new Method(p -> List.of("friend", "add", "--", p.string("nick"), p.string("card")), Shape.ONE));
    m.put("friend.remove", new Method(p -> List.of("friend", "remove", "--", p.string("nick")), Shape.ONE));
    m.put("friend.rename", new Method(p -> List.of("friend", "rename", "--", p.string("nick"), p.string("new_nick")),
        Shape.ONE));
    m.put("friend.verify", new Method(p -> {
      List<String> a = new ArrayList<>(List.of("friend", "verify"));
      if (p.flag("mark")) {
        a.add("--mark");
      }
      a.addAll(List.of("--", p.string("nick")));
      return a;
    }, Shape.ONE));
    // Groups: options first, then "--" and the positional names, as for the other commands.
    m.put("group.create", new Method(p -> {
      List<String> a = new ArrayList<>(List.of("group", "create"));
      for (String nick : p.strings("members")) {
        a.addAll(List.of("--member", nick));
      }
      a.addAll(List.of("--", p.string("name")));
      return a;
    }, Shape.ONE));
    m.put("group.list", new Method(p -> List.of("group", "list"), Shape.LIST));
    m.put("store.migrate", new Method(p -> List.of("store", "migrate"), Shape.ONE));
    m.put("group.show", new Method(p -> List.of("group", "show", "--", p.string("name")), Shape.LIST));
    m.put("group.add", new Method(p -> withFlag(p, "share_history", "--share-history",
        List.of("group", "add"), p.string("name"), p.string("nick")), Shape.ONE));
    m.put("group.remove", new Method(p -> List.of("group", "remove", "--", p.string("name"), p.string("member")),
        Shape.ONE));
    m.put("group.admin", new Method(p -> withFlag(p, "revoke", "--revoke", List.of("group", "admin"), p.string("name"),
        p.string("member")), Shape.ONE));
    m.put("group.leave", new Method(p -> List.of("group", "leave", "--", p.string("name")), Shape.ONE));
    m.put("group.link", new Method(p -> withFlag(p, "revoke", "--revoke", List.of("group", "link"), p.string("name")),
        Shape.ONE));
    m.put("group.links", new Method(p -> List.of("group", "link", "--list", "--", p.string("name")), Shape.LIST));
    m.put("group.join", new Method(p -> List.of("group", "join", "--", p.string("link")), Shape.ONE));
    m.put("group.requests", new Method(p -> List.of("group", "requests", "--", p.string("name")), Shape.LIST));
    m.put("group.approve", new Method(p -> withFlag(p, "share_history", "--share-history",
        List.of("group", "approve"), p.string("name"), p.string("requester")), Shape.ONE));
    m.put("group.deny", new Method(p -> List.of("group", "deny", "--", p.string("name"), p.string("requester")),
        Shape.ONE));
    METHODS = Collections.unmodifiableMap(m);
  }

  private RpcMethods() {}

  /** {@code command [option] -- positional…}, the option only when the boolean parameter is true. */
  private static List<String> withFlag(Params p, String param, String option, List<String> command,
      String... positional) {
    List<String> a = new ArrayList<>(command);
    if (p.flag(param)) {
      a.add(option);
    }
    a.add("--");
    a.addAll(List.of(positional));
    return a;
  }

  public static Map<String, Method> all() {
    return METHODS;
  }

  /** A parameter missing or of the wrong type: JSON-RPC's "invalid params". */
  public static final class BadParams extends Exception {
    BadParams(String message) {
      super(message);
    }
  }

  /** The named parameters of one call ({@code params} must be an object, or absent). */
  public static final class Params {
    private final JsonObject params;

    Params(JsonObject params) {
      this.params = params == null ? new JsonObject() : params;
    }

    boolean has(String name) {
      return params.has(name) && !params.get(name).isJsonNull();
    }

    String string(String name) {
      JsonElement e = params.get(name);
      if (e == null || e.isJsonNull()) {
        throw new Unchecked(new BadParams("the parameter \"" + name + "\" is missing."));
      }
      if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) {
        throw new Unchecked(new BadParams("the parameter \"" + name + "\" must be a string."));
      }
      return e.getAsString();
    }

    int integer(String name) {
      JsonElement e = params.get(name);
      if (e == null || !e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
        throw new Unchecked(new BadParams("the parameter \"" + name + "\" must be a whole number."));
      }
      try {
        return e.getAsBigDecimal().intValueExact();
      } catch (ArithmeticException ex) {
        throw new Unchecked(new BadParams("the parameter \"" + name + "\" must be a whole number."));
      }
    }

    /** A list of strings; absent is empty. */
    List<String> strings(String name) {
      JsonElement e = params.get(name);
      if (e == null || e.isJsonNull()) {
        return List.of();
      }
      if (!e.isJsonArray()) {
        throw new Unchecked(new BadParams("the parameter \"" + name + "\" must be a list of strings."));
      }
      List<String> out = new ArrayList<>();
      for (JsonElement x : e.getAsJsonArray()) {
        if (!x.isJsonPrimitive() || !((JsonPrimitive) x).isString()) {
          throw new Unchecked(new BadParams("the parameter \"" + name + "\" must be a list of strings."));
        }
        out.add(x.getAsString());
      }
      return out;
    }

    boolean flag(String name) {
      JsonElement e = params.get(name);
      if (e == null || e.isJsonNull()) {
        return false;
      }
      if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isBoolean()) {
        throw new Unchecked(new BadParams("the parameter \"" + name + "\" must be true or false."));
      }
      return e.getAsBoolean();
    }
  }

  /** Carries {@link BadParams} out of the argument builders, which are plain functions. */
  static final class Unchecked extends RuntimeException {
    Unchecked(BadParams cause) {
      super(cause);
    }

    BadParams bad() {
      return (BadParams) getCause();
    }
  }
}
