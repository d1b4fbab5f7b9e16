package org.reschat.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.reschat.config.ConfigException;
import org.reschat.config.ConfigLoader;
import org.reschat.config.Settings;
import org.reschat.core.ChatClient;
import org.reschat.core.IdentityFileException;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.EndpointHealthMemory;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.StoreOptions;
import org.reschat.localdb.Profile;
import org.reschat.localdb.ProfileException;
import org.reschat.cli.text.SafeText;

/**
 * What one command run needs, opened on first use and closed at the end: settings, profile, identity,
 * store and chat client. A command that only lists friends never opens the store or asks for a passphrase.
 */
public final class Session implements AutoCloseable {
  private final CliContext ctx;
  private final GlobalOptions options;
  private final java.util.Map<org.reschat.config.Setting, String> overrides;
  private Settings settings;
  private Output output;
  private Profile profile;
  private Identity identity;
  private KvStore store;
  private ChatClient client;
  private CliContext.PassphrasePrompt promptOverride;
  /** Set when this session borrows a daemon's open profile, keys, store and client: it must not close them. */
  private final boolean borrowed;
  /** This run created the profile directory: if it is still empty at the end, it goes (a failed init, whoami). */
  private boolean createdProfileDirectory;

  Session(CliContext ctx, GlobalOptions options) {
    this(ctx, options, java.util.Map.of());
  }

  /** A session whose command adds settings of its own (e.g. {@code receive --interval}), above the global ones. */
  Session(CliContext ctx, GlobalOptions options, java.util.Map<org.reschat.config.Setting, String> overrides) {
    this.ctx = ctx;
    this.options = options.values();
    this.overrides = overrides;
    this.borrowed = false;
  }

  /**
   * A session for one command run inside the daemon: its own streams and output, and the daemon's
   * settings, profile, unlocked identity, open store and client, which it leaves open.
   */
  Session(CliContext ctx, GlobalOptions options, Session warm) throws Exception {
    this.ctx = ctx;
    this.options = options.values();
    this.overrides = java.util.Map.of();
    this.borrowed = true;
    this.settings = warm.settings();
    this.profile = warm.profile();
    this.identity = warm.identity();
    this.store = warm.store();
    this.client = warm.client();
  }

  public CliContext context() {
    return ctx;
  }

  /** Asks for passphrases through {@code prompt} (the menu's masked JLine prompt) instead of the console. */
  public void usePrompt(CliContext.PassphrasePrompt prompt) {
    this.promptOverride = prompt;
  }

  public boolean verbose() {
    return options.verbose;
  }

  public Settings settings() throws ConfigException {
    if (settings == null) {
      java.util.Map<org.reschat.config.Setting, String> given = options.asSettings();
      given.putAll(overrides);
      settings = ConfigLoader.load(ctx.env, given, options.config);
    }
    return settings;
  }

  public Output output() {
    if (output == null) {
      boolean color;
      try {
        Settings.Color c = settings().color();
        color = c == Settings.Color.ALWAYS || (c == Settings.Color.AUTO && ctx.interactive);
      } catch (ConfigException e) {
        color = false; // the error itself is reported by whoever loads the settings
      }
      output = new Output(ctx, options.json, color);
    }
    return output;
  }

  public Profile profile() throws ConfigException, LocalStateException {
    if (profile == null) {
      String readOnly = options.readOnly ? "--read-only was given"
          : "1".equals(ctx.env.get("RESCHAT_READ_ONLY")) ? "RESCHAT_READ_ONLY=1 is set" : null;
      if (readOnly != null) {
        profile = Profile.openReadOnly(settings().home(), readOnly);
      } else {
        createdProfileDirectory = !Files.exists(settings().home());
        if (createdProfileDirectory) {
          checkCanCreate(settings().home().toAbsolutePath().normalize());
        }
        profile = Profile.open(settings().home());
      }
    }
    return profile;
  }

