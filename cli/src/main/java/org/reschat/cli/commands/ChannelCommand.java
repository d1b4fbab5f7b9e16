package org.reschat.cli.commands;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.CliException;
import org.reschat.cli.CommandGroup;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Json;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.cli.text.SafeText;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.channel.ChannelId;
import org.reschat.core.channel.ChannelPost;
import org.reschat.core.channel.Channels;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.directory.Names;
import org.reschat.core.internal.json.StrictJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "channel", mixinStandardHelpOptions = true,
    description = {"Public channels: signed posts anyone with the id reads.",
        "Posts are UNENCRYPTED: anyone with the channel id can read and verify them, and only the owner can "
            + "write one. Do not post anything private."},
    subcommands = {ChannelCommand.Create.class, ChannelCommand.Post.class, ChannelCommand.Follow.class,
        ChannelCommand.ReadChannel.class, ChannelCommand.ListChannels.class})
public final class ChannelCommand extends CommandGroup {
  static final String PUBLIC = "Channels are public: anyone with the id can read every post.";
  private static final int NEWEST = 20;

  static Channels channels(Session session) throws Exception {
    return new Channels(session.store(), session.context().clock());
  }

  static ChannelId parseId(String text) throws CliException {
    return ChannelId.parse(text).orElseThrow(() -> new CliException(ExitCodes.USAGE,
        "That is not a channel id; one looks like rcc:… as 'reschat channel create' prints it."));
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Print the id of your channel NAME, to share.")
  static final class Create extends BaseCommand {
    @Parameters(paramLabel = "NAME", description = "Your channel's name.")
    String name;

    Create(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      String normal = Names.normalise(name).orElseThrow(() ->
          new InvalidMessageException("A channel name is 1 to 32 letters, digits, '.', '_' or '-'."));
      ChannelId id = ChannelId.of(session.identity(), normal);
      remember(session, id, normal, true);
      Output out = session.output();
      if (out.json()) {
        JsonObject o = Json.object("channel");
        o.addProperty("name", normal);
        o.addProperty("id", id.toString());
        o.addProperty("public", true);
        out.json(o);
      } else {
        out.line(id.toString());
        out.note("Channel '" + normal + "'. " + PUBLIC + " Share the id above; post with 'reschat channel post "
            + normal + " TEXT'.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "post", mixinStandardHelpOptions = true, description = "Post TEXT to your channel NAME, publicly.")
  static final class Post extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Your channel's name.")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TEXT", description = "The post; words are joined by spaces.")
    List<String> words;

    Post(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      ChannelPost p = channels(session).post(session.identity(), name, String.join(" ", words));
      ChannelId id = ChannelId.of(session.identity(), p.name());
      remember(session, id, p.name(), true);
      Output out = session.output();
      if (out.json()) {
        out.json(Json.channelPost(id, p)); // as 'read' and 'receive' show it
      } else {
        // "publicly" says it; the whole notice was given once, when the channel was created.
        out.note("Posted publicly to '" + p.name() + "' (post " + p.n() + ").");
      }
      return ExitCodes.OK;
    }
  }

  /**
   * Follows {@code channel} (new posts from now on, when nothing of it was read here); returns its name when
   * known. Also how a change from another device of this identity is applied.
   */
  public static String follow(Session session, ChannelId channel) throws Exception {
    Copies copies = Copies.load(session);
    Copies.Entry e = copies.get(channel).orElse(Copies.Entry.NONE);
    Channels.Copy copy = e.copy();
    String name = e.name();
    if (copy.n() == 0) {
      Channels.Read newest = channels(session).read(channel, Channels.Copy.EMPTY, 1); // new posts from now on
      copy = newest.copy();
      name = newest.posts().isEmpty() ? name : newest.posts().get(0).name();
    }
    copies.put(channel, new Copies.Entry(copy, true, name, e.own()));
    copies.saveChange("follow a channel");
    return name;
  }

  /** Whether this profile follows {@code channel}. */
  public static boolean follows(Session session, ChannelId channel) throws Exception {
    return Copies.load(session).get(channel).map(Copies.Entry::following).orElse(false);
  }

  @Command(name = "follow", mixinStandardHelpOptions = true,
      description = "Follow a channel: 'reschat receive' then shows its new posts.")
  static final class Follow extends BaseCommand {
    @Parameters(paramLabel = "CHANNEL-ID", description = "The channel's id (rcc:…).")
    String id;

    Follow(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      ChannelId channel = parseId(id);
      String name = follow(session, channel);
      org.reschat.cli.SelfSync.channelFollowed(session, channel.toString()); // the other devices follow it too
      session.output().note("Following " + (name == null ? "" : "#" + SafeText.line(name) + " (") + channel
          + (name == null ? "" : ")") + ". 'reschat receive' shows new posts; 'reschat channel read "
          + (name == null ? channel.toString() : SafeText.line(name)) + "' shows the newest.");
      return ExitCodes.OK;
    }
  }

  @Command(name = "read", mixinStandardHelpOptions = true,
      description = {"The newest posts of a channel, verified.",
          "Exits 4 if the channel was rolled back or rewritten since this computer last read it."})
  static final class ReadChannel extends BaseCommand {
    @Parameters(paramLabel = "CHANNEL",
        description = {"The channel's id (rcc:…), or the name of", "a channel you follow, read or own."})
    String id;

    ReadChannel(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Copies copies = Copies.load(session);
      ChannelId channel = named(session, copies, id);
      Optional<Copies.Entry> known = copies.get(channel);
      Output out = session.output();
      if (known.isPresent() && known.get().copy().n() > 0) {
        Channels.Read check = channels(session).read(channel, known.get().copy(), NEWEST);
        if (report(out, channel, check)) {
          return ExitCodes.SECURITY;
        }
      }
      Channels.Read r = channels(session).read(channel, Channels.Copy.EMPTY, NEWEST);
      long verified = known.map(k -> k.copy().n()).orElse(0L);
      if (r.copy().n() < verified) {
        out.warn("security: the channel now ends at post " + r.copy().n() + ", but this computer verified post " + verified
            + ": it was rolled back.");
        return ExitCodes.SECURITY;
      }
      r.posts().forEach(p -> print(out, channel, p));
      boolean problem = report(out, channel, r);
      if (!out.json() && r.posts().isEmpty()) {
        out.note("No posts in this channel yet.");
      }
      if (!problem) {
        Copies.Entry before = known.orElse(Copies.Entry.NONE);
        String name = r.posts().isEmpty() ? before.name() : r.posts().get(r.posts().size() - 1).name();
        copies.put(channel, new Copies.Entry(r.copy(), before.following(), name, before.own()));
        copies.save();
      }
      return problem ? ExitCodes.SECURITY : ExitCodes.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = {"Your channels, and those you follow or have read.", "Each with its id and its newest post seen."})
  static final class ListChannels extends BaseCommand {
    ListChannels(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      Output out = session.output();
      List<Map.Entry<String, Copies.Entry>> all = Copies.load(session).entries();
      for (Map.Entry<String, Copies.Entry> e : all) {
        Copies.Entry c = e.getValue();
        String how = c.own() ? "yours" : c.following() ? "following" : "read";
        if (out.json()) {
          JsonObject o = Json.object("channel");
          o.addProperty("name", c.name());
          o.addProperty("id", e.getKey());
          o.addProperty("public", true);
          o.addProperty("own", c.own());
          o.addProperty("following", c.following());
          o.addProperty("newest", c.copy().n());
          out.json(o);
        } else {
          out.line(String.format("%-16s %-9s %s  (newest seen: post %d)", c.name() == null ? "(no posts)"
              : "#" + SafeText.line(c.name()), how, e.getKey(), c.copy().n()));
        }
      }
      if (all.isEmpty() && !out.json()) {
        out.note("No channels yet: 'reschat channel create NAME' makes yours, 'reschat channel follow ID' follows one.");
      }
      return ExitCodes.OK;
    }
  }

  /**
   * The channel {@code text} names: an id, or the name of one this profile knows (its own, followed or read);
   * failing that, this person's own channel of that name, which needs the keys to derive.
   */
  static ChannelId named(Session session, Copies copies, String text) throws Exception {
    if (text.startsWith(ChannelId.PREFIX)) {
      return parseId(text);
    }
    Optional<String> normal = Names.normalise(text.startsWith("#") ? text.substring(1) : text);
    if (normal.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, "That is neither a channel id (rcc:…) nor a channel name;"
          + " 'reschat channel list' shows the channels you know.");
    }
    List<Map.Entry<String, Copies.Entry>> same = copies.entries().stream()
        .filter(e -> normal.get().equals(e.getValue().name())).toList();
    List<Map.Entry<String, Copies.Entry>> own = same.stream().filter(e -> e.getValue().own()).toList();
    if (own.size() == 1 || same.size() == 1) {
      return ChannelId.parse((own.size() == 1 ? own : same).get(0).getKey()).orElseThrow();
    }
    if (same.size() > 1) {
      throw new CliException(ExitCodes.USAGE, same.size() + " channels you know are called '" + normal.get()
          + "'; give the id of the one you mean (" + String.join(", ", same.stream().map(Map.Entry::getKey).toList())
          + ").");
    }
    ChannelId mine = ChannelId.of(session.identity(), normal.get());
    if (channels(session).read(mine, Channels.Copy.EMPTY, 1).posts().isEmpty()) {
      throw new CliException(ExitCodes.NOT_FOUND, "You know no channel called '" + normal.get() + "'; 'reschat channel"
          + " list' shows those you own, follow or have read, and an id (rcc:…) reads any other.");
    }
    return mine; // one of yours, created before channel names were remembered
  }

  /** Records a channel's name (and that it is this person's own) for reading by name and for 'channel list'. */
  private static void remember(Session session, ChannelId id, String name, boolean own) throws Exception {
    Copies copies = Copies.load(session);
    Copies.Entry e = copies.get(id).orElse(Copies.Entry.NONE);
    if (!name.equals(e.name()) || own != e.own()) {
      copies.put(id, new Copies.Entry(e.copy(), e.following(), name, own || e.own()));
      copies.save(); // a convenience: a read-only profile keeps it for this run only
    }
  }

  /** The channels this profile follows, as the chat engine reads them: channels.json. */
  public static org.reschat.core.spi.ChannelFollows follows(Session session) {
    return new org.reschat.core.spi.ChannelFollows() {
      @Override
      public Map<ChannelId, Channels.Copy> followed() throws LocalStateException {
        Map<ChannelId, Channels.Copy> out = new java.util.LinkedHashMap<>();
        try {
          for (Map.Entry<String, Copies.Entry> e : Copies.load(session).entries()) {
            if (e.getValue().following()) {
              out.put(ChannelId.parse(e.getKey()).orElseThrow(), e.getValue().copy());
            }
          }
        } catch (LocalStateException e) {
          throw e;
        } catch (Exception e) {
          throw new LocalStateException("Could not read the followed channels: " + e.getMessage(), e);
        }
        return out;
      }

      @Override
      public void verified(ChannelId channel, Channels.Copy copy) throws LocalStateException {
        try {
          Copies copies = Copies.load(session);
          Copies.Entry e = copies.get(channel).orElse(Copies.Entry.NONE);
          copies.put(channel, new Copies.Entry(copy, true, e.name(), e.own()));
          copies.save();
        } catch (LocalStateException e) {
          throw e;
        } catch (Exception e) {
          throw new LocalStateException("Could not record a channel read: " + e.getMessage(), e);
        }
      }
    };
  }

  /** Whether this profile follows any channel. */
  public static boolean followsAny(Session session) throws Exception {
    return Copies.load(session).entries().stream().anyMatch(e -> e.getValue().following());
  }

  /** A post as every command shows it. */
  public static void print(Output out, ChannelId channel, ChannelPost p) {
    if (out.json()) {
      out.json(Json.channelPost(channel, p));
    } else {
      out.line(out.time(p.at()) + "  #" + SafeText.line(p.name()) + " (public): " + SafeText.block(p.text(), Output.CONTINUATION));
    }
  }

  private static boolean report(Output out, ChannelId channel, Channels.Read r) {
    for (String problem : r.problems()) {
      out.warn("security (channel " + channel + "): " + problem);
    }
    if (r.junk() > 0 && !out.json()) {
      out.note(r.junk() + " value(s) in the channel were not posts signed by its owner and were skipped.");
    }
    return !r.problems().isEmpty();
  }

  /** The newest verified post of each channel read on this computer, and which ones are followed: channels.json. */
  static final class Copies {
    /**
     * @param name the channel's name as its posts (or its owner, this person) give it; null before a post was seen
     * @param own whether it is this person's channel
     */
    record Entry(Channels.Copy copy, boolean following, String name, boolean own) {
      static final Entry NONE = new Entry(Channels.Copy.EMPTY, false, null, false);
    }

    private static final String FILE = "channels.json";
    private final org.reschat.localdb.Profile profile;
    private final Path file;
    private final Map<String, Entry> entries;

    private Copies(org.reschat.localdb.Profile profile, Path file, Map<String, Entry> entries) {
      this.profile = profile;
      this.file = file;
      this.entries = entries;
    }

    static Copies load(Session session) throws Exception {
      Path file = session.profile().directory().resolve(FILE);
      Map<String, Entry> entries = new TreeMap<>();
      if (Files.exists(file)) {
        Optional<JsonObject> o = StrictJson.parseObject(Files.readString(file));
        if (o.isEmpty()) {
          throw new LocalStateException(file + " is damaged; it is kept as it is. Move it away to start over.");
        }
        for (String key : o.get().keySet()) {
          JsonObject e = o.get().getAsJsonObject(key);
          Optional<Long> n = StrictJson.integer(e, "n", 0, Long.MAX_VALUE);
          Optional<byte[]> hash = StrictJson.string(e, "hash").flatMap(Base64Url::decode);
          Optional<Boolean> following = StrictJson.bool(e, "following");
          if (ChannelId.parse(key).isEmpty() || n.isEmpty() || hash.isEmpty() || hash.get().length != 32 || following.isEmpty()) {
            throw new LocalStateException(file + " is damaged; it is kept as it is. Move it away to start over.");
          }
          // name and own came later: a file without them is read as before
          String name = StrictJson.string(e, "name").flatMap(Names::normalise).orElse(null);
          boolean own = StrictJson.bool(e, "own").orElse(false);
          entries.put(key, new Entry(new Channels.Copy(n.get(), hash.get()), following.get(), name, own));
        }
      }
      return new Copies(session.profile(), file, entries);
    }

    Optional<Entry> get(ChannelId id) {
      return Optional.ofNullable(entries.get(id.toString()));
    }

    void put(ChannelId id, Entry e) {
      entries.put(id.toString(), e);
    }

    List<Map.Entry<String, Entry>> entries() {
      return new ArrayList<>(entries.entrySet());
    }

    /** Records what a read verified; a read-only profile keeps it in memory, as it does what its state/ learns. */
    void save() throws LocalStateException {
      if (!profile.access().readOnly()) {
        write(file);
      }
    }

    /** Records a change asked for ({@code what}, e.g. "follow a channel"); a read-only profile refuses it. */
    void saveChange(String what) throws LocalStateException {
      write(profile.forChange(FILE, what));
    }

    /** Written atomically (the profile's one way to write a file), so a crash leaves the old or the new copy. */
    private void write(Path to) throws LocalStateException {
      JsonObject o = new JsonObject();
      entries.forEach((k, e) -> {
        JsonObject j = new JsonObject();
        j.addProperty("n", e.copy().n());
        j.addProperty("hash", Base64Url.encode(e.copy().hash()));
        j.addProperty("following", e.following());
        if (e.name() != null) {
          j.addProperty("name", e.name());
        }
        j.addProperty("own", e.own());
        o.add(k, j);
      });
      org.reschat.localdb.AtomicFiles.write(to, o.toString().getBytes(StandardCharsets.UTF_8)); // 0600, fsync, rename
    }
  }
}
