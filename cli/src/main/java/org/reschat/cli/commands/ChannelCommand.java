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
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.directory.Names;
import org.reschat.core.json.StrictJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "channel", mixinStandardHelpOptions = true,
    description = {"Public channels: signed posts anyone with the id reads.",
        "Posts are UNENCRYPTED: anyone with the channel id can read and verify them, and only the owner can "
            + "write one. Do not post anything private."},
    subcommands = {ChannelCommand.Create.class, ChannelCommand.Post.class, ChannelCommand.Follow.class,
        ChannelCommand.ReadChannel.class})
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
      Output out = session.output();
      if (out.json()) {
        out.json(Json.channelPost(ChannelId.of(session.identity(), p.name()), p)); // as 'read' and 'receive' show it
      } else {
        out.note("Posted publicly to '" + p.name() + "' (post " + p.n() + "). " + PUBLIC);
      }
      return ExitCodes.OK;
    }
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
      Copies copies = Copies.load(session);
      Copies.Entry e = copies.get(channel).orElse(new Copies.Entry(Channels.Copy.EMPTY, false));
      Channels.Copy copy = e.copy();
      if (copy.n() == 0) {
        copy = channels(session).read(channel, Channels.Copy.EMPTY, 0).copy(); // new posts from now on
      }
      copies.put(channel, new Copies.Entry(copy, true));
      copies.saveChange("follow a channel");
      session.output().note("Following " + channel + ". " + PUBLIC + " 'reschat receive' shows new posts.");
      return ExitCodes.OK;
    }
  }

  @Command(name = "read", mixinStandardHelpOptions = true,
      description = {"The newest posts of a channel, verified.",
          "Exits 4 if the channel was rolled back or rewritten since this computer last read it."})
  static final class ReadChannel extends BaseCommand {
    @Parameters(paramLabel = "CHANNEL-ID", description = "The channel's id (rcc:…).")
    String id;

    ReadChannel(CliContext ctx) {
      super(ctx);
    }

    @Override
    protected int run(Session session) throws Exception {
      ChannelId channel = parseId(id);
      Copies copies = Copies.load(session);
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
      if (!out.json()) {
        out.note(r.posts().isEmpty() ? "No posts in this channel yet. " + PUBLIC : PUBLIC);
      }
      if (!problem) {
        copies.put(channel, new Copies.Entry(r.copy(), known.map(Copies.Entry::following).orElse(false)));
        copies.save();
      }
      return problem ? ExitCodes.SECURITY : ExitCodes.OK;
    }
  }

  /** The channels this profile follows, as the chat engine reads them: channels.json. */
  public static org.reschat.core.state.ChannelFollows follows(Session session) {
    return new org.reschat.core.state.ChannelFollows() {
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
          copies.put(channel, new Copies.Entry(copy, true));
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
    record Entry(Channels.Copy copy, boolean following) {}

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
          entries.put(key, new Entry(new Channels.Copy(n.get(), hash.get()), following.get()));
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
        o.add(k, j);
      });
      org.reschat.localdb.AtomicFiles.write(to, o.toString().getBytes(StandardCharsets.UTF_8)); // 0600, fsync, rename
    }
  }
}