  /**
   * A profile directory that does not exist yet is made where this user may write: said plainly, naming the
   * directory in the way (not a missing one below it), before anything is tried.
   */
  private static void checkCanCreate(Path home) throws LocalStateException {
    Path existing = home.getParent();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    String why = !Files.isDirectory(existing) ? existing + " is a file, not a directory"
        : !Files.isWritable(existing) ? existing + " is not writable by this user" : null;
    if (why != null) {
      throw new LocalStateException("There is no profile in " + home + ", and none can be made there: " + why
          + "; choose another --home (or RESCHAT_HOME).");
    }
  }

  /** This person's card, read without the passphrase. */
  public PublicCard card() throws ConfigException, LocalStateException, ProfileException, IdentityFileException {
    try {
      return IdentityFile.card(profile().readIdentity());
    } catch (IdentityFileException e) {
      throw named(e);
    }
  }

  /** The same error naming the file: "The identity file is damaged" alone does not say which. */
  private IdentityFileException named(IdentityFileException e) {
    String m = e.getMessage();
    return m.startsWith("The identity file ")
        ? new IdentityFileException("The identity file " + profile.identityFile() + m.substring("The identity file".length()))
        : e;
  }

  /** This person's keys; asks for the passphrase when the identity has one. */
  public Identity identity() throws Exception {
    if (identity == null) {
      String file = profile().readIdentity();
      try {
        IdentityFile.card(file); // a damaged file is reported with its path, before any passphrase is asked
      } catch (IdentityFileException e) {
        throw named(e);
      }
      // A person typing gets three tries, as sudo gives; a passphrase from the environment or a file is
      // the same every time, so it gets one.
      int tries = IdentityFile.needsPassphrase(file) && typesPassphrase() ? MAX_TRIES : 1;
      for (int left = tries - 1; identity == null; left--) {
        char[] passphrase = IdentityFile.needsPassphrase(file) ? passphrase("Passphrase: ", false) : null;
        try {
          identity = IdentityFile.open(file, passphrase);
          upgradeIdentityFile(file, identity, passphrase);
        } catch (org.reschat.core.WrongPassphraseException e) {
          if (left == 0) {
            throw e;
          }
          ctx.err.println("That passphrase is wrong; try again (" + left + (left == 1 ? " try" : " tries") + " left).");
          ctx.err.flush();
        } finally {
          if (passphrase != null) {
            Arrays.fill(passphrase, '\0');
          }
        }
      }
    }
    return identity;
  }

  /**
   * Rewrites an identity file of version 1 as version 2 (the same keys and the self seed they derive),
   * atomically and only if unchanged meanwhile. Nothing is lost when it cannot be done (a read-only
   * profile, a full disk): version 1 still opens, and the next command tries again.
   */
  private void upgradeIdentityFile(String file, Identity opened, char[] passphrase) {
    try {
      java.util.Optional<String> upgraded = IdentityFile.upgraded(file, opened, passphrase, new java.security.SecureRandom());
      if (upgraded.isPresent() && !profile.access().readOnly()) {
        profile.replaceIdentity(file, upgraded.get());
      }
    } catch (IdentityFileException | LocalStateException | ProfileException | RuntimeException e) {
      if (verbose()) {
        ctx.err.println("reschat: the identity file stays at version 1 for now: " + e.getMessage());
      }
    }
  }

  /** Tries a person typing the passphrase gets before the command ends with exit 4. */
  static final int MAX_TRIES = 3;

  /** True when the passphrase will be typed at a prompt, not read from the environment or a file. */
  private boolean typesPassphrase() {
    return ctx.env.getOrDefault("RESCHAT_PASSPHRASE", "").isEmpty() && options.passphraseFile == null
        && (promptOverride != null || ctx.prompt != null);
  }

  /** Uses keys just created, so the person is not asked for the passphrase they just chose. */
  public void useIdentity(Identity created) {
    this.identity = created;
  }

  /** Set by commands for which a store the profile never used is the point: migrate, check, bench. */
  private boolean anyStore;

  /** Lets this command open a store the profile has never used ({@code store migrate}, {@code store check}). */
  public void allowAnyStore() {
    this.anyStore = true;
  }

  /** Whether the store was named by an option, the environment or the config file (not left to the default). */
  private boolean storeGiven() throws ConfigException {
    return !"the default".equals(settings().sourceOf(org.reschat.config.Setting.STORE));
  }

  /** What the profile records of its store; nothing for a profile that does not exist (yet). */
  private ProfileStore.Record storeRecord() throws ConfigException, LocalStateException {
    Path home = settings().home();
    return Files.isDirectory(home) ? ProfileStore.read(home) : new ProfileStore.Record(null, java.util.List.of());
  }

  /**
   * The store this command uses: the one given (option, environment, config file), else the one the profile
   * was created with or last migrated to, else the default.
   */
  public String storeSpec() throws ConfigException, LocalStateException {
    String remembered = storeGiven() ? null : storeRecord().current();
    return remembered != null ? remembered : settings().store();
  }

  /** Where {@link #storeSpec} came from, as {@code reschat config} says it. */
  public String storeSource() throws ConfigException, LocalStateException {
    return !storeGiven() && storeRecord().current() != null ? "this profile's store.json"
        : settings().sourceOf(org.reschat.config.Setting.STORE);
  }

  public KvStore store() throws ConfigException, KvException, LocalStateException, CliException {
    if (store == null) {
      Settings s = settings();
      String spec = storeSpec();
      ProfileStore.Record record = storeRecord();
      boolean hasIdentity = Files.exists(s.home().resolve("identity.json"));
      boolean elsewhere = hasIdentity && record.current() != null && !ProfileStore.isMemory(spec)
          && !ProfileStore.sameStore(spec, record.current());
      boolean neverUsed = elsewhere && !record.knows(spec) && !anyStore;
      // A new ledger where one was named is most often a typo in the path: say so. (The default one is
      // expected to be created on first use.)
      Path newLedger = spec.startsWith("embedded:") && !"the default".equals(storeSource())
          ? Path.of(spec.substring("embedded:".length())).toAbsolutePath() : null;
      boolean existed = newLedger == null || Files.exists(newLedger);
      if (neverUsed && !existed) {
        throw neverUsed(spec, record); // before the file is created
      }
      store = KvStores.open(spec, StoreOptions.builder()
          .connectTimeout(s.connectTimeout())
          .readTimeout(s.readTimeout())
          .confirmTimeout(s.confirmTimeout())
          .build(), endpointHealth(s));
      if (neverUsed) { // the spec is valid (it opened) and nothing was read or written yet
        store.close();
        store = null;
        throw neverUsed(spec, record);
      }
      if (elsewhere && !anyStore) {
        output().note("note: this profile's store is " + SafeText.line(record.current()) + "; this command uses "
            + SafeText.line(spec) + " (from " + storeSource() + "), which it used before.");
      }
      if (!existed && Files.exists(newLedger)) {
        output().note("Created a new, empty ledger at " + newLedger + " (from " + storeSource()
            + "); if you meant an existing one, check the path.");
      }
      if (hasIdentity && record.current() == null && !anyStore) {
        ProfileStore.record(profile(), spec); // a profile made before stores were remembered: this one is its own
      }
    }
    return store;
  }

  /**
   * A store this profile has never used: no ledger that lost your pages (that would be a security warning),
   * most often a typo or a forgotten setting. Nothing was read or written there.
   */
  private CliException neverUsed(String spec, ProfileStore.Record record) throws ConfigException, LocalStateException {
    return new CliException(ExitCodes.USAGE, "This profile has never used " + spec + " (from " + storeSource()
        + "): its conversations are on " + record.current() + ", and nothing was written to the other; to move"
        + " there, run 'reschat --store " + spec + " store migrate', or leave the store out to stay.");
  }

  /**
   * Where the store remembers endpoints that failed, so the next command asks them last. Only in a profile
   * that exists already (a command that fails on a new one leaves nothing behind), and only as advice: a
   * profile that cannot be opened here is reported by whatever needs it.
   */
  private EndpointHealthMemory endpointHealth(Settings s) {
    if (Files.isDirectory(s.home())) {
      try {
        return profile().endpointHealth();
      } catch (ConfigException | LocalStateException e) {
        return EndpointHealthMemory.NONE;
      }
    }
    return EndpointHealthMemory.NONE;
  }

  public ChatClient client() throws Exception {
    if (client == null) {
      org.reschat.localdb.FriendList friends = profile().friends();
      client = ChatClient.builder().identity(identity()).store(LedgerWatch.applySwitch(store()))
          .localState(profile().state()).clock(ctx.clock)
          .contacts(() -> friends.list().stream().map(org.reschat.localdb.Friend::card).toList())
          .channels(org.reschat.cli.commands.ChannelCommand.follows(this))
          .uploadJournals(profile().directory().resolve(org.reschat.cli.commands.FileMessages.JOURNALS)).build();
    }
    return client;
  }

  /**
   * A passphrase from, in order: --passphrase-file, RESCHAT_PASSPHRASE, a prompt on the terminal (an
   * option beats the environment, as for every setting).
   *
   * @param confirm ask twice on a terminal (for a new passphrase)
   */
  public char[] passphrase(String prompt, boolean confirm) throws CliException, IOException {
    if (options.passphraseFile != null) {
      return readPassphraseFile(options.passphraseFile);
    }
    String fromEnv = ctx.env.get("RESCHAT_PASSPHRASE");
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return fromEnv.toCharArray();
    }
    CliContext.PassphrasePrompt ask = promptOverride != null ? promptOverride : ctx.prompt;
    if (ask == null) {
      throw new CliException(ExitCodes.USAGE, "A passphrase is needed: set RESCHAT_PASSPHRASE, pass --passphrase-file FILE, "
          + "or run reschat on a terminal" + (confirm ? " (or choose --no-passphrase)." : "."));
    }
    char[] first = ask.read(prompt);
    if (first == null || first.length == 0) {
      throw new CliException(ExitCodes.USAGE, confirm ? "The passphrase is empty; type one, or use --no-passphrase for none."
          : "No passphrase was typed.");
    }
    if (confirm) {
      char[] second = ask.read("Repeat the passphrase: ");
      boolean same = Arrays.equals(first, second);
      if (second != null) {
        Arrays.fill(second, '\0');
      }
      if (!same) {
        Arrays.fill(first, '\0');
        throw new CliException(ExitCodes.USAGE, "The two passphrases differ; nothing was created.");
      }
    }
    return first;
  }

  /**
   * A new passphrase, as {@link #passphrase} with confirmation, checked by {@link #acceptStrength}: a weak
   * one typed on a terminal is named once and needs a yes, and a no asks for another one; one from
   * RESCHAT_PASSPHRASE or a file needs {@code allowWeak}.
   */
  public char[] newPassphrase(boolean allowWeak) throws CliException, IOException {
    boolean typed = ctx.env.getOrDefault("RESCHAT_PASSPHRASE", "").isEmpty() && options.passphraseFile == null;
    while (true) {
      char[] chosen = passphrase("Choose a passphrase: ", true);
      char[] accepted = acceptStrength(chosen, allowWeak, typed ? ctx.questions : null, output()::warn);
      if (accepted != null) {
        return accepted;
      }
      output().note(ANOTHER);
    }
  }

  /** What a person who declined a weak passphrase is told before being asked again. */
  public static final String ANOTHER = "Choose another one: a few unrelated words are strong and easy to remember.";

  /**
   * A second, new passphrase while the current one comes from the usual sources ({@code passphrase change},
   * {@code identity export}): from {@code file} when given, else typed twice on the terminal; checked as
   * {@link #newPassphrase}.
   */
  public char[] otherNewPassphrase(Path file, String prompt, boolean allowWeak) throws CliException, IOException {
    if (file != null) {
      return acceptStrength(readPassphraseFile(file), allowWeak, null, output()::warn);
    }
    CliContext.PassphrasePrompt ask = promptOverride != null ? promptOverride : ctx.prompt;
    if (ask == null) {
      throw new CliException(ExitCodes.USAGE, "The new passphrase is read from --new-passphrase-file FILE, "
          + "or typed on a terminal.");
    }
    while (true) {
      char[] first = ask.read(prompt);
      char[] second = first == null || first.length == 0 ? null : ask.read("Repeat it: ");
      try {
        if (first == null || first.length == 0) {
          throw new CliException(ExitCodes.USAGE, "No new passphrase was typed; nothing was changed.");
        }
        if (!Arrays.equals(first, second)) {
          Arrays.fill(first, '\0');
          throw new CliException(ExitCodes.USAGE, "The two passphrases differ; nothing was changed.");
        }
      } finally {
        if (second != null) {
          Arrays.fill(second, '\0');
        }
      }
      char[] accepted = acceptStrength(first, allowWeak, ctx.questions, output()::warn);
      if (accepted != null) {
        return accepted;
      }
      output().note(ANOTHER);
    }
  }

  /**
   * Returns {@code chosen} if it is strong, or weak but allowed ({@code allowWeak}) or confirmed through
   * {@code ask} after {@code warn} showed its guessing cost (once). Returns null, having cleared it, when the
   * person said no: the caller asks for another. With nobody to ask, a weak one is a usage error (exit 2)
   * whose sentence names the cost and how to proceed.
   *
   * @param ask null when nobody can be asked (the passphrase came from the environment or a file)
   */
  public static char[] acceptStrength(char[] chosen, boolean allowWeak, CliContext.QuestionPrompt ask,
      java.util.function.Consumer<String> warn) throws CliException, IOException {
    PassphraseStrength strength = PassphraseStrength.of(chosen);
    if (!strength.weak()) {
      return chosen;
    }
    if (allowWeak) {
      warn.accept(strength.warning() + " Using it because of --allow-weak-passphrase.");
      return chosen;
    }
    if (ask != null) {
      warn.accept(strength.warning());
      String answer = ask.ask("Use it anyway? [y/N] ");
      if (answer != null && answer.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y")) {
        return chosen;
      }
      Arrays.fill(chosen, '\0');
      if (answer == null) { // the terminal closed: nobody is there to choose another
        throw new CliException(ExitCodes.USAGE, "No passphrase was chosen; nothing was created.");
      }
      return null;
    }
    Arrays.fill(chosen, '\0');
    throw new CliException(ExitCodes.USAGE, strength.warning() + " Choose a longer one (a few unrelated words),"
        + " or add --allow-weak-passphrase to use it anyway; nothing was created.");
  }

  static char[] readPassphraseFile(Path file) throws CliException, IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.USAGE, "The passphrase file " + file + " does not exist.");
    } catch (IOException e) {
      // A directory, no permission, not text: the option names the wrong thing, which is bad input.
      throw new CliException(ExitCodes.USAGE, "The passphrase file " + file + (Files.isDirectory(file)
          ? " is a directory; give the file whose first line is the passphrase."
          : " cannot be read (" + e.getMessage() + ")."));
    }
    int end = text.indexOf('\n');
    String line = (end < 0 ? text : text.substring(0, end)).replace("\r", "");
    if (line.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, "The passphrase file " + file + " has an empty first line.");
    }
    return line.toCharArray();
  }

  @Override
  public void close() {
    if (borrowed) {
      return;
    }
    if (client != null) {
      client.close();
    }
    if (store != null) {
      store.close();
    }
    if (createdProfileDirectory) {
      removeIfEmpty(profile.directory());
    }
  }

  /** Removes {@code dir} (and an empty {@code state/} in it) when nothing else was written there. */
  private static void removeIfEmpty(Path dir) {
    try {
      Path state = dir.resolve("state");
      if (Files.isDirectory(state) && isEmpty(state)) {
        Files.delete(state);
      }
      if (isEmpty(dir)) {
        Files.delete(dir);
      }
    } catch (IOException e) {
      // best effort: an empty directory left behind is harmless
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }
}
